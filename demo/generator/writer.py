"""Writes the generated world in bulk: the shared rows once, then the projects chunk by chunk.

Every row obeys the domain rules that the PostgreSQL triggers enforce (dates between the
partnership's signing and today, workers 18 or older on rehabilitation work, no overlapping jobs,
work within a site's plan), so the inserts go through the triggers unchanged. Project codes are
`gen-00000`, `gen-00001`, …: a second run over codes that exist is refused.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from demo.content import FORUM_LOCAL_GROUPS, ILO_DEFAULTS, ILO_NAME, SIGNED_ON, forum_name
from enterprises.models import Business, EscService, Job
from fora.models import CommunityForum, ForumSession
from programs import roles
from programs.models import (
    Neighbourhood,
    Organisation,
    Partnership,
    Project,
    ReviewEvent,
    ReviewState,
    Target,
    TargetSplit,
)
from progress.services import progress_recompute
from rehab.models import WorkRecord

from .places import COUNTRIES, country_of, hoods_of
from .world import CODE_PREFIX, STEPS, ProjectWorld, project_code

BATCH = 2000
#: Projects written per round: bounds the memory the generator holds.
CHUNK = 50
GENERATOR_USERNAME = "generator.reviewer"
#: The field records that carry a review state, in the order their return events are written.
REVIEWED_MODELS = (ForumSession, Business, EscService, WorkRecord, Job)
RETURN_COMMENT = "Please attach the attendance sheet and check the date."


class GeneratedDataExists(Exception):
    """The database already holds some of the projects this run would create."""


@dataclass
class Report:
    scale: int
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0


class Writer:
    def __init__(self, *, seed: int = 2014) -> None:
        self.seed = seed
        self.counts: Counter = Counter()

    def bulk(self, model, rows: list) -> list:
        if rows:
            model.objects.bulk_create(rows, batch_size=BATCH)
            self.counts[model._meta.label] += len(rows)
        return rows

    # --- shared rows -------------------------------------------------------------------------
    def prepare(self) -> None:
        """The ILO, each mission and their units, one partnership per country, the reviewer."""
        ilo, _ = Organisation.objects.get_or_create(name=ILO_NAME, defaults=ILO_DEFAULTS)
        self.ilo_unit = {}
        self.mission_unit = {}
        self.partnership = {}
        for iso, country, (mission_name, acronym), cities in COUNTRIES:
            mission, _ = Organisation.objects.get_or_create(
                name=mission_name,
                defaults={
                    "acronym": acronym,
                    "kind": Organisation.Kind.PEACEKEEPING_MISSION,
                    "iati_type": 40,
                },
            )
            self.ilo_unit[iso], _ = Organisation.objects.get_or_create(
                name=f"ILO {country}", defaults={"kind": Organisation.Kind.UNIT, "parent": ilo}
            )
            self.mission_unit[iso], _ = Organisation.objects.get_or_create(
                name=f"Community Violence Reduction section, {acronym}",
                defaults={"acronym": "CVR", "kind": Organisation.Kind.UNIT, "parent": mission},
            )
            partnership, created = Partnership.objects.get_or_create(
                title=f"Partnership between the ILO and {acronym} ({country})",
                defaults={"instrument": Partnership.Instrument.LETTER_OF_INTENT, "signed_on": SIGNED_ON,
                          "place": cities[0][0]},
            )  # fmt: skip
            if created:
                partnership.parties.set([ilo, mission])
            self.partnership[iso] = partnership
        reviewer = User.objects.filter(username=GENERATOR_USERNAME).first()
        if reviewer is None:
            reviewer = User(username=GENERATOR_USERNAME, is_active=False)
            reviewer.set_unusable_password()
            reviewer.save()
            group = Group.objects.filter(name=roles.ILO_MANAGERS).first()
            if group is not None:
                reviewer.groups.add(group)
        self.reviewer = reviewer

    def neighbourhoods(self, indexes: Iterable[int]) -> dict[tuple[str, str], Neighbourhood]:
        specs = {(s.name, s.city): s for i in indexes for s in hoods_of(i)}
        existing = {
            (n.name, n.city): n
            for n in Neighbourhood.objects.filter(
                name__in={k[0] for k in specs}, city__in={k[1] for k in specs}
            )
        }
        missing = [
            Neighbourhood(
                name=s.name, city=s.city, country=s.country, latitude=s.latitude, longitude=s.longitude
            )
            for key, s in specs.items()
            if key not in existing
        ]
        self.bulk(Neighbourhood, missing)
        existing.update({(n.name, n.city): n for n in missing})
        return existing

    def fora(self, hoods: Iterable[Neighbourhood]) -> dict[int, CommunityForum]:
        hoods = list(hoods)
        found = {f.neighbourhood_id: f for f in CommunityForum.objects.filter(neighbourhood__in=hoods)}
        missing = [
            CommunityForum(neighbourhood=hood, name=forum_name(hood.name), local_groups=FORUM_LOCAL_GROUPS)
            for hood in hoods
            if hood.pk not in found
        ]
        self.bulk(CommunityForum, missing)
        found.update({f.neighbourhood_id: f for f in missing})
        return found

    # --- one chunk of projects -----------------------------------------------------------------
    def chunk(self, indexes: list[int]) -> None:
        worlds = self.worlds(indexes)
        self.projects(worlds)
        written: dict[type, list] = {}
        for step in STEPS:
            batches: dict[type, list] = {}
            for world in worlds:
                for model, rows in step(world).items():
                    batches.setdefault(model, []).extend(rows)
            for model, rows in batches.items():
                written.setdefault(model, []).extend(self.bulk(model, rows))
        self.review_events(written)

    def worlds(self, indexes: list[int]) -> list[ProjectWorld]:
        hoods = self.neighbourhoods(indexes)
        places = {i: tuple(hoods[(s.name, s.city)] for s in hoods_of(i)) for i in indexes}
        fora = self.fora(place for pair in places.values() for place in pair)
        return [
            ProjectWorld(
                i,
                seed=self.seed,
                partnership=self.partnership[country_of(i)[0]],
                places=places[i],
                fora=fora,
                operator=self.ilo_unit[country_of(i)[0]],
                reviewer=self.reviewer,
            )
            for i in indexes
        ]

    def projects(self, worlds: list[ProjectWorld]) -> None:
        """The projects, their neighbourhoods and units, and their targets split per neighbourhood."""
        self.bulk(Project, [w.project for w in worlds])
        Through = Project.neighbourhoods.through
        Units = Project.implementing_units.through
        self.bulk(
            Through, [Through(project=w.project, neighbourhood=h.place) for w in worlds for h in w.hoods]
        )
        self.bulk(
            Units,
            [
                Units(project=w.project, organisation=unit)
                for w in worlds
                for unit in (self.ilo_unit[country_of(w.index)[0]], self.mission_unit[country_of(w.index)[0]])
            ],
        )
        targets = [w.targets() for w in worlds]
        self.bulk(Target, [t for per_project in targets for t in per_project])
        self.bulk(TargetSplit, [s for w, ts in zip(worlds, targets, strict=True) for s in w.splits(ts)])

    def review_events(self, written: dict[type, list]) -> None:
        """The return of each returned record, as the review workflow would have written it."""
        events = []
        for model in REVIEWED_MODELS:
            content_type = ContentType.objects.get_for_model(model)
            events += [
                ReviewEvent(
                    content_type=content_type,
                    object_id=row.pk,
                    from_state=ReviewState.SUBMITTED,
                    to_state=ReviewState.RETURNED,
                    by=self.reviewer,
                    at=row.review_changed_at,
                    comment=RETURN_COMMENT,
                )
                for row in written.get(model, [])
                if row.review_state == ReviewState.RETURNED
            ]
        self.bulk(ReviewEvent, events)


def generated_codes(first: int, scale: int) -> list[str]:
    return [project_code(i) for i in range(first, first + scale)]


def generate(
    *, scale: int, seed: int = 2014, first: int = 0, log: Callable[[str], None] | None = None
) -> Report:
    """Create `scale` projects (indexes first … first + scale − 1) with their records, in one
    transaction, then recompute the progress of every project once and refresh the planner's
    statistics. Refuses (GeneratedDataExists) when any of these projects exists already."""
    if scale < 1:
        raise ValueError("The scale must be at least 1.")
    log = log or (lambda message: None)
    started = time.monotonic()
    codes = generated_codes(first, scale)
    clash = Project.objects.filter(code__in=codes).order_by("code").values_list("code", flat=True)[:3]
    if clash:
        total = Project.objects.filter(code__startswith=CODE_PREFIX).count()
        raise GeneratedDataExists(
            f"This database already holds generated data ({total} projects with codes {CODE_PREFIX}…, "
            f"e.g. {', '.join(clash)}); generate_data runs once per database. "
            "Use a fresh database (createdb) to generate again."
        )
    writer = Writer(seed=seed)
    with transaction.atomic():
        writer.prepare()
        indexes = list(range(first, first + scale))
        for at in range(0, len(indexes), CHUNK):
            writer.chunk(indexes[at : at + CHUNK])
            done = min(at + CHUNK, len(indexes))
            log(f"{done}/{len(indexes)} projects written ({time.monotonic() - started:.0f} s)")
    log("recomputing progress of every project")
    progress_recompute(reason="generated")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Report(scale=scale, counts=writer.counts, seconds=time.monotonic() - started)
