"""Filters of the list endpoints (django-filter): by review state, place, project and date range.

Foreign keys are filtered by id as plain numbers, so that a filter never tells whether a row
the user may not see exists; the list itself is already scoped.
"""

from __future__ import annotations

import django_filters as filters
from django.core.exceptions import ValidationError

from beneficiaries.models import Beneficiary
from enterprises.models import Business, EscService, Job
from fora.models import ForumSession
from programs import access
from programs.ids import IdField, moment_errors
from programs.models import Project, ReviewState, Target
from progress.models import ProgressSnapshot
from rehab.models import RehabSite, WorkRecord


class IdFilter(filters.NumberFilter):
    """A filter by record id: out of range or not a number answers 400 with a message, never a
    query the database cannot run (SQLite's integers overflow past 2**63 − 1)."""

    field_class = IdField


class MomentField(filters.fields.IsoDateTimeField):
    def clean(self, value):
        moment = super().clean(value)
        if message := moment_errors(moment):
            raise ValidationError(message, code="invalid")
        return moment


class MomentFilter(filters.IsoDateTimeFilter):
    """A filter by date and time (ISO 8601), refused with a message when the database could not
    compare it (an offset of +20:00 is a 500 in PostgreSQL otherwise)."""

    field_class = MomentField


class FieldRecordFilter(filters.FilterSet):
    review_state = filters.ChoiceFilter(choices=ReviewState.choices)
    neighbourhood = IdFilter(method="filter_neighbourhood", label="neighbourhood id")

    def filter_neighbourhood(self, queryset, name, value):
        # The path each model declares once (`programs.access.neighbourhood_path`).
        return queryset.filter(**{f"{access.neighbourhood_path(queryset.model)}_id": value})


def on_or_after(field: str) -> filters.DateFilter:
    return filters.DateFilter(field_name=field, lookup_expr="gte", label=f"{field} on or after")


def on_or_before(field: str) -> filters.DateFilter:
    return filters.DateFilter(field_name=field, lookup_expr="lte", label=f"{field} on or before")


class ForumSessionFilter(FieldRecordFilter):
    project = IdFilter(field_name="project_id")
    forum = IdFilter(field_name="forum_id")
    kind = filters.ChoiceFilter(choices=ForumSession.Kind.choices)
    held_on_after = on_or_after("held_on")
    held_on_before = on_or_before("held_on")

    class Meta:
        model = ForumSession
        fields = []


class BusinessFilter(FieldRecordFilter):
    centre = IdFilter(field_name="centre_id")
    project = IdFilter(field_name="centre__project_id")
    status = filters.ChoiceFilter(choices=Business.Status.choices)
    size = filters.ChoiceFilter(choices=Business.Size.choices)
    formed_on_after = on_or_after("formed_on")
    formed_on_before = on_or_before("formed_on")

    class Meta:
        model = Business
        fields = []


class JobFilter(FieldRecordFilter):
    business = IdFilter(field_name="business_id")
    site = IdFilter(field_name="site_id")
    project = IdFilter(field_name="business__centre__project_id")
    is_rehab_work = filters.BooleanFilter()
    start_date_after = on_or_after("start_date")
    start_date_before = on_or_before("start_date")

    class Meta:
        model = Job
        fields = []


class EscServiceFilter(FieldRecordFilter):
    centre = IdFilter(field_name="centre_id")
    business = IdFilter(field_name="business_id")
    kind = filters.ChoiceFilter(choices=EscService.Kind.choices)
    delivered_on_after = on_or_after("delivered_on")
    delivered_on_before = on_or_before("delivered_on")

    class Meta:
        model = EscService
        fields = []


class WorkRecordFilter(FieldRecordFilter):
    site = IdFilter(field_name="site_id")
    project = IdFilter(field_name="site__project_id")
    date_after = on_or_after("date")
    date_before = on_or_before("date")

    class Meta:
        model = WorkRecord
        fields = []


class RehabSiteFilter(filters.FilterSet):
    project = IdFilter(field_name="project_id")
    neighbourhood = IdFilter(field_name="neighbourhood_id")
    kind = filters.ChoiceFilter(choices=RehabSite._meta.get_field("kind").choices)
    status = filters.ChoiceFilter(choices=RehabSite.Status.choices)

    class Meta:
        model = RehabSite
        fields = []


class BeneficiaryFilter(filters.FilterSet):
    neighbourhood = IdFilter(field_name="neighbourhood_id")
    sex = filters.ChoiceFilter(choices=Beneficiary._meta.get_field("sex").choices)

    class Meta:
        model = Beneficiary
        fields = []


class ProjectFilter(filters.FilterSet):
    partnership = IdFilter(field_name="partnership_id")
    status = filters.ChoiceFilter(choices=Project.Status.choices)
    neighbourhood = IdFilter(field_name="neighbourhoods__id", distinct=True)

    class Meta:
        model = Project
        fields = []


class TargetFilter(filters.FilterSet):
    project = IdFilter(field_name="project_id")
    indicator = filters.ChoiceFilter(choices=Target.Indicator.choices)

    class Meta:
        model = Target
        fields = []


class SnapshotFilter(filters.FilterSet):
    as_of_after = MomentFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = MomentFilter(field_name="as_of", lookup_expr="lte")

    class Meta:
        model = ProgressSnapshot
        fields = []
