"""Writes of beneficiaries: import from a spreadsheet, merge of duplicates, look-alikes confirmed
as different people, consent withdrawal and anonymisation.

Every write here runs in one transaction, validates with `full_clean()`, records the acting user
in the history (django-simple-history) and marks the progress of the projects whose counted
records it touches as stale.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.memory import cycle_collector_paused
from programs.rules import age_on
from programs.signals import progress_changed, records_changed

from .models import Beneficiary
from .selectors import beneficiaries_visible_to

#: What anonymisation removes: the person's name, phone and date of birth. The code, sex,
#: neighbourhood and consent dates stay, so that jobs and businesses keep counting.
PERSONAL_FIELDS = ("first_name", "last_name", "phone", "date_of_birth")
#: Fields a form requires of a person who is not anonymised; emptied on purpose by anonymisation
#: (`Beneficiary.clean()` and the database check that a missing birth date means anonymised).
EMPTIED_REQUIRED = ["first_name", "last_name", "date_of_birth"]


def _stamp(record, *, by, reason: str) -> None:
    """Tell django-simple-history who made the change and why (also outside a request)."""
    record._history_user = by
    record._change_reason = reason


def _mark_stale(project_ids: Iterable[int]) -> None:
    """Tell the progress engine (a floor above, listening to the signal) which projects changed."""
    if project_ids := set(project_ids):
        progress_changed.send(sender=Beneficiary, project_ids=sorted(project_ids))


def _projects_counting(beneficiary_ids: Iterable[int]) -> set[int]:
    """The projects whose counted jobs or businesses involve these people (through the relations
    that the jobs and businesses declare towards the register)."""
    people = Beneficiary.objects.filter(pk__in=list(beneficiary_ids))
    jobs = people.values_list("jobs__business__centre__project_id", flat=True)
    owned = people.values_list("businesses__centre__project_id", flat=True)
    return (set(jobs) | set(owned)) - {None}


def _lock_visible(pks: list[int], by) -> dict[int, Beneficiary]:
    """Lock the rows (in primary-key order, so that two merges cannot deadlock) after checking
    that `by` may see every one of them."""
    visible = set(beneficiaries_visible_to(by).filter(pk__in=pks).values_list("pk", flat=True))
    if visible != set(pks):
        raise PermissionDenied(_("You may not change some of these people."))
    return {b.pk: b for b in Beneficiary.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


# --- import ----------------------------------------------------------------------------------


def beneficiaries_import(*, dataset, by, dry_run: bool = False, file_name: str = ""):
    """Import a CSV or XLSX sheet of beneficiaries (a `tablib.Dataset`): all rows or none.

    A row whose code exists updates that person; an unchanged row is skipped, so importing the
    same file twice changes nothing. Returns the import-export `Result`: when it has errors or
    invalid rows, nothing was saved. `dry_run` validates and previews without saving (with each
    row's before and after, which a confirmed import does not compute).
    """
    from .resources import BeneficiaryImportResource

    resource = BeneficiaryImportResource(user=by, diff=dry_run)
    with cycle_collector_paused(), transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=by,
            file_name=file_name,
            retain_instance_in_row_result=True,
        )
        if not dry_run and not result.has_errors() and not result.has_validation_errors():
            updated = [row.object_id for row in result.rows if row.import_type == row.IMPORT_TYPE_UPDATE]
            _mark_stale(_projects_counting(updated))
            records_changed.send(sender=Beneficiary)  # written in bulk: no post_save was sent
    return result


# --- duplicates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeSummary:
    kept: Beneficiary
    removed_codes: list[str]
    jobs_moved: int
    selections_moved: int
    selections_joined: int
    businesses_moved: int


def beneficiary_merge(*, keep: Beneficiary, duplicates: Iterable[Beneficiary], by) -> MergeSummary:
    """Merge duplicate records of one person into `keep`: their jobs, forum selections and
    businesses move to the kept record, then the duplicates are deleted (their history stays).

    A selection at a session where the kept record was selected too is joined into it (the
    reasons are kept). Every moved job is checked again against the kept record's date of birth
    and other jobs, so a merge that would make child labour or overlapping jobs is refused.
    """
    duplicate_pks = sorted({d.pk for d in duplicates} - {keep.pk})
    if not duplicate_pks:
        raise ValidationError(_("Choose at least one other record to merge into the kept one."))
    with transaction.atomic():
        people = _lock_visible([keep.pk, *duplicate_pks], by)
        kept = people[keep.pk]
        if any(p.anonymised_at for p in people.values()):
            raise ValidationError(_("An anonymised person cannot be merged."))
        project_ids = set()
        moved = {"jobs": 0, "selections": 0, "joined": 0, "businesses": 0}
        try:
            for pk in duplicate_pks:
                duplicate = people[pk]
                reason = _("merged from %(from)s into %(into)s") % {"from": duplicate.code, "into": kept.code}
                project_ids |= _move_jobs(duplicate, kept, by=by, reason=reason, moved=moved)
                _move_selections(duplicate, kept, moved=moved)
                project_ids |= _move_businesses(duplicate, kept, by=by, reason=reason, moved=moved)
                kept.distinct_from.add(*duplicate.distinct_from.exclude(pk=kept.pk))
                _stamp(duplicate, by=by, reason=reason)
                duplicate.delete()
        except ProtectedError as error:
            raise ValidationError(
                _("%(code)s still has records that cannot be moved: %(records)s.")
                % {"code": duplicate.code, "records": ", ".join(str(r) for r in error.protected_objects)}
            ) from error
        except IntegrityError as error:  # a database rule (trigger) the checks above did not see
            raise ValidationError(
                _("The database refused the merge: %(reason)s") % {"reason": str(error).splitlines()[0]}
            ) from error
        _stamp(
            kept,
            by=by,
            reason=_("merged %(codes)s into this record")
            % {"codes": ", ".join(people[pk].code for pk in duplicate_pks)},
        )
        kept.save()  # a line in the kept record's history too
        _mark_stale(project_ids)
    return MergeSummary(
        kept=kept,
        removed_codes=[people[pk].code for pk in duplicate_pks],
        jobs_moved=moved["jobs"],
        selections_moved=moved["selections"],
        selections_joined=moved["joined"],
        businesses_moved=moved["businesses"],
    )


def _move_jobs(duplicate: Beneficiary, kept: Beneficiary, *, by, reason: str, moved: dict) -> set[int]:
    project_ids = set()
    for job in duplicate.jobs.select_related("business__centre__project__partnership").order_by("start_date"):
        job.worker = kept
        try:
            job.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _("The job %(job)s of %(code)s cannot move to %(into)s: %(reason)s")
                % {"job": job, "code": duplicate.code, "into": kept.code, "reason": " ".join(error.messages)}
            ) from error
        _stamp(job, by=by, reason=reason)
        job.save(update_fields=["worker", "updated_at"])
        project_ids.add(job.progress_project_id)
        moved["jobs"] += 1
    return project_ids


def _move_selections(duplicate: Beneficiary, kept: Beneficiary, *, moved: dict) -> None:
    already = {s.session_id: s for s in kept.selections.all()}
    for selection in duplicate.selections.select_related("session__forum"):
        same_session = already.get(selection.session_id)
        if same_session is not None:
            reasons = [r for r in (same_session.reason, selection.reason) if r]
            joined = "; ".join(dict.fromkeys(reasons))[:250]
            if joined != same_session.reason:
                same_session.reason = joined
                same_session.save(update_fields=["reason"])
            selection.delete()
            moved["joined"] += 1
            continue
        selection.beneficiary = kept
        selection.full_clean()
        selection.save(update_fields=["beneficiary"])
        already[selection.session_id] = selection
        moved["selections"] += 1


def _move_businesses(duplicate: Beneficiary, kept: Beneficiary, *, by, reason: str, moved: dict) -> set[int]:
    project_ids = set()
    for business in duplicate.businesses.select_related("centre__project__partnership"):
        business.owner = kept
        business.full_clean()
        _stamp(business, by=by, reason=reason)
        business.save(update_fields=["owner", "updated_at"])
        project_ids.add(business.progress_project_id)
        moved["businesses"] += 1
    return project_ids


def beneficiaries_confirm_distinct(*, beneficiaries: Iterable[Beneficiary], by) -> int:
    """Record that these look-alikes are different people, so they are no longer flagged.
    Returns the number of pairs recorded."""
    pks = sorted({b.pk for b in beneficiaries})
    if len(pks) < 2:
        raise ValidationError(_("Choose at least two people."))
    with transaction.atomic():
        people = _lock_visible(pks, by)
        pairs = 0
        for i, pk in enumerate(pks):
            others = [people[other] for other in pks[i + 1 :]]
            people[pk].distinct_from.add(*others)
            pairs += len(others)
    return pairs


# --- consent and anonymisation ---------------------------------------------------------------


def beneficiary_withdraw_consent(*, beneficiary: Beneficiary, on: datetime.date, by) -> Beneficiary:
    """Record that the person withdrew their consent on `on`, and anonymise them at once."""
    if on > timezone.localdate():
        raise ValidationError({"consent_withdrawn_on": _("This date is in the future.")})
    with transaction.atomic():
        person = _lock_visible([beneficiary.pk], by)[beneficiary.pk]
        if person.consent_date and on < person.consent_date:
            raise ValidationError(
                {"consent_withdrawn_on": _("Consent cannot be withdrawn before it was given.")}
            )
        person.consent_given = False
        person.consent_withdrawn_on = on
        return _anonymise(person, by=by, reason=_("consent withdrawn"))


def beneficiary_anonymise(*, beneficiary: Beneficiary, by) -> Beneficiary:
    """Remove a person's name, phone and date of birth, here and in the change history.

    The counts stay: before the date of birth goes, each of the person's jobs keeps the
    worker's age on its start date (`Job.worker_age_at_start`), which the progress selector
    uses when the date of birth is gone. Anonymising twice changes nothing.
    """
    with transaction.atomic():
        person = _lock_visible([beneficiary.pk], by)[beneficiary.pk]
        return _anonymise(person, by=by, reason=_("anonymised"))


def _anonymise(person: Beneficiary, *, by, reason: str) -> Beneficiary:
    if person.anonymised_at is not None:
        person.full_clean(exclude=EMPTIED_REQUIRED)
        _stamp(person, by=by, reason=reason)
        person.save()
        return person
    project_ids = set()
    for job in person.jobs.select_related("business__centre"):
        # Only this derived value changes; the job's own rules (checked when it was saved, and
        # by the database trigger) do not depend on it, and a CHECK keeps it >= 15.
        job.worker_age_at_start = age_on(person.date_of_birth, job.start_date)
        _stamp(job, by=by, reason=reason)
        job.save(update_fields=["worker_age_at_start", "updated_at"])
        project_ids.add(job.progress_project_id)
    project_ids |= set(person.businesses.values_list("centre__project_id", flat=True))
    person.first_name = person.last_name = person.phone = ""
    person.date_of_birth = None
    person.anonymised_at = timezone.now()
    person.full_clean(exclude=EMPTIED_REQUIRED)
    _stamp(person, by=by, reason=reason)
    person.save()
    _scrub_traces(person)
    _mark_stale(project_ids)
    return person


def _scrub_traces(person: Beneficiary) -> None:
    """Remove the personal data from the change history and the admin log too."""
    Beneficiary.history.model.objects.filter(id=person.pk).update(
        first_name="", last_name="", phone="", date_of_birth=None
    )
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Beneficiary), object_id=str(person.pk)
    ).update(object_repr=str(person))


def beneficiaries_anonymise_past_retention(*, today: datetime.date | None = None) -> int:
    """Anonymise the people whose data is past the retention period (DATA_RETENTION_DAYS):
    recorded before it and with no job running or ended within it. The counts stay."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=settings.DATA_RETENTION_DAYS)
    cutoff_moment = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    due = (
        Beneficiary.objects.filter(anonymised_at__isnull=True, created_at__lt=cutoff_moment)
        .exclude(jobs__end_date__isnull=True, jobs__isnull=False)
        .exclude(jobs__end_date__gte=cutoff)
        .exclude(jobs__start_date__gte=cutoff)
        .values_list("pk", flat=True)
        .distinct()
    )
    done = 0
    for pk in list(due):
        with transaction.atomic():
            person = Beneficiary.objects.select_for_update().get(pk=pk)
            if person.anonymised_at is None:
                _anonymise(person, by=None, reason=_("retention period over"))
                done += 1
    return done
