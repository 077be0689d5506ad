#!/usr/bin/env bash
# Local services for haiti_esc without systemd: PostgreSQL 15 (cluster 15/main) and Redis.
#
#   scripts/services.sh up      install if missing, start, create role/database, print URLs
#   scripts/services.sh down    stop Redis (by PID from its pidfile) and PostgreSQL
#   scripts/services.sh status  exit 0 if both are up, 1 otherwise
#
# Every subcommand is idempotent: running it twice is harmless.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REDIS_DIR="$ROOT/.run/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
PG_VERSION=15
PG_CLUSTER=main
PG_HOST=127.0.0.1
PG_PORT=5432
DB_NAME=haiti_esc
DB_USER=haiti_esc
DB_PASSWORD=haiti_esc
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
WAIT_SECONDS=30
WEASYPRINT_DEBS="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core"

DATABASE_URL="postgres://$DB_USER:$DB_PASSWORD@$PG_HOST:$PG_PORT/$DB_NAME"
REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT/0"

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- helpers
deb_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

pg_up() {
    command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
}

redis_up() {
    command -v redis-cli >/dev/null 2>&1 || return 1
    [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)" = "PONG" ]
}

# psql as the postgres superuser, run from / so runuser does not complain about the cwd.
pg_super() {
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -tA "$@")
}

# PID from Redis's pidfile, printed only if that process is alive and is a redis-server.
redis_pid() {
    [ -f "$REDIS_PIDFILE" ] || return 1
    local pid
    pid="$(tr -dc '0-9' <"$REDIS_PIDFILE")"
    [ -n "$pid" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a recycled PID: only act on a redis-server process.
    grep -q '^redis-server' "/proc/$pid/comm" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

# ---------------------------------------------------------------- up
install_packages() {
    local missing=()
    command -v pg_ctlcluster >/dev/null 2>&1 || missing+=("pg_ctlcluster")
    [ -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ] || missing+=("postgresql-$PG_VERSION")
    command -v redis-server >/dev/null 2>&1 || missing+=("redis-server")
    [ -x /usr/bin/chromium ] || missing+=("/usr/bin/chromium")
    deb_installed fonts-liberation || missing+=("fonts-liberation")
    # msgfmt and xgettext: the catalogue tests compile and extract the messages.
    command -v xgettext >/dev/null 2>&1 || missing+=("gettext")
    # WeasyPrint (the period reports' PDF): pango, harfbuzz and a font it can embed.
    for pkg in $WEASYPRINT_DEBS; do deb_installed "$pkg" || missing+=("$pkg"); done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "packages: all present"
        return 0
    fi
    log "packages: missing ${missing[*]}; installing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086 # the list of packages is split on purpose
    apt-get install -y --no-install-recommends postgresql redis-server chromium fonts-liberation gettext \
        $WEASYPRINT_DEBS
}

start_postgres() {
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$PG_VERSION $PG_CLUSTER"; then
        log "postgres: creating cluster $PG_VERSION/$PG_CLUSTER"
        pg_createcluster "$PG_VERSION" "$PG_CLUSTER"
    fi
    if pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
        log "postgres: cluster $PG_VERSION/$PG_CLUSTER already running"
    else
        log "postgres: starting cluster $PG_VERSION/$PG_CLUSTER"
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
    fi
    local i
    for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
        pg_up && { log "postgres: accepting connections on $PG_HOST:$PG_PORT"; return 0; }
        sleep 0.5
    done
    die "PostgreSQL did not accept connections on $PG_HOST:$PG_PORT within ${WAIT_SECONDS}s" \
        "(see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log)"
}

setup_database() {
    if [ "$(pg_super -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" = "1" ]; then
        log "postgres: role $DB_USER exists (ensuring LOGIN CREATEDB and password)"
        pg_super -c "ALTER ROLE $DB_USER WITH LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
    else
        log "postgres: creating role $DB_USER"
        pg_super -c "CREATE ROLE $DB_USER WITH LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
    fi
    if [ "$(pg_super -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" = "1" ]; then
        log "postgres: database $DB_NAME exists"
    else
        log "postgres: creating database $DB_NAME owned by $DB_USER"
        pg_super -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
    fi
    local out
    out="$(cd / && PGPASSWORD="$DB_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -tA -h "$PG_HOST" -p "$PG_PORT" \
        -U "$DB_USER" -d "$DB_NAME" -c 'select 1' 2>&1)" \
        || die "password login as $DB_USER over $PG_HOST failed: $out (check pg_hba.conf)"
    [ "$out" = "1" ] || die "unexpected answer to 'select 1' as $DB_USER: $out"
    log "postgres: password login as $DB_USER over $PG_HOST works"
}

start_redis() {
    if redis_up; then
        log "redis: already answering PONG on $REDIS_HOST:$REDIS_PORT"
        return 0
    fi
    mkdir -p "$REDIS_DIR"
    log "redis: starting on $REDIS_HOST:$REDIS_PORT (dir $REDIS_DIR)"
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
        --save '' --appendonly no --dir "$REDIS_DIR" \
        --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_DIR/redis.log"
    local i
    for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
        redis_up && { log "redis: PONG"; return 0; }
        sleep 0.5
    done
    die "Redis did not answer PONG on $REDIS_HOST:$REDIS_PORT within ${WAIT_SECONDS}s (see $REDIS_DIR/redis.log)"
}

cmd_up() {
    install_packages
    start_postgres
    setup_database
    start_redis
    echo "DATABASE_URL=$DATABASE_URL"
    echo "REDIS_URL=$REDIS_URL"
}

# ---------------------------------------------------------------- down
cmd_down() {
    local pid i
    if pid="$(redis_pid)"; then
        log "redis: stopping PID $pid"
        kill -TERM "$pid"
        for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -0 "$pid" 2>/dev/null && die "Redis PID $pid still running after ${WAIT_SECONDS}s"
        log "redis: stopped"
    else
        log "redis: not running from $REDIS_PIDFILE"
        if redis_up; then
            log "redis: WARNING: something else answers on $REDIS_HOST:$REDIS_PORT; left alone"
        fi
    fi
    rm -f "$REDIS_PIDFILE"

    if command -v pg_ctlcluster >/dev/null 2>&1 \
        && pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
        log "postgres: stopping cluster $PG_VERSION/$PG_CLUSTER"
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop
        log "postgres: stopped"
    else
        log "postgres: cluster $PG_VERSION/$PG_CLUSTER not running"
    fi
}

# ---------------------------------------------------------------- status
cmd_status() {
    local rc=0
    if pg_up; then
        echo "postgres: up   ($PG_HOST:$PG_PORT, cluster $PG_VERSION/$PG_CLUSTER)"
    else
        echo "postgres: down ($PG_HOST:$PG_PORT)"
        rc=1
    fi
    if redis_up; then
        echo "redis:    up   ($REDIS_HOST:$REDIS_PORT)"
    else
        echo "redis:    down ($REDIS_HOST:$REDIS_PORT)"
        rc=1
    fi
    return "$rc"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 {up|down|status}" >&2
        exit 2
        ;;
esac
