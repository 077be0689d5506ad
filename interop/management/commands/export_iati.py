"""`python manage.py export_iati [--output FILE] [--validate] [--all-periods]`: the IATI 2.03
activity file."""

from __future__ import annotations

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
        tree = iati.build_activities(all_periods=all_periods)
        if validate:
            try:
                iati.validate(tree)
            except (etree.DocumentInvalid, OSError) as error:
                raise CommandError(f"The IATI file is not valid: {error}") from error
        data = iati.render(tree)
        if output:
            with open(output, "wb") as file:
                file.write(data)
            count = len(tree.getroot())
            self.stderr.write(f"Wrote {count} activit{'y' if count == 1 else 'ies'} to {output}")
        else:
            self.stdout.write(data.decode(), ending="")
