"""The world one generated project holds: which rows, how many, and their deterministic values.

A `ProjectWorld` draws from its own seeded generator, kind by kind in a fixed order of steps
(`STEPS`), so the same seed gives the same rows whatever the number of projects written
together. Each step returns the rows it made, by model, for the writer to insert; the next step
may refer to them once they are written.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User

from beneficiaries.models import Beneficiary
from demo.content import (
    ACTIVITIES,
    SELECTION_REASON,
    SITE_WORKER_ROLE,
    STRUCTURES,
    TARGETS,
    WORK_NOTES,
    review_moment,
)
from enterprises.models import Business, EnterpriseServiceCentre, EscService, Job
from fora.models import BeneficiarySelection, CommunityForum, ForumSession, StructurePriority
from programs.models import (
    Neighbourhood,
    Organisation,
    Partnership,
    Project,
    ReviewState,
    Target,
    TargetSplit,
)
from rehab.models import RehabSite, WorkRecord

from .places import FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES

FIRST_START = datetime.date(2014, 4, 1)
#: Project starts are spread over ten years from FIRST_START; records fall within 600 days of the
#: start, so every date is fixed (deterministic) and in the past.
START_SPREAD_DAYS = 3650
CODE_PREFIX = "gen-"

# Per project, as in the ESC project: 16 businesses, 114 jobs, 4 000 m² over 4 sites.
PEOPLE_PER_HOOD = 50
OWNERS_PER_HOOD = 8
JOBS_PER_HOOD = 57
SITES_PER_HOOD = 2
WORK_RECORDS_PER_SITE = 5
SELECTED_PER_HOOD = 36

Rows = dict[type, list]


def project_code(index: int) -> str:
    return f"{CODE_PREFIX}{index:05d}"


def project_start(index: int) -> datetime.date:
    return FIRST_START + datetime.timedelta(days=(index * 7919) % START_SPREAD_DAYS)


def offset(rng: random.Random) -> Decimal:
    """A site a few hundred metres from its neighbourhood's centroid."""
    return Decimal(rng.randint(-300, 300)) / 100000


def review_state(rng: random.Random) -> str:
    """Mostly verified: 85 % verified, 7 % submitted, 4 % returned, 4 % drafts."""
    draw = rng.random()
    if draw < 0.85:
        return ReviewState.VERIFIED
    if draw < 0.92:
        return ReviewState.SUBMITTED
    if draw < 0.96:
        return ReviewState.RETURNED
    return ReviewState.DRAFT


@dataclass
class Hood:
    """One neighbourhood of a generated project and the rows made in it so far."""

    place: Neighbourhood
    forum: CommunityForum
    centre: EnterpriseServiceCentre | None = None
    people: list[Beneficiary] = field(default_factory=list)
    sessions: list[ForumSession] = field(default_factory=list)
    priorities: list[StructurePriority] = field(default_factory=list)
    businesses: list[Business] = field(default_factory=list)
    sites: list[RehabSite] = field(default_factory=list)


class ProjectWorld:
    """Generated project number `index`, shaped like the ESC project, in two neighbourhoods."""

    def __init__(
        self,
        index: int,
        *,
        seed: int,
        partnership: Partnership,
        places: tuple[Neighbourhood, Neighbourhood],
        fora: dict[int, CommunityForum],
        operator: Organisation,
        reviewer: User,
    ) -> None:
        self.index = index
        self.rng = random.Random(f"{seed}-{index}")
        self.operator = operator
        self.reviewer = reviewer
        self.hoods = [Hood(place, fora[place.pk]) for place in places]
        a, b = places
        start = project_start(index)
        self.project = Project(
            partnership=partnership,
            code=project_code(index),
            title=f"Enterprise Service Centres in {a.name} and {b.name} ({a.city})",
            title_fr=f"Centres de services aux entreprises à {a.name} et {b.name} ({a.city})",
            description="Technical assistance to micro and small enterprises, youth employment "
            "and infrastructure rehabilitation in two violence-prone neighbourhoods.",
            launched_on=start,
            start_date=start,
            end_date=start + datetime.timedelta(days=730),
            status=Project.Status.IMPLEMENTATION,
        )

    def reviewed(self, day: datetime.date) -> dict:
        state = review_state(self.rng)
        if state == ReviewState.DRAFT:
            return {"review_state": state}
        return {
            "review_state": state,
            "review_changed_at": review_moment(day),
            "review_changed_by": self.reviewer if state != ReviewState.SUBMITTED else None,
        }

    # --- rows without draws --------------------------------------------------------------------
    def targets(self) -> list[Target]:
        p = self.project
        return [
            Target(project=p, indicator=indicator, value=Decimal(value), due_date=p.end_date)
            for indicator, value in TARGETS
        ]

    def splits(self, targets: list[Target]) -> list[TargetSplit]:
        """Each target halved between the two neighbourhoods."""
        return [
            TargetSplit(target=t, neighbourhood=hood.place, value=t.value / 2)
            for t in targets
            for hood in self.hoods
        ]

    # --- the steps, in the order of the draws --------------------------------------------------
    def people_and_sessions(self) -> Rows:
        """Per neighbourhood: the centre, 50 people, three forum sessions."""
        rows: Rows = {EnterpriseServiceCentre: [], Beneficiary: [], ForumSession: []}
        p, rng, i = self.project, self.rng, self.index
        for h, hood in enumerate(self.hoods):
            hood.centre = EnterpriseServiceCentre(
                name=f"ESC {hood.place.name} ({p.code})",
                project=p,
                neighbourhood=hood.place,
                operator=self.operator,
                opened_on=p.start_date + datetime.timedelta(days=rng.randint(10, 40)),
            )
            for n in range(PEOPLE_PER_HOOD):
                sex = "F" if rng.random() < 0.45 else "M"
                # 18 years and a month to 30 at the project's start: every job is legal.
                born = p.start_date - datetime.timedelta(days=6610 + int(rng.betavariate(1.3, 3) * 4300))
                hood.people.append(
                    Beneficiary(
                        code=f"G{i:05d}-{h}{n:03d}",
                        first_name=rng.choice(FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M),
                        last_name=rng.choice(LAST_NAMES),
                        sex=sex,
                        date_of_birth=born,
                        neighbourhood=hood.place,
                        phone=f"+509 3{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                        if rng.random() < 0.8
                        else "",
                        consent_given=True,
                        consent_date=p.start_date + datetime.timedelta(days=rng.randint(20, 60)),
                    )
                )
            for s, kind in enumerate(
                (
                    ForumSession.Kind.SENSITIZATION,
                    ForumSession.Kind.INFORMATION,
                    ForumSession.Kind.CONSULTATION,
                )
            ):
                held = p.start_date + datetime.timedelta(days=7 + 7 * s + 3 * h)
                women, men = rng.randint(15, 45), rng.randint(15, 45)
                hood.sessions.append(
                    ForumSession(
                        forum=hood.forum,
                        project=p,
                        kind=kind,
                        held_on=held,
                        women=women,
                        men=men,
                        youth=rng.randint(0, women + men),
                        **self.reviewed(held),
                    )
                )
            rows[EnterpriseServiceCentre].append(hood.centre)
            rows[Beneficiary] += hood.people
            rows[ForumSession] += hood.sessions
        return rows

    def priorities(self) -> Rows:
        """The consultation ranks three structures and selects 36 people (after the owners)."""
        rows: Rows = {StructurePriority: [], BeneficiarySelection: []}
        for hood in self.hoods:
            consultation = hood.sessions[-1]
            for rank, (label, kind) in enumerate(STRUCTURES, start=1):
                hood.priorities.append(
                    StructurePriority(
                        session=consultation,
                        name=f"{label} — {hood.place.name}",
                        kind=kind,
                        rank=rank,
                        estimated_area_m2=Decimal(self.rng.randint(8, 12) * 100),
                    )
                )
            rows[StructurePriority] += hood.priorities
            rows[BeneficiarySelection] += [
                BeneficiarySelection(session=consultation, beneficiary=person, reason=SELECTION_REASON)
                for person in hood.people[OWNERS_PER_HOOD : OWNERS_PER_HOOD + SELECTED_PER_HOOD]
            ]
        return rows

    def businesses(self) -> Rows:
        """Eight businesses per neighbourhood, owned by its first people."""
        rng, i = self.rng, self.index
        for h, hood in enumerate(self.hoods):
            for n in range(OWNERS_PER_HOOD):
                activity = ACTIVITIES[(n + 5 * h + i) % len(ACTIVITIES)]
                formed = self.project.start_date + datetime.timedelta(days=rng.randint(60, 240))
                hood.businesses.append(
                    Business(
                        name=f"{activity} {hood.place.name} {n + 1}",
                        owner=hood.people[n],
                        centre=hood.centre,
                        neighbourhood=hood.place,
                        size=rng.choice(["micro", "micro", "micro", "small", "medium"]),
                        activity=activity,
                        formed_on=formed,
                        status="closed" if rng.random() < 0.05 else rng.choice(["created", "operating"]),
                        **self.reviewed(formed),
                    )
                )
        return {Business: [b for hood in self.hoods for b in hood.businesses]}

    def services(self) -> Rows:
        """A training simulation, then management advice, for every business."""
        services = []
        for hood in self.hoods:
            for business in hood.businesses:
                for k, kind in enumerate(("training_simulation", "management_advice")):
                    day = business.formed_on + datetime.timedelta(days=self.rng.randint(5, 30) + 40 * k)
                    services.append(
                        EscService(
                            centre=business.centre,
                            business=business,
                            kind=kind,
                            delivered_on=day,
                            participants=self.rng.randint(1, 6),
                            **self.reviewed(day),
                        )
                    )
        return {EscService: services}

    def sites(self) -> Rows:
        """The two first-ranked structures of each neighbourhood, contracted to its first businesses."""
        rng = self.rng
        for hood in self.hoods:
            place = hood.place
            for s in range(SITES_PER_HOOD):
                priority = hood.priorities[s]
                hood.sites.append(
                    RehabSite(
                        project=self.project,
                        neighbourhood=place,
                        name=priority.name,
                        kind=priority.kind,
                        planned_area_m2=priority.estimated_area_m2,
                        latitude=None if place.latitude is None else place.latitude + offset(rng),
                        longitude=None if place.latitude is None else place.longitude + offset(rng),
                        priority=priority,
                        contractor=hood.businesses[s],
                        status=RehabSite.Status.IN_PROGRESS,
                    )
                )
        return {RehabSite: [site for hood in self.hoods for site in hood.sites]}

    def work_and_jobs(self) -> Rows:
        """Per neighbourhood: the work on its sites, then its 57 jobs."""
        rows: Rows = {WorkRecord: [], Job: []}
        for hood in self.hoods:
            for site in hood.sites:
                rows[WorkRecord] += self.work(site)
            rows[Job] += self.jobs(hood.people[OWNERS_PER_HOOD:], hood.businesses, hood.sites)
        return rows

    def work(self, site: RehabSite) -> list[WorkRecord]:
        """About 60 % of the plan, in five records of 8 to 16 % each."""
        rng = self.rng
        records = []
        day = site.contractor.formed_on + datetime.timedelta(days=rng.randint(10, 40))
        for _w in range(WORK_RECORDS_PER_SITE):
            share = Decimal(rng.randint(8, 16)) / 100
            records.append(
                WorkRecord(
                    site=site,
                    date=day,
                    completed_area_m2=(site.planned_area_m2 * share).quantize(Decimal("0.01")),
                    latitude=site.latitude,
                    longitude=site.longitude,
                    notes=WORK_NOTES,
                    **self.reviewed(day),
                )
            )
            day += datetime.timedelta(days=rng.randint(7, 21))
        return records

    def jobs(self, workers: list, businesses: list, sites: list) -> list[Job]:
        """57 jobs for 42 people: everyone has one, 15 of them a second one after the first ended."""
        rng = self.rng
        jobs = []
        second = set(rng.sample(range(len(workers)), JOBS_PER_HOOD - len(workers)))
        for n, worker in enumerate(workers):
            business = businesses[n % len(businesses)]
            start = business.formed_on + datetime.timedelta(days=rng.randint(1, 90))
            spells = 2 if n in second else 1
            for spell in range(spells):
                on_site = rng.random() < 0.5
                site = sites[n % len(sites)] if on_site else None
                ends = spell < spells - 1 or rng.random() < 0.3
                end = start + datetime.timedelta(days=rng.randint(60, 180)) if ends else None
                jobs.append(
                    Job(
                        business=business,
                        worker=worker,
                        role=SITE_WORKER_ROLE if site else rng.choice(["Aide", "Apprenti", "Vendeur"]),
                        start_date=start,
                        end_date=end,
                        is_rehab_work=on_site,
                        site=site,
                        **self.reviewed(start),
                    )
                )
                if end is not None:
                    start = end + datetime.timedelta(days=rng.randint(1, 45))
                    business = businesses[(n + spell + 1) % len(businesses)]
        return jobs


#: The steps of every project, in the order the writer inserts their rows.
STEPS = (
    ProjectWorld.people_and_sessions,
    ProjectWorld.priorities,
    ProjectWorld.businesses,
    ProjectWorld.services,
    ProjectWorld.sites,
    ProjectWorld.work_and_jobs,
)
