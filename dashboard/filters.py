"""Filters of the drill-down lists: neighbourhood, dates, sex and state, where the records have them.

The neighbourhood choices are the user's visible neighbourhoods; the query sets filtered are
already scoped by `programs.access.visible`.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Beneficiary, Sex
from enterprises.models import Business, EscService, Job
from fora.models import ForumSession, StructureKind, StructurePriority
from programs.access import neighbourhood_path, visible
from programs.models import Neighbourhood
from programs.rules import AGE_BANDS
from rehab.models import RehabSite, WorkRecord

DATE_WIDGET = django_filters.widgets.DateRangeWidget(attrs={"type": "date", "class": "form-control"})


def _neighbourhoods(request):
    return visible(Neighbourhood.objects.order_by("name"), request.user if request else None)


def neighbourhood_filter(model):
    """By the neighbourhood the model declares it reaches (`programs.access.neighbourhood_path`)."""
    return django_filters.ModelChoiceFilter(
        field_name=neighbourhood_path(model),
        queryset=_neighbourhoods,
        label=_("Neighbourhood"),
        empty_label=_("All"),
    )


def date_filter(path: str, label):
    return django_filters.DateFromToRangeFilter(field_name=path, label=label, widget=DATE_WIDGET)


def sex_filter(path: str):
    return django_filters.ChoiceFilter(
        field_name=path, choices=Sex.choices, label=_("Sex"), empty_label=_("All")
    )


def kind_filter(path: str, choices, label=None):
    return django_filters.ChoiceFilter(
        field_name=path, choices=choices, label=label or _("Kind"), empty_label=_("All")
    )


class FigureFilter(django_filters.FilterSet):
    """Base of the drill-down filters: the form renders with Bootstrap classes."""

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None and "neighbourhood" in self.filters:
            # A drill-down is of one project: its neighbourhoods, not the programme's thousands.
            self.filters["neighbourhood"].queryset = lambda request: _neighbourhoods(request).filter(
                projects=project
            )
        for name, form_field in self.form.fields.items():
            widget = form_field.widget
            if name == "date":
                continue
            css = "form-select" if getattr(widget, "input_type", "") == "select" else "form-control"
            widget.attrs.setdefault("class", css)


class BusinessFilter(FigureFilter):
    neighbourhood = neighbourhood_filter(Business)
    date = date_filter("formed_on", _("Formed between"))
    sex = sex_filter("owner__sex")
    state = kind_filter(
        "status",
        [(s, s.label) for s in (Business.Status.CREATED, Business.Status.OPERATING)],
        _("Status"),
    )


class YouthJobFilter(FigureFilter):
    STATES = [("current", _("Current")), ("ended", _("Ended"))]

    neighbourhood = neighbourhood_filter(Job)
    date = date_filter("start_date", _("Started between"))
    sex = sex_filter("worker__sex")
    age_band = django_filters.ChoiceFilter(
        label=_("Age band"),
        choices=[(f"{low}–{high}", f"{low}–{high}") for low, high in AGE_BANDS],
        method="filter_age_band",
        empty_label=_("All"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATES, method="filter_state", empty_label=_("All")
    )

    def filter_age_band(self, queryset, name, value):
        low, high = (int(part) for part in value.split("–"))
        return queryset.filter(age__gte=low, age__lte=high)

    def filter_state(self, queryset, name, value):
        ended = Q(end_date__lt=timezone.localdate())
        return queryset.filter(ended) if value == "ended" else queryset.exclude(ended)


class WorkRecordFilter(FigureFilter):
    neighbourhood = neighbourhood_filter(WorkRecord)
    date = date_filter("date", _("Done between"))
    kind = kind_filter("site__kind", StructureKind.choices, _("Kind of structure"))
    state = kind_filter("site__status", RehabSite.Status.choices, _("Site status"))


class ForumSessionFilter(FigureFilter):
    neighbourhood = neighbourhood_filter(ForumSession)
    date = date_filter("held_on", _("Held between"))
    kind = kind_filter("kind", ForumSession.Kind.choices)


class StructureFilter(FigureFilter):
    STATES = [("none", _("No site yet")), *RehabSite.Status.choices]

    neighbourhood = neighbourhood_filter(StructurePriority)
    date = date_filter("session__held_on", _("Prioritised between"))
    kind = kind_filter("kind", StructureKind.choices, _("Kind of structure"))
    state = django_filters.ChoiceFilter(
        label=_("Site status"), choices=STATES, method="filter_state", empty_label=_("All")
    )

    def filter_state(self, queryset, name, value):
        if value == "none":
            return queryset.filter(site__isnull=True)
        return queryset.filter(site__status=value)


class BeneficiaryFilter(FigureFilter):
    STATES = [("with_job", _("With a job")), ("without_job", _("Without a job"))]

    neighbourhood = neighbourhood_filter(Beneficiary)
    date = date_filter("selected_on", _("Selected between"))
    sex = sex_filter("sex")
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATES, method="filter_state", empty_label=_("All")
    )

    def filter_state(self, queryset, name, value):
        has_job = Exists(Job.objects.filter(worker=OuterRef("pk")))
        return queryset.filter(has_job) if value == "with_job" else queryset.filter(~has_job)


class EscServiceFilter(FigureFilter):
    neighbourhood = neighbourhood_filter(EscService)
    date = date_filter("delivered_on", _("Delivered between"))
    kind = kind_filter("kind", EscService.Kind.choices)


FILTERS: dict[str, type[FigureFilter]] = {
    "businesses": BusinessFilter,
    "youth_jobs": YouthJobFilter,
    "rehabilitated_m2": WorkRecordFilter,
    "forum_sessions": ForumSessionFilter,
    "structures": StructureFilter,
    "beneficiaries": BeneficiaryFilter,
    "esc_services": EscServiceFilter,
}
