"""`python manage.py progress_report --project ID --period 2015-Q1 --output FILE.pdf
[--language fr|ht|en]`: a reporting period's report as a PDF."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from programs.models import Project
from progress.models import ReportingPeriod
from progress.period_services import reporting_periods_ensure
from reports.pdf import report_pdf, served_pdf


class Command(BaseCommand):
    help = "Write a reporting period's report as a PDF (the approved one when the period is approved)."

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, required=True, help="The project (id).")
        parser.add_argument("--period", required=True, help="The period's code, e.g. 2015-Q1.")
        parser.add_argument("--output", "-o", required=True, help="The PDF file to write.")
        parser.add_argument("--language", choices=["fr", "ht", "en"], default="en")

    def handle(self, *args, project, period, output, language, **options):
        found = Project.objects.filter(pk=project).first()
        if found is None:
            raise CommandError(f"No project with id {project}.")
        reporting_periods_ensure(project_ids=[found.pk])
        reporting = ReportingPeriod.objects.filter(project=found, code=period).first()
        if reporting is None:
            raise CommandError(f"No period {period} in project {project}.")
        if reporting.frozen and reporting.approved_pdf and reporting.approved_pdf_language == language:
            pdf, _approved = served_pdf(found, reporting)
        else:
            pdf = report_pdf(found, reporting, language=language)
        with open(output, "wb") as file:
            file.write(pdf)
        self.stderr.write(f"Wrote the {reporting.code} report of {found.code} to {output}")
