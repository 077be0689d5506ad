"""The Django side of bench/freshness.py: a process over the bench database that prepares the
verifies (records whose verify changes a target of gen-00000, the load's sessions), puts each
verified record back, and removes what the run added. JSON commands in, one JSON line out each.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    """The helper, a Django process over the same database: answers the bench's commands, one JSON
    line each, on the original stdout."""
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything Django prints goes to stderr
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.db.models import Max

    import bench.measure as measure
    from dashboard.scope import dashboard_scope, visible_projects
    from dashboard.selectors import PROJECTS_PER_PAGE
    from enterprises.models import Business, Job
    from programs.models import FormSubmission, Project, ReviewEvent, Target
    from progress.models import ProgressSnapshot
    from progress.selectors import progress_actuals_and_after_end, youth_bands_of
    from progress.services import progress_recompute
    from rehab.models import WorkRecord

    kinds = {"businesses": (Business, "centre__project"), "jobs": (Job, "business__centre__project"),
             "work": (WorkRecord, "site__project")}  # fmt: skip
    fields = ["review_state", "review_changed_by_id", "review_changed_at", "updated_at"]
    state: dict = {"records": {}}

    def last(queryset) -> int:  # the last id: what the run adds comes after it
        return queryset.aggregate(m=Max("pk"))["m"] or 0

    def totals(project: Project) -> dict:
        """Each indicator's actual value as a recompute counts it now."""
        bands = youth_bands_of(Target.objects.filter(project=project))
        counted, _after_end = progress_actuals_and_after_end([project.pk], youth_bands=bands)
        return {indicator: str(value.total) for indicator, value in counted[project.pk].items()}

    def prepare(users: int) -> dict:
        bench_users = measure.bench_users()
        project = Project.objects.get(code=measure.FIRST_PROJECT)
        ordered = visible_projects(bench_users["manager"], dashboard_scope(bench_users["manager"]))
        progress_recompute(project_ids=[project.pk], reason="bench")  # the figures are current
        before = totals(project)
        for slug, (model, path) in kinds.items():
            for pk in model.objects.filter(**{path: project, "review_state": "submitted"}).values_list("pk"):
                with transaction.atomic():  # would its verify change a target?
                    model.objects.filter(pk=pk[0]).update(review_state="verified")
                    changes = totals(project) != before
                    transaction.set_rollback(True)
                if changes:
                    original = model.objects.filter(pk=pk[0]).values(*fields).get()
                    marks = last(ReviewEvent.objects), last(model.history)
                    state["records"][slug, pk[0]] = (model, original, *marks)
        if not state["records"]:
            raise ValueError(f"{project.code} has no submitted record whose verify changes a target")
        works = WorkRecord.objects.filter(site__project=project).order_by("-date")
        site, day = works.values_list("site_id", "date").first()
        field = bench_users["field"]
        sessions = [measure.client_for(field).cookies["sessionid"].value for _ in range(users)]
        state.update(
            project=project, field=field, snapshot=last(ProgressSnapshot.objects),
            work=last(WorkRecord.objects), work_history=last(WorkRecord.history), sessions=sessions,
        )  # fmt: skip
        return {"project_pk": project.pk, "site": site, "date": day.isoformat(), "sessions": sessions,
                "page": list(ordered.values_list("pk", flat=True)).index(project.pk) // PROJECTS_PER_PAGE + 1,
                "records": [{"kind": slug, "pk": pk} for slug, pk in state["records"]],
                "coalesce_seconds": settings.PROGRESS_COALESCE_SECONDS}  # fmt: skip

    def restore(record: dict, recompute: bool = True) -> dict:
        """Put a verified record back as it was, without its review event and history row."""
        model, original, event, history = state["records"][record["kind"], record["pk"]]
        with transaction.atomic():
            model.objects.filter(pk=record["pk"]).update(**original)
            ReviewEvent.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id=record["pk"], pk__gt=event
            ).delete()
            model.history.filter(id=record["pk"], pk__gt=history).delete()
        if recompute:
            progress_recompute(project_ids=[state["project"].pk], reason="bench")
        return {}

    def finish() -> dict:
        """Remove what the run added: the load's work records, its sessions, the snapshots written."""
        if "project" not in state:
            return {}
        for slug, pk in state["records"]:
            restore({"kind": slug, "pk": pk}, recompute=False)
        with transaction.atomic():
            added = WorkRecord.objects.filter(pk__gt=state["work"], created_by=state["field"])
            ids = list(added.values_list("pk", flat=True))
            kind = ContentType.objects.get_for_model(WorkRecord)
            ReviewEvent.objects.filter(content_type=kind, object_id__in=ids).delete()
            FormSubmission.objects.filter(user=state["field"], content_type=kind, object_id__in=ids).delete()
            added.delete()  # after: the history rows of the records and of their deletion
            WorkRecord.history.filter(id__in=ids, pk__gt=state["work_history"]).delete()
            Session.objects.filter(session_key__in=state["sessions"]).delete()
            targets = Target.objects.filter(project=state["project"])
            ProgressSnapshot.objects.filter(target__in=targets, pk__gt=state["snapshot"]).delete()
        progress_recompute(project_ids=[state["project"].pk], reason="bench")
        return {"work_records_removed": len(ids)}

    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = {"prepare": prepare, "restore": restore, "finish": finish}[request.pop("command")](
                **request
            )
        except Exception as error:  # the bench side stops and reports it
            answer = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
