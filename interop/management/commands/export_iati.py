"""`python manage.py export_iati [--output FILE] [--validate] [--all-periods]`: the IATI 2.03
activity file, streamed a chunk of projects at a time (interop.iati)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from lxml import etree

from interop import iati


class Command(BaseCommand):
    help = "Write the IATI 2.03 activity file (one iati-activity per project) to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write; standard output when absent.")
        parser.add_argument(
            "--validate",
            action="store_true",
            help="Check the file against the official 2.03 schema in interop/schemas/iati/ first.",
        )
        parser.add_argument(
            "--all-periods",
            action="store_true",
            help="Publish every reporting period, not only the approved ones.",
        )

    def handle(self, *args, output=None, validate=False, all_periods=False, **options):
        if not validate:
            if output:
                with open(output, "wb") as file:
                    count = iati.write_activities(file.write, all_periods=all_periods)
                self._wrote(count, output)
            else:
                iati.write_activities(iati.text_writer(self._out), all_periods=all_periods)
            return
        # Validated before it is published: written to a temporary file next to the output, read
        # back and checked against the schema as it is read, then moved in place (or printed).
        folder = Path(output).resolve().parent if output else None
        handle, temporary = tempfile.mkstemp(prefix=".iati-", suffix=".xml", dir=folder)
        try:
            with os.fdopen(handle, "wb") as file:
                count = iati.write_activities(file.write, all_periods=all_periods)
            try:
                iati.validate_file(temporary)
            except (etree.DocumentInvalid, etree.XMLSyntaxError, OSError) as error:
                raise CommandError(f"The IATI file is not valid: {error}") from error
            if output:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temporary, 0o666 & ~umask)  # as `open` would have made it, not mkstemp's 0600
                os.replace(temporary, output)
                self._wrote(count, output)
            else:
                with open(temporary, "rb") as file:
                    write = iati.text_writer(self._out)
                    while data := file.read(1 << 20):
                        write(data)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)

    def _out(self, text: str) -> None:
        self.stdout.write(text, ending="")

    def _wrote(self, count: int, output: str) -> None:
        self.stderr.write(f"Wrote {count} activit{'y' if count == 1 else 'ies'} to {output}")
