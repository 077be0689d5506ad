"""`python manage.py load_demo`: the article's facts and a sample of field data (idempotent)."""

from django.core.management.base import BaseCommand

from demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the ILO–MINUSTAH partnership, the ESC project, its targets and demo field data."

    def handle(self, *args, **options):
        report = load_demo()
        if report.created:
            for name, count in sorted(report.created.items()):
                self.stdout.write(f"  created {count} {name}")
        else:
            self.stdout.write("Demo data already loaded: nothing to create.")
        if report.users_refused:
            self.stderr.write(
                self.style.WARNING(
                    "DEBUG is off: demo users were not created (they have published passwords)."
                )
            )
        elif report.users:
            self.stdout.write(
                self.style.SUCCESS("Demo users (log in at http://127.0.0.1:8000/accounts/login/):")
            )
            for username, password, group in report.users:
                self.stdout.write(f"  {username:22} {password:20} {group}")
            if report.second_factors:
                self.stdout.write(
                    self.style.SUCCESS(
                        "Second factor (after the password): add the otpauth:// link to an "
                        "authenticator app, or type one recovery code (each works once):"
                    )
                )
            for username, uri, codes in report.second_factors:
                self.stdout.write(f"  {username:22} recovery codes: {' '.join(codes)}")
                self.stdout.write(f"  {'':22} {uri}")
