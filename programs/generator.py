"""Believable programme data at N times the ESC project, written with bulk inserts.

`generate(scale=N)` creates N projects shaped like the Enterprise Service Centres project (two
neighbourhoods, 16 businesses, 114 jobs, 4 rehabilitation sites, 100 beneficiaries and their
fora, three targets) spread over the UN missions' countries, then recomputes progress once.

Every row obeys the domain rules that the PostgreSQL triggers enforce (dates between the
partnership's signing and today, workers 18 or older on rehabilitation work, no overlapping jobs,
work within a site's plan), so the inserts go through the triggers unchanged. Each project draws
from its own seeded generator: the same scale and seed give the same rows, whatever the chunking.
Project codes are `gen-00000`, `gen-00001`, …: a second run over codes that exist is refused.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from . import roles
from .models import (
    Neighbourhood,
    Organisation,
    Partnership,
    Project,
    ReviewEvent,
    ReviewState,
    Target,
    TargetSplit,
)
from .services import progress_recompute

SIGNED_ON = datetime.date(2014, 3, 27)
FIRST_START = datetime.date(2014, 4, 1)
#: Project starts are spread over ten years from FIRST_START; records fall within 600 days of the
#: start, so every date is fixed (deterministic) and in the past.
START_SPREAD_DAYS = 3650
CODE_PREFIX = "gen-"
BATCH = 2000
#: Projects written per round: bounds the memory the generator holds.
CHUNK = 50
GENERATOR_USERNAME = "generator.reviewer"

# Per project, as in the ESC project: 16 businesses, 114 jobs, 4 000 m² over 4 sites.
PEOPLE_PER_HOOD = 50
OWNERS_PER_HOOD = 8
JOBS_PER_HOOD = 57
SITES_PER_HOOD = 2
WORK_RECORDS_PER_SITE = 5
SELECTED_PER_HOOD = 36

#: (ISO code, country, mission (name, acronym), cities: (city, latitude, longitude, neighbourhoods))
COUNTRIES = [
    (
        "HT",
        "Haiti",
        ("United Nations Stabilization Mission in Haiti", "MINUSTAH"),
        [
            (
                "Port-au-Prince",
                18.547,
                -72.339,
                ["Bel Air", "Fort National", "Martissant", "Cité Soleil", "Carrefour-Feuilles", "Solino"],
            ),
            ("Cap-Haïtien", 19.759, -72.198, ["Shada", "Petite Anse", "Bande du Nord", "Fossette"]),
            ("Gonaïves", 19.447, -72.689, ["Raboteau", "Jubilé", "Bienac", "Descahos"]),
        ],
    ),
    (
        "CD",
        "Democratic Republic of the Congo",
        ("United Nations Organization Stabilization Mission in the DR Congo", "MONUSCO"),
        [
            ("Goma", -1.679, 29.222, ["Katindo", "Mabanga", "Ndosho", "Murara"]),
            ("Bukavu", -2.508, 28.861, ["Panzi", "Kadutu", "Nyawera", "Bagira"]),
        ],
    ),
    (
        "ML",
        "Mali",
        ("United Nations Multidimensional Integrated Stabilization Mission in Mali", "MINUSMA"),
        [
            ("Bamako", 12.639, -8.003, ["Bagadadji", "Niarela", "Sabalibougou", "Kalaban Coura"]),
            ("Gao", 16.272, -0.044, ["Aljanabandja", "Sosso Koira", "Château", "Gadeye"]),
        ],
    ),
    (
        "CF",
        "Central African Republic",
        (
            "United Nations Multidimensional Integrated Stabilization Mission in the Central African "
            "Republic",
            "MINUSCA",
        ),
        [("Bangui", 4.394, 18.558, ["PK5", "Boy-Rabe", "Combattant", "Fatima", "Galabadja", "Boeing"])],
    ),
    (
        "SS",
        "South Sudan",
        ("United Nations Mission in South Sudan", "UNMISS"),
        [("Juba", 4.859, 31.571, ["Gudele", "Munuki", "Hai Malakal", "Gumbo", "Jebel", "Kator"])],
    ),
    (
        "LR",
        "Liberia",
        ("United Nations Mission in Liberia", "UNMIL"),
        [("Monrovia", 6.301, -10.797, ["West Point", "New Kru Town", "Clara Town", "Logan Town"])],
    ),
]

FIRST_NAMES_F = (
    "Marie Roseline Nadège Guerline Widline Fabienne Mirlande Sandra Esther Aminata Fatoumata Grace "
    "Mercy Neema Aline Josiane"
).split()
FIRST_NAMES_M = (
    "Jean Wilson Frantz Ricardo Peterson Wesner Kervens Stanley Moussa Ibrahim Emmanuel Joseph Patrick "
    "Samuel Didier Alain"
).split()
LAST_NAMES = (
    "Joseph Pierre Louis Jean-Baptiste Charles Saint-Fleur Dorval Etienne Traoré Coulibaly Kabila Mukendi "
    "Deng Garang Kollie Doe Ngoma"
).split()
ACTIVITIES = [
    "Masonry and retaining walls",
    "Paving and pedestrian corridors",
    "Carpentry",
    "Welding and metalwork",
    "Landscaping of public spaces",
    "Block making",
    "Painting and finishing",
    "Rubble removal",
    "Plumbing",
    "Street lighting",
    "Tailoring",
    "Food processing",
]
STRUCTURES = [
    ("Mur de soutènement", "retaining_wall"),
    ("Corridor piéton", "pedestrian_corridor"),
    ("Place publique", "public_space"),
]


class GeneratedDataExists(Exception):
    """The database already holds some of the projects this run would create."""


@dataclass
class Report:
    scale: int
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass(frozen=True)
class HoodSpec:
    name: str
    city: str
    country: str
    latitude: Decimal
    longitude: Decimal


def country_of(index: int) -> tuple:
    return COUNTRIES[index % len(COUNTRIES)]


def hoods_of(index: int) -> tuple[HoodSpec, HoodSpec]:
    """The two neighbourhoods of project `index`: same city, unique names programme-wide."""
    iso, _country, _mission, cities = country_of(index)
    k = index // len(COUNTRIES)  # the project's rank within its country
    city, lat, lon, bases = cities[k % len(cities)]
    m = k // len(cities)  # its rank within its city
    specs = []
    for j in (2 * m, 2 * m + 1):
        base, zone = bases[j % len(bases)], j // len(bases) + 1
        name = base if zone == 1 else f"{base} {zone}"
        jitter = Decimal(j % 7) / 1000
        specs.append(
            HoodSpec(
                name,
                city,
                iso,
                Decimal(str(lat)).quantize(Decimal("0.00001")) + jitter,
                Decimal(str(lon)).quantize(Decimal("0.00001")) - jitter,
            )
        )
    return specs[0], specs[1]


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


class Generator:
    def __init__(self, *, seed: int = 2014, log: Callable[[str], None] | None = None) -> None:
        self.seed = seed
        self.log = log or (lambda message: None)
        self.counts: Counter = Counter()
        self.now = timezone.now()

    # --- shared rows -------------------------------------------------------------------------
    def prepare(self) -> None:
        ilo, _ = Organisation.objects.get_or_create(
            name="International Labour Organization",
            defaults={"acronym": "ILO", "kind": Organisation.Kind.UN_AGENCY,
                      "iati_identifier": "XM-DAC-41302", "iati_type": 40},
        )  # fmt: skip
        self.ilo_unit = {}
        self.mission_unit = {}
        self.partnership = {}
        for iso, country, (mission_name, acronym), _cities in COUNTRIES:
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
                          "place": _cities[0][0]},
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

    def fora(self, hoods: Iterable[Neighbourhood]):
        from fora.models import CommunityForum

        hoods = list(hoods)
        found = {f.neighbourhood_id: f for f in CommunityForum.objects.filter(neighbourhood__in=hoods)}
        missing = [
            CommunityForum(
                neighbourhood=hood,
                name=f"Forum communautaire de {hood.name}",
                local_groups="Comité de quartier, association des jeunes, groupement des femmes",
            )
            for hood in hoods
            if hood.pk not in found
        ]
        self.bulk(CommunityForum, missing)
        found.update({f.neighbourhood_id: f for f in missing})
        return found

    def bulk(self, model, rows: list) -> list:
        if rows:
            model.objects.bulk_create(rows, batch_size=BATCH)
            self.counts[model._meta.label] += len(rows)
        return rows

    def reviewed(self, rng: random.Random, day: datetime.date) -> dict:
        state = review_state(rng)
        if state == ReviewState.DRAFT:
            return {"review_state": state}
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 0)))
        return {
            "review_state": state,
            "review_changed_at": moment,
            "review_changed_by": self.reviewer if state != ReviewState.SUBMITTED else None,
        }

    # --- one chunk of projects -----------------------------------------------------------------
    def chunk(self, indexes: list[int]) -> None:
        from enterprises.models import Beneficiary, Business, EnterpriseServiceCentre, EscService, Job
        from fora.models import BeneficiarySelection, ForumSession, StructurePriority
        from rehab.models import RehabSite, WorkRecord

        hoods = self.neighbourhoods(indexes)
        plans = []
        projects = []
        for i in indexes:
            rng = random.Random(f"{self.seed}-{i}")
            a, b = (hoods[(s.name, s.city)] for s in hoods_of(i))
            start = project_start(i)
            iso = country_of(i)[0]
            projects.append(
                Project(
                    partnership=self.partnership[iso],
                    code=f"{CODE_PREFIX}{i:05d}",
                    title=f"Enterprise Service Centres in {a.name} and {b.name} ({a.city})",
                    title_fr=f"Centres de services aux entreprises à {a.name} et {b.name} ({a.city})",
                    description="Technical assistance to micro and small enterprises, youth employment "
                    "and infrastructure rehabilitation in two violence-prone neighbourhoods.",
                    launched_on=start,
                    start_date=start,
                    end_date=start + datetime.timedelta(days=730),
                    status=Project.Status.IMPLEMENTATION,
                )
            )
            plans.append((i, rng, (a, b), iso))
        self.bulk(Project, projects)
        fora = self.fora(h for _i, _rng, pair, _iso in plans for h in pair)

        Through = Project.neighbourhoods.through
        Units = Project.implementing_units.through
        self.bulk(
            Through,
            [
                Through(project=p, neighbourhood=h)
                for p, plan in zip(projects, plans, strict=True)
                for h in plan[2]
            ],
        )
        self.bulk(
            Units,
            [
                Units(project=p, organisation=unit)
                for p, plan in zip(projects, plans, strict=True)
                for unit in (self.ilo_unit[plan[3]], self.mission_unit[plan[3]])
            ],
        )
        targets = []
        for p in projects:
            for indicator, value in (
                (Target.Indicator.BUSINESSES, 16),
                (Target.Indicator.YOUTH_JOBS, 114),
                (Target.Indicator.REHABILITATED_AREA, 4000),
            ):
                targets.append(
                    Target(project=p, indicator=indicator, value=Decimal(value), due_date=p.end_date)
                )
        self.bulk(Target, targets)
        self.bulk(
            TargetSplit,
            [
                TargetSplit(target=t, neighbourhood=h, value=t.value / 2)
                for t, plan in zip(targets, [plan for plan in plans for _ in range(3)], strict=True)
                for h in plan[2]
            ],
        )

        # Per neighbourhood of each project: centre, people, sessions, priorities.
        centres, people, sessions, priorities = {}, {}, {}, {}
        rows_centres, rows_people, rows_sessions = [], [], []
        for p, (i, rng, pair, _iso) in zip(projects, plans, strict=True):
            for h, hood in enumerate(pair):
                key = (i, h)
                centres[key] = EnterpriseServiceCentre(
                    name=f"ESC {hood.name} ({p.code})",
                    project=p,
                    neighbourhood=hood,
                    operator=self.ilo_unit[country_of(i)[0]],
                    opened_on=p.start_date + datetime.timedelta(days=rng.randint(10, 40)),
                )
                rows_centres.append(centres[key])
                people[key] = []
                for n in range(PEOPLE_PER_HOOD):
                    sex = "F" if rng.random() < 0.45 else "M"
                    # 18 years and a month to 30 at the project's start: every job is legal.
                    born = p.start_date - datetime.timedelta(days=6610 + int(rng.betavariate(1.3, 3) * 4300))
                    person = Beneficiary(
                        code=f"G{i:05d}-{h}{n:03d}",
                        first_name=rng.choice(FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M),
                        last_name=rng.choice(LAST_NAMES),
                        sex=sex,
                        date_of_birth=born,
                        neighbourhood=hood,
                        phone=f"+509 3{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                        if rng.random() < 0.8
                        else "",
                        consent_given=True,
                        consent_date=p.start_date + datetime.timedelta(days=rng.randint(20, 60)),
                    )
                    people[key].append(person)
                    rows_people.append(person)
                sessions[key] = []
                for s, kind in enumerate(
                    (
                        ForumSession.Kind.SENSITIZATION,
                        ForumSession.Kind.INFORMATION,
                        ForumSession.Kind.CONSULTATION,
                    )
                ):
                    held = p.start_date + datetime.timedelta(days=7 + 7 * s + 3 * h)
                    women, men = rng.randint(15, 45), rng.randint(15, 45)
                    session = ForumSession(
                        forum=fora[hood.pk],
                        project=p,
                        kind=kind,
                        held_on=held,
                        women=women,
                        men=men,
                        youth=rng.randint(0, women + men),
                        **self.reviewed(rng, held),
                    )
                    sessions[key].append(session)
                    rows_sessions.append(session)
        self.bulk(EnterpriseServiceCentre, rows_centres)
        self.bulk(Beneficiary, rows_people)
        self.bulk(ForumSession, rows_sessions)

        rows_priorities, rows_selections = [], []
        for i, rng, pair, _iso in plans:
            for h, hood in enumerate(pair):
                consultation = sessions[(i, h)][-1]
                priorities[(i, h)] = []
                for rank, (label, kind) in enumerate(STRUCTURES, start=1):
                    priority = StructurePriority(
                        session=consultation,
                        name=f"{label} — {hood.name}",
                        kind=kind,
                        rank=rank,
                        estimated_area_m2=Decimal(rng.randint(8, 12) * 100),
                    )
                    priorities[(i, h)].append(priority)
                    rows_priorities.append(priority)
                for person in people[(i, h)][OWNERS_PER_HOOD : OWNERS_PER_HOOD + SELECTED_PER_HOOD]:
                    rows_selections.append(
                        BeneficiarySelection(
                            session=consultation,
                            beneficiary=person,
                            reason="Unemployed youth living in the neighbourhood",
                        )
                    )
        self.bulk(StructurePriority, rows_priorities)
        self.bulk(BeneficiarySelection, rows_selections)

        # Businesses (owned by the first people), then the sites they contract and ESC services.
        businesses, rows_businesses, rows_services = {}, [], []
        for p, (i, rng, pair, _iso) in zip(projects, plans, strict=True):
            for h, hood in enumerate(pair):
                businesses[(i, h)] = []
                for n in range(OWNERS_PER_HOOD):
                    activity = ACTIVITIES[(n + 5 * h + i) % len(ACTIVITIES)]
                    formed = p.start_date + datetime.timedelta(days=rng.randint(60, 240))
                    business = Business(
                        name=f"{activity} {hood.name} {n + 1}",
                        owner=people[(i, h)][n],
                        centre=centres[(i, h)],
                        neighbourhood=hood,
                        size=rng.choice(["micro", "micro", "micro", "small", "medium"]),
                        activity=activity,
                        formed_on=formed,
                        status="closed" if rng.random() < 0.05 else rng.choice(["created", "operating"]),
                        **self.reviewed(rng, formed),
                    )
                    businesses[(i, h)].append(business)
                    rows_businesses.append(business)
        self.bulk(Business, rows_businesses)
        for i, rng, _pair, _iso in plans:
            for h in (0, 1):
                for business in businesses[(i, h)]:
                    for k, kind in enumerate(("training_simulation", "management_advice")):
                        day = business.formed_on + datetime.timedelta(days=rng.randint(5, 30) + 40 * k)
                        rows_services.append(
                            EscService(
                                centre=business.centre,
                                business=business,
                                kind=kind,
                                delivered_on=day,
                                participants=rng.randint(1, 6),
                                **self.reviewed(rng, day),
                            )
                        )
        self.bulk(EscService, rows_services)

        sites, rows_sites = {}, []
        for p, (i, rng, pair, _iso) in zip(projects, plans, strict=True):
            for h, hood in enumerate(pair):
                sites[(i, h)] = []
                for s in range(SITES_PER_HOOD):
                    priority = priorities[(i, h)][s]
                    site = RehabSite(
                        project=p,
                        neighbourhood=hood,
                        name=priority.name,
                        kind=priority.kind,
                        planned_area_m2=priority.estimated_area_m2,
                        latitude=None if hood.latitude is None else hood.latitude + offset(rng),
                        longitude=None if hood.latitude is None else hood.longitude + offset(rng),
                        priority=priority,
                        contractor=businesses[(i, h)][s],
                        status=RehabSite.Status.IN_PROGRESS,
                    )
                    sites[(i, h)].append(site)
                    rows_sites.append(site)
        self.bulk(RehabSite, rows_sites)

        rows_work, rows_jobs = [], []
        for i, rng, _pair, _iso in plans:
            for h in (0, 1):
                for site in sites[(i, h)]:
                    # About 60 % of the plan, in five records of 8 to 16 % each.
                    day = site.contractor.formed_on + datetime.timedelta(days=rng.randint(10, 40))
                    for _w in range(WORK_RECORDS_PER_SITE):
                        share = Decimal(rng.randint(8, 16)) / 100
                        rows_work.append(
                            WorkRecord(
                                site=site,
                                date=day,
                                completed_area_m2=(site.planned_area_m2 * share).quantize(Decimal("0.01")),
                                latitude=site.latitude,
                                longitude=site.longitude,
                                notes="Travaux réalisés selon le plan",
                                **self.reviewed(rng, day),
                            )
                        )
                        day += datetime.timedelta(days=rng.randint(7, 21))
                rows_jobs += self.jobs(
                    rng, people[(i, h)][OWNERS_PER_HOOD:], businesses[(i, h)], sites[(i, h)]
                )
        self.bulk(WorkRecord, rows_work)
        self.bulk(Job, rows_jobs)

        events = []
        for model, rows in (
            (ForumSession, rows_sessions),
            (Business, rows_businesses),
            (EscService, rows_services),
            (WorkRecord, rows_work),
            (Job, rows_jobs),
        ):
            content_type = ContentType.objects.get_for_model(model)
            for row in rows:
                if row.review_state == ReviewState.RETURNED:
                    events.append(
                        ReviewEvent(
                            content_type=content_type,
                            object_id=row.pk,
                            from_state=ReviewState.SUBMITTED,
                            to_state=ReviewState.RETURNED,
                            by=self.reviewer,
                            at=row.review_changed_at,
                            comment="Please attach the attendance sheet and check the date.",
                        )
                    )
        self.bulk(ReviewEvent, events)

    def jobs(self, rng: random.Random, workers: list, businesses: list, sites: list) -> list:
        """57 jobs for 42 people: everyone has one, 15 of them a second one after the first ended."""
        from enterprises.models import Job

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
                        role="Ouvrier / ouvrière de chantier"
                        if site
                        else rng.choice(["Aide", "Apprenti", "Vendeur"]),
                        start_date=start,
                        end_date=end,
                        is_rehab_work=on_site,
                        site=site,
                        **self.reviewed(rng, start),
                    )
                )
                if end is not None:
                    start = end + datetime.timedelta(days=rng.randint(1, 45))
                    business = businesses[(n + spell + 1) % len(businesses)]
        return jobs


def generated_codes(first: int, scale: int) -> list[str]:
    return [f"{CODE_PREFIX}{i:05d}" for i in range(first, first + scale)]


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
    generator = Generator(seed=seed, log=log)
    with transaction.atomic():
        generator.prepare()
        indexes = list(range(first, first + scale))
        for at in range(0, len(indexes), CHUNK):
            generator.chunk(indexes[at : at + CHUNK])
            done = min(at + CHUNK, len(indexes))
            log(f"{done}/{len(indexes)} projects written ({time.monotonic() - started:.0f} s)")
    log("recomputing progress of every project")
    progress_recompute(reason="generated")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report = Report(scale=scale, counts=generator.counts, seconds=time.monotonic() - started)
    return report
