"""The five kinds of field record, and what the generic field views need to know of each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.forms import BusinessForm, EscServiceForm, JobForm
from enterprises.models import Business, EscService, Job
from enterprises.services import business_save, esc_service_save, job_save
from fora.forms import ForumSessionForm, StructurePriorityFormSet
from fora.models import ForumSession
from fora.services import forum_session_save
from rehab.forms import WorkRecordForm
from rehab.models import WorkRecord
from rehab.services import work_record_save


@dataclass(frozen=True)
class FieldKind:
    slug: str
    model: type[models.Model]
    #: The kind's service (`job_save`, …): the one the API and the admin call too.
    service: Callable[..., models.Model]
    form_class: type
    label: str
    add_label: str
    #: Fields shown in lists and on the record's page, in order.
    columns: tuple[str, ...]
    related: tuple[str, ...] = ()
    formset_class: type | None = None
    date_field: str = "created_at"

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name

    def related_of(self, form, formset) -> dict:
        """What the kind's service saves beside the record: a session's priorities and people."""
        related = {}
        if formset is not None:
            related["priorities"] = formset
        if "selected_codes" in form.cleaned_data:
            related["people"] = form.cleaned_data["selected_codes"]
        return related


KINDS: dict[str, FieldKind] = {
    kind.slug: kind
    for kind in [
        FieldKind(
            "sessions",
            ForumSession,
            forum_session_save,
            ForumSessionForm,
            _("Forum sessions"),
            _("Record a forum session"),
            ("forum", "kind", "held_on", "women", "men", "youth"),
            related=("forum__neighbourhood",),
            formset_class=StructurePriorityFormSet,
            date_field="held_on",
        ),
        FieldKind(
            "businesses",
            Business,
            business_save,
            BusinessForm,
            _("Businesses"),
            _("Record a new business"),
            ("name", "owner", "neighbourhood", "size", "activity", "formed_on", "status"),
            related=("owner", "neighbourhood"),
            date_field="formed_on",
        ),
        FieldKind(
            "jobs",
            Job,
            job_save,
            JobForm,
            _("Jobs"),
            _("Record a job"),
            ("role", "worker", "business", "start_date", "end_date", "is_rehab_work", "site"),
            related=("worker", "business", "site"),
            date_field="start_date",
        ),
        FieldKind(
            "services",
            EscService,
            esc_service_save,
            EscServiceForm,
            _("ESC services"),
            _("Record an ESC service"),
            ("kind", "centre", "business", "delivered_on", "participants"),
            related=("centre", "business"),
            date_field="delivered_on",
        ),
        FieldKind(
            "work",
            WorkRecord,
            work_record_save,
            WorkRecordForm,
            _("Work records"),
            _("Record work on a site"),
            ("site", "date", "completed_area_m2", "photo"),
            related=("site",),
            date_field="date",
        ),
    ]
}


def kind_of(record: models.Model) -> FieldKind:
    return next(kind for kind in KINDS.values() if isinstance(record, kind.model))
