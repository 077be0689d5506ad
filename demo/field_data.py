"""The demo's sample of field records, per neighbourhood, below the targets and mostly verified.

Each neighbourhood draws from its own seeded generator, in a fixed order of steps: the same rows
on every load. Rows are made through the loader's `ensure` (found by natural key, else validated
and created).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import User

from beneficiaries.models import Beneficiary
from enterprises.models import Business, EnterpriseServiceCentre, EscService, Job
from fora.models import BeneficiarySelection, CommunityForum, ForumSession, StructurePriority
from programs import roles
from programs.models import Neighbourhood, Organisation, Project, ReviewState
from rehab.models import RehabSite, WorkRecord

from .content import (
    ACTIVITIES,
    DEMO_REVIEWER,
    DEMO_USERS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    FORUM_LOCAL_GROUPS,
    LAST_NAMES,
    SELECTION_REASON,
    SESSION_NOTES,
    SITE_WORKER_ROLE,
    STRUCTURE_AREAS,
    STRUCTURES,
    WORK_NOTES,
    forum_name,
    review_moment,
)

Ensure = Callable[..., object]

#: Per neighbourhood: 45 people, 36 of them selected; 5 businesses (10 of the 16 targeted);
#: 36 jobs (72 of the 114 targeted), one per person after the owners.
PEOPLE = 45
SELECTED = 36
BUSINESSES = 5
JOBS = 36
WORK_RECORDS_PER_SITE = 5


def load_field_data(project: Project, *, ensure: Ensure, operator: Organisation) -> None:
    for hood_index, hood in enumerate(project.neighbourhoods.order_by("name")):
        NeighbourhoodSample(project, hood, hood_index, ensure=ensure, operator=operator).load()


def reviewed(state: str, when: datetime.date, author: User | None = None) -> dict:
    """Review fields for a record in `state`, entered by the neighbourhood's demo field staff and
    reviewed by the demo manager, when there are such users (so a returned record has someone to
    tell)."""
    if state == ReviewState.DRAFT:
        return {"review_state": state, "created_by": author}
    manager = User.objects.filter(username=DEMO_REVIEWER).first()
    return {
        "created_by": author,
        "review_state": state,
        "review_changed_at": review_moment(when),
        "review_changed_by": manager if state in (ReviewState.VERIFIED, ReviewState.RETURNED) else None,
    }


def field_staff_of(hood_name: str) -> list[str]:
    return [
        name
        for name, _pw, role, hoods, _staff in DEMO_USERS
        if role == roles.FIELD_STAFF and hood_name in hoods
    ]


def state_for(index: int) -> str:
    """Most records verified; every seventh submitted, every eleventh returned."""
    if index % 11 == 10:
        return ReviewState.RETURNED
    if index % 7 == 6:
        return ReviewState.SUBMITTED
    return ReviewState.VERIFIED


class NeighbourhoodSample:
    """The field records of one neighbourhood of the demo project."""

    def __init__(
        self,
        project: Project,
        hood: Neighbourhood,
        hood_index: int,
        *,
        ensure: Ensure,
        operator: Organisation,
    ) -> None:
        self.project = project
        self.hood = hood
        self.hood_index = hood_index
        self.ensure = ensure
        self.operator = operator
        self.rng = random.Random(f"{hood.name}-2014")
        self.prefix = "BA" if hood.name == "Bel Air" else "FN"
        self.author = User.objects.filter(username__in=field_staff_of(hood.name)).order_by("username").first()

    def load(self) -> None:
        centre = self.ensure(
            EnterpriseServiceCentre,
            {"name": f"ESC {self.hood.name}"},
            {
                "project": self.project,
                "neighbourhood": self.hood,
                "operator": self.operator,
                "opened_on": datetime.date(2014, 5, 5),
            },
        )
        forum = self.ensure(
            CommunityForum,
            {"neighbourhood": self.hood, "name": forum_name(self.hood.name)},
            {"local_groups": FORUM_LOCAL_GROUPS},
        )
        people = self.people()
        consultation = self.sessions(forum)[-1]
        sites = self.priorities_and_sites(consultation)
        for person in people[:SELECTED]:
            self.ensure(
                BeneficiarySelection,
                {"session": consultation, "beneficiary": person},
                {"reason": SELECTION_REASON},
            )
        businesses = self.businesses(centre, people)
        for index, site in enumerate(sites):
            if site.contractor_id is None:
                site.contractor = businesses[index]
                site.full_clean()
                site.save(update_fields=["contractor"])
        self.jobs(people, businesses, sites)
        self.work(sites)
        self.services(centre, businesses)

    def people(self) -> list[Beneficiary]:
        """18 to 29 years old in mid-2014, all with consent."""
        people = []
        for i in range(1, PEOPLE + 1):
            sex = "F" if i % 5 in (0, 2) else "M"
            first = self.rng.choice(FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M)
            born = datetime.date(1985, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 11 * 365))
            people.append(
                self.ensure(
                    Beneficiary,
                    {"code": f"{self.prefix}-{i:04d}"},
                    {
                        "first_name": first,
                        "last_name": self.rng.choice(LAST_NAMES),
                        "sex": sex,
                        "date_of_birth": born,
                        "neighbourhood": self.hood,
                        "phone": f"+509 3{self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}",
                        "consent_given": True,
                        "consent_date": datetime.date(2014, 5, 20),
                    },
                )
            )
        return people

    def sessions(self, forum: CommunityForum) -> list[ForumSession]:
        """Sensitization, information, then the consultation that ranks structures and selects people."""
        sessions = []
        for kind, day in [
            (ForumSession.Kind.SENSITIZATION, 12),
            (ForumSession.Kind.INFORMATION, 19),
            (ForumSession.Kind.CONSULTATION, 26),
        ]:
            held = datetime.date(2014, 4 + self.hood_index, day)
            women, men = self.rng.randint(20, 45), self.rng.randint(20, 45)
            sessions.append(
                self.ensure(
                    ForumSession,
                    {"forum": forum, "held_on": held, "kind": kind},
                    {
                        "project": self.project,
                        "women": women,
                        "men": men,
                        "youth": (women + men) // 2,
                        "notes": SESSION_NOTES[kind],
                        **reviewed(ReviewState.VERIFIED, held, self.author),
                    },
                )
            )
        return sessions

    def priorities_and_sites(self, consultation: ForumSession) -> list[RehabSite]:
        sites = []
        for rank, ((label, kind), area) in enumerate(zip(STRUCTURES, STRUCTURE_AREAS, strict=True), start=1):
            priority = self.ensure(
                StructurePriority,
                {"session": consultation, "rank": rank},
                {"name": f"{label} — {self.hood.name}", "kind": kind, "estimated_area_m2": area},
            )
            sites.append(
                self.ensure(
                    RehabSite,
                    {"project": self.project, "name": priority.name},
                    {
                        "neighbourhood": self.hood,
                        "kind": kind,
                        "planned_area_m2": area,
                        "priority": priority,
                        "status": RehabSite.Status.IN_PROGRESS,
                    },
                )
            )
        return sites

    def businesses(self, centre: EnterpriseServiceCentre, people: list[Beneficiary]) -> list[Business]:
        """Owned by the first people."""
        businesses = []
        for b in range(BUSINESSES):
            formed = datetime.date(2014, 7, 1) + datetime.timedelta(days=30 * b + 7 * self.hood_index)
            activity = ACTIVITIES[b + BUSINESSES * self.hood_index]
            businesses.append(
                self.ensure(
                    Business,
                    {"centre": centre, "name": f"{activity} {self.hood.name}"},
                    {
                        "owner": people[b],
                        "neighbourhood": self.hood,
                        "size": Business.Size.MICRO if b % 2 else Business.Size.SMALL,
                        "activity": activity,
                        "formed_on": formed,
                        "status": Business.Status.OPERATING,
                        **reviewed(state_for(b + 3 * self.hood_index), formed, self.author),
                    },
                )
            )
        return businesses

    def jobs(self, people: list[Beneficiary], businesses: list[Business], sites: list[RehabSite]) -> None:
        """One per person after the owners, staggered starts, every other one on a site."""
        for j, person in enumerate(people[BUSINESSES : BUSINESSES + JOBS]):
            business = businesses[j % len(businesses)]
            start = max(business.formed_on, datetime.date(2014, 8, 1)) + datetime.timedelta(days=3 * j)
            site = sites[j % len(sites)] if j % 2 == 0 else None
            self.ensure(
                Job,
                {"worker": person, "business": business, "start_date": start},
                {
                    "role": SITE_WORKER_ROLE if site else "Aide",
                    "is_rehab_work": site is not None,
                    "site": site,
                    "end_date": start + datetime.timedelta(days=180) if j % 4 == 0 else None,
                    **reviewed(state_for(j), start, self.author),
                },
            )

    def work(self, sites: list[RehabSite]) -> None:
        """About 60 % of each planned area, in five records."""
        for index, site in enumerate(sites):
            share = site.planned_area_m2 * Decimal("0.12")
            for w in range(WORK_RECORDS_PER_SITE):
                day = datetime.date(2014, 10, 6) + datetime.timedelta(days=14 * w + index)
                self.ensure(
                    WorkRecord,
                    {"site": site, "date": day},
                    {
                        "completed_area_m2": share.quantize(Decimal("0.01")),
                        "notes": WORK_NOTES,
                        **reviewed(state_for(w + index), day, self.author),
                    },
                )

    def services(self, centre: EnterpriseServiceCentre, businesses: list[Business]) -> None:
        """Training simulations and advice."""
        for s, business in enumerate(businesses):
            for kind_index, kind in enumerate(EscService.Kind.values):
                day = business.formed_on + datetime.timedelta(days=10 + 20 * kind_index)
                self.ensure(
                    EscService,
                    {"centre": centre, "business": business, "kind": kind, "delivered_on": day},
                    {
                        "participants": 1 + (s + kind_index) % 4,
                        **reviewed(state_for(s + kind_index), day, self.author),
                    },
                )
