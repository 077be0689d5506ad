"""`python manage.py generate_data --scale N [--seed S]`: N projects' worth of believable data."""

from django.core.management.base import BaseCommand, CommandError

from demo.generator import GeneratedDataExists, generate


class Command(BaseCommand):
    help = (
        "Generate believable programme data at N times the ESC project (N=1 ≈ the demo; N=1000 ≈ "
        "1,000 projects, 16,000 businesses, 114,000 jobs, 4,000 sites, 100,000 beneficiaries) with "
        "bulk inserts, then recompute progress once. Runs once per database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Number of ESC-sized projects (default 1).")
        parser.add_argument("--seed", type=int, default=2014, help="Seed of the random draws (default 2014).")

    def handle(self, *args, scale: int, seed: int, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        try:
            report = generate(scale=scale, seed=seed, log=lambda line: self.stdout.write(line))
        except GeneratedDataExists as refusal:
            raise CommandError(str(refusal)) from refusal
        for label, count in sorted(report.counts.items()):
            self.stdout.write(f"  {label:36} {count:>9,}")
        self.stdout.write(self.style.SUCCESS(f"Generated scale {scale} in {report.seconds:.1f} s."))
