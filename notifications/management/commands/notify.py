"""`python manage.py notify [--dry-run]`: send the digests and reminders due now."""

from django.core.management.base import BaseCommand

from notifications.deliveries import notify


class Command(BaseCommand):
    help = "Send the digests and reminders due now (each once), and those an earlier run could not send."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        outcomes = notify(dry_run=dry_run)
        for outcome in outcomes:
            self.stdout.write(str(outcome))
        sent = sum(o.status in ("sent", "would send") for o in outcomes)
        failed = sum(o.status == "failed" for o in outcomes)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"{sent} mail(s) {verb}" + (f", {failed} kept for the next run" if failed else ""))
