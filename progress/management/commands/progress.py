"""`python manage.py progress [--project ID] [--recompute] [--json] [--periods]`: the latest snapshot
of each target; with --periods, its figures in each reporting period too."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from programs.models import Project, Target
from progress.period_selectors import period_table
from progress.period_services import reporting_periods_ensure
from progress.selectors import latest_snapshots
from progress.services import progress_recompute


class Command(BaseCommand):
    help = "Print the latest progress snapshot of each target; --recompute recomputes first."

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, help="Only this project (id).")
        parser.add_argument("--recompute", action="store_true", help="Recompute synchronously first.")
        parser.add_argument("--json", action="store_true", help="Print a JSON list.")
        parser.add_argument(
            "--periods", action="store_true", help="Add each target's figures per reporting period."
        )

    def handle(self, *args, project=None, recompute=False, json=False, periods=False, **options):
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
        if periods:
            by_target = _periods_by_target({row["project"] for row in rows})
            for row, snapshot in zip(rows, latest_snapshots(targets), strict=True):
                row["periods"] = by_target.get(snapshot.target_id, [])
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
            for period in row.get("periods", []):
                milestone = "—" if period["milestone"] is None else f"{period['milestone']:g}"
                self.stdout.write(
                    f"  {period['period']:8} {period['actual_in_period']:>10g} in period, "
                    f"{period['actual_cumulative']:>10g} cumulative, milestone {milestone:>8}  "
                    f"{period['status']}"
                )


def _periods_by_target(project_ids) -> dict[int, list[dict]]:
    """Each target's reporting periods as the JSON shows them (generated when absent)."""
    reporting_periods_ensure(project_ids=list(project_ids))
    by_target = {}
    for project in Project.objects.filter(pk__in=project_ids).prefetch_related("targets"):
        for table in period_table(project):
            by_target[table.target.pk] = [
                {
                    "period": row.period.code,
                    "start": row.period.start.isoformat(),
                    "end": row.period.end.isoformat(),
                    "milestone": None if row.milestone is None else float(row.milestone),
                    "actual_in_period": float(row.actual_in_period),
                    "actual_cumulative": float(row.actual_cumulative),
                    "status": row.period.state,
                }
                for row in table.rows
            ]
    return by_target


def _json_dumps(rows) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False)
