"""Loads the article's facts exactly, and a deterministic sample of field data below the targets.

Every row is found by its natural key before it is created, so loading twice leaves the
same rows. New rows go through `full_clean()`: demo data obeys the domain rules. The facts
themselves are in `demo.content`, the field records in `demo.field_data`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import models, transaction

from accounts.second_factor import requires_second_factor
from accounts.services import second_factor_ensure
from programs.models import (
    FocusArea,
    Neighbourhood,
    NeighbourhoodAssignment,
    Organisation,
    Partnership,
    Project,
    Signatory,
    Target,
)
from progress.models import Milestone, PeriodNarrative, PeriodState, ReportingPeriod
from progress.period_services import milestone_set, period_transition, reporting_periods_ensure
from progress.services import progress_backfill, progress_recompute

from .content import (
    CVR_NAME,
    DEMO_APPROVED_PERIODS,
    DEMO_APPROVER,
    DEMO_EMAIL_DOMAIN,
    DEMO_IN_REVIEW_PERIOD,
    DEMO_MILESTONES,
    DEMO_NARRATIVES,
    DEMO_REVIEWER,
    DEMO_USERS,
    FOCUS_AREAS,
    ILO_DEFAULTS,
    ILO_NAME,
    MINUSTAH_NAME,
    NEIGHBOURHOODS,
    PARTNERSHIP_SUMMARY,
    PARTNERSHIP_TITLE,
    PROJECT,
    PROJECT_CODE,
    SIGNATORIES,
    SIGNED_ON,
    TARGETS,
)
from .field_data import load_field_data

#: Recovery codes of each demo user printed by `load_demo` (of the ten).
DEMO_RECOVERY_SHOWN = 3

__all__ = ["DEMO_USERS", "PROJECT_CODE", "DemoLoader", "LoadReport", "load_demo"]


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)
    users_refused: bool = False
    #: (username, otpauth:// URI, a few unused recovery codes) of each demo user who signs in
    #: with a second factor.
    second_factors: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def count(self, model: type[models.Model], created: bool) -> None:
        if created:
            name = model._meta.verbose_name_plural
            self.created[str(name)] = self.created.get(str(name), 0) + 1


class DemoLoader:
    def __init__(self) -> None:
        self.report = LoadReport()

    def ensure(self, model, lookup: dict, defaults: dict | None = None, m2m: dict | None = None):
        """Get the row matching `lookup`, or validate and create it."""
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup, **(defaults or {}))
            obj.full_clean()
            obj.save()
            for name, values in (m2m or {}).items():
                getattr(obj, name).set(values)
        self.report.count(model, created)
        return obj

    # --- the article's facts -------------------------------------------------
    def load_facts(self) -> Project:
        ilo = self.ensure(Organisation, {"name": ILO_NAME}, ILO_DEFAULTS)
        minustah = self.ensure(
            Organisation,
            {"name": MINUSTAH_NAME},
            {"acronym": "MINUSTAH", "kind": Organisation.Kind.PEACEKEEPING_MISSION, "iati_type": 40},
        )
        ilo_haiti = self.ensure(
            Organisation, {"name": "ILO Haiti"}, {"kind": Organisation.Kind.UNIT, "parent": ilo}
        )
        cvr = self.ensure(
            Organisation,
            {"name": CVR_NAME},
            {"acronym": "CVR", "kind": Organisation.Kind.UNIT, "parent": minustah},
        )
        areas = [self.ensure(FocusArea, {"code": code}, {"name": name}) for code, name in FOCUS_AREAS]
        partnership = self.ensure(
            Partnership,
            {"title": PARTNERSHIP_TITLE},
            {
                "instrument": Partnership.Instrument.LETTER_OF_INTENT,
                "signed_on": SIGNED_ON,
                "place": "Port-au-Prince",
                "summary": PARTNERSHIP_SUMMARY,
            },
            m2m={"parties": [ilo, minustah], "focus_areas": areas},
        )
        organisations = {"ilo": ilo, "minustah": minustah}
        for name, title, org, role in SIGNATORIES:
            self.ensure(
                Signatory,
                {"partnership": partnership, "name": name},
                {"title": title, "organisation": organisations[org], "role": role},
            )
        hoods = [
            self.ensure(
                Neighbourhood,
                {"name": name, "city": "Port-au-Prince"},
                {"latitude": latitude, "longitude": longitude},
            )
            for name, latitude, longitude in NEIGHBOURHOODS
        ]
        project = self.ensure(
            Project,
            {"code": PROJECT_CODE},
            {"partnership": partnership, **PROJECT, "status": Project.Status.IMPLEMENTATION},
            m2m={"implementing_units": [ilo_haiti, cvr], "neighbourhoods": hoods},
        )
        for indicator, value in TARGETS:
            self.ensure(
                Target,
                {"project": project, "indicator": indicator},
                {"value": Decimal(value), "due_date": project.end_date},
            )
        self.operator = ilo_haiti
        return project

    # --- users ---------------------------------------------------------------
    def load_users(self) -> None:
        if not settings.DEBUG:
            self.report.users_refused = True
            return
        for username, password, group_name, hoods, is_staff in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                user = User(username=username, is_staff=is_staff)
                user.set_password(password)
                user.save()
                user.groups.add(Group.objects.get(name=group_name))
                for hood in hoods:
                    NeighbourhoodAssignment.objects.get_or_create(
                        user=user, neighbourhood=Neighbourhood.objects.get(name=hood)
                    )
            email = f"{username}@{DEMO_EMAIL_DOMAIN}"
            if user.email != email:
                User.objects.filter(pk=user.pk).update(email=email)
            self.report.count(User, created)
            self.report.users.append((username, password, group_name))
            user = User.objects.get(pk=user.pk)  # permissions as given above, not cached
            if requires_second_factor(user):
                device, codes = second_factor_ensure(user=user)
                self.report.second_factors.append((username, device.config_url, codes[:DEMO_RECOVERY_SHOWN]))

    # --- the reporting cycle ---------------------------------------------------
    def load_reporting(self, project: Project) -> None:
        """The project's quarters (2014-Q2 … 2016-Q1) with milestones, the demo manager's
        narratives, two quarters submitted by the manager and approved by the administrator, and
        one submitted and waiting for review: the whole cycle, for a newcomer to see."""
        reporting_periods_ensure(project_ids=[project.pk])
        manager = User.objects.filter(username=DEMO_REVIEWER).first()
        approver = User.objects.filter(username=DEMO_APPROVER).first()
        if manager is None or approver is None:
            return
        periods = {period.code: period for period in ReportingPeriod.objects.filter(project=project)}
        for target in project.targets.all():
            for period, value in zip(
                sorted(periods.values(), key=lambda p: p.start),
                DEMO_MILESTONES.get(target.indicator, []),
                strict=False,
            ):
                if not Milestone.objects.filter(target=target, period=period).exists():
                    milestone_set(target=target, period=period, value=Decimal(value), by=manager)
        for indicator, code, text in DEMO_NARRATIVES:
            self.ensure(
                PeriodNarrative,
                {"period": periods[code], "target": project.targets.get(indicator=indicator)},
                {"text": text, "updated_by": manager},
            )
        # Approved without a PDF: the first download builds and keeps it (no PDF library needed
        # to load the demo).
        for code in DEMO_APPROVED_PERIODS:
            if periods[code].state == PeriodState.OPEN:
                period_transition(period=periods[code], to_state=PeriodState.IN_REVIEW, by=manager)
                period_transition(period=periods[code], to_state=PeriodState.APPROVED, by=approver)
        if periods[DEMO_IN_REVIEW_PERIOD].state == PeriodState.OPEN:
            period_transition(
                period=periods[DEMO_IN_REVIEW_PERIOD], to_state=PeriodState.IN_REVIEW, by=manager
            )


def load_demo() -> LoadReport:
    loader = DemoLoader()
    with transaction.atomic():
        project = loader.load_facts()
        loader.load_users()
        load_field_data(project, ensure=loader.ensure, operator=loader.operator)
        # The records were entered after the fact: rebuild the monthly trend from their dates.
        progress_backfill(project_id=project.pk)
        progress_recompute(project_ids=[project.pk], reason="demo")
        loader.load_reporting(project)
    return loader.report
