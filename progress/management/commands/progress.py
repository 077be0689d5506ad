"""`python manage.py progress [--project ID] [--recompute] [--json]`: the latest snapshot of each target."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from programs.models import Project, Target
from progress.selectors import latest_snapshots
from progress.services import progress_recompute


class Command(BaseCommand):
    help = "Print the latest progress snapshot of each target; --recompute recomputes first."

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, help="Only this project (id).")
        parser.add_argument("--recompute", action="store_true", help="Recompute synchronously first.")
        parser.add_argument("--json", action="store_true", help="Print a JSON list.")

    def handle(self, *args, project=None, recompute=False, json=False, **options):
        if project is not None and not Project.objects.filter(pk=project).exists():
            raise CommandError(f"No project with id {project}.")
        if recompute:
            progress_recompute(project_ids=None if project is None else [project], reason="command")
        targets = Target.objects.all()
        if project is not None:
            targets = targets.filter(project_id=project)
        rows = [
            {
                "project": snapshot.target.project_id,
                "project_title": snapshot.target.project.title,
                "indicator": snapshot.target.indicator,
                "target": float(snapshot.target_value),
                "actual": float(snapshot.actual),
                "percent": None if snapshot.percent is None else float(snapshot.percent),
                "status": snapshot.status,
                "forecast_date": snapshot.forecast_date.isoformat() if snapshot.forecast_date else None,
                "as_of": timezone.localtime(snapshot.as_of).isoformat(),
            }
            for snapshot in latest_snapshots(targets)
        ]
        if json:
            self.stdout.write(_json_dumps(rows))
            return
        if not rows:
            self.stdout.write("No snapshot yet: run with --recompute, or start a Celery worker.")
        for row in rows:
            percent = "—" if row["percent"] is None else f"{row['percent']:.1f} %"
            self.stdout.write(
                f"{row['project_title'][:40]:40}  {row['indicator']:17} {row['actual']:>10g} / "
                f"{row['target']:<8g} {percent:>9}  {row['status']:11} as of {row['as_of'][:16]}"
            )


def _json_dumps(rows) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False)
