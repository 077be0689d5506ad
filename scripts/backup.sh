#!/usr/bin/env bash
# Back up or restore haiti_esc's PostgreSQL database with pg_dump / pg_restore (custom format).
#
#   scripts/backup.sh backup  [FILE]   default FILE: backups/haiti_esc-YYYYmmdd-HHMMSS.dump
#   scripts/backup.sh restore FILE     into the database of DATABASE_URL, replacing its objects
#
# DATABASE_URL defaults to the local one made by scripts/services.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATABASE_URL="${DATABASE_URL:-postgres://haiti_esc:haiti_esc@127.0.0.1:5432/haiti_esc}"

case "${1:-}" in
    backup)
        file="${2:-$ROOT/backups/haiti_esc-$(date +%Y%m%d-%H%M%S).dump}"
        mkdir -p "$(dirname "$file")"
        pg_dump --format=custom --no-owner --no-privileges --file="$file" "$DATABASE_URL"
        echo "backup written to $file ($(du -h "$file" | cut -f1))"
        ;;
    restore)
        file="${2:?usage: $0 restore FILE}"
        [ -s "$file" ] || { echo "no backup at $file" >&2; exit 1; }
        pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
            --dbname="$DATABASE_URL" "$file"
        echo "restored $file into ${DATABASE_URL##*/}"
        ;;
    *)
        echo "usage: $0 {backup [FILE]|restore FILE}" >&2
        exit 2
        ;;
esac
