"""Loads the article's facts exactly, and a deterministic sample of field data below the targets.

Every row is found by its natural key before it is created, so loading twice leaves the
same rows. New rows go through `full_clean()`: demo data obeys the domain rules.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import models, transaction
from django.utils import timezone

from enterprises.models import Beneficiary, Business, EnterpriseServiceCentre, EscService, Job
from fora.models import BeneficiarySelection, CommunityForum, ForumSession, StructurePriority
from programs import roles
from programs.models import (
    FocusArea,
    Neighbourhood,
    NeighbourhoodAssignment,
    Organisation,
    Partnership,
    Project,
    ReviewState,
    Signatory,
    Target,
)
from programs.services import progress_backfill, progress_recompute
from rehab.models import RehabSite, WorkRecord

SIGNED_ON = datetime.date(2014, 3, 27)
PROJECT_CODE = "esc-bel-air-fort-national"

#: (username, password, group, neighbourhoods, is_staff)
DEMO_USERS = [
    ("terrain.belair", "demo-terrain-2014", roles.FIELD_STAFF, ["Bel Air"], False),
    ("terrain.fortnational", "demo-terrain-2014", roles.FIELD_STAFF, ["Fort National"], False),
    ("manager", "demo-manager-2014", roles.ILO_MANAGERS, [], True),
    ("admin", "demo-admin-2014", roles.ADMINISTRATORS, [], True),
]

FIRST_NAMES_F = [
    "Marie",
    "Roseline",
    "Nadège",
    "Guerline",
    "Widline",
    "Fabienne",
    "Mirlande",
    "Sandra",
    "Daphnée",
    "Esther",
    "Lovely",
    "Islande",
]
FIRST_NAMES_M = [
    "Jean",
    "Wilson",
    "Jameson",
    "Frantz",
    "Ricardo",
    "Peterson",
    "Jacky",
    "Wesner",
    "Kervens",
    "Stanley",
    "Junior",
    "Fritz",
]
LAST_NAMES = [
    "Joseph",
    "Pierre",
    "Louis",
    "Jean-Baptiste",
    "Charles",
    "Saint-Fleur",
    "Dorval",
    "Etienne",
    "Augustin",
    "Michel",
    "Toussaint",
    "Noël",
    "Desir",
    "Célestin",
]
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
]


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)
    users_refused: bool = False

    def count(self, model: type[models.Model], created: bool) -> None:
        if created:
            name = model._meta.verbose_name_plural
            self.created[str(name)] = self.created.get(str(name), 0) + 1


class DemoLoader:
    def __init__(self) -> None:
        self.report = LoadReport()
        self.rng = random.Random(2014)

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
        ilo = self.ensure(
            Organisation,
            {"name": "International Labour Organization"},
            {
                "acronym": "ILO",
                "kind": Organisation.Kind.UN_AGENCY,
                "iati_identifier": "XM-DAC-41302",
                "iati_type": 40,
            },
        )
        minustah = self.ensure(
            Organisation,
            {"name": "United Nations Stabilization Mission in Haiti"},
            {"acronym": "MINUSTAH", "kind": Organisation.Kind.PEACEKEEPING_MISSION, "iati_type": 40},
        )
        ilo_haiti = self.ensure(
            Organisation, {"name": "ILO Haiti"}, {"kind": Organisation.Kind.UNIT, "parent": ilo}
        )
        cvr = self.ensure(
            Organisation,
            {"name": "Community Violence Reduction section"},
            {"acronym": "CVR", "kind": Organisation.Kind.UNIT, "parent": minustah},
        )
        areas = [
            self.ensure(FocusArea, {"code": code}, {"name": name})
            for code, name in [
                ("employment", "Employment"),
                ("social-protection", "Social protection"),
                ("social-dialogue", "Social dialogue"),
                ("labour-governance", "Good labour governance"),
            ]
        ]

        partnership = self.ensure(
            Partnership,
            {"title": "Strategic partnership between the ILO and MINUSTAH"},
            {
                "instrument": Partnership.Instrument.LETTER_OF_INTENT,
                "signed_on": SIGNED_ON,
                "place": "Port-au-Prince",
                "summary": "Letter of Intent for the cooperation between the two entities, the first "
                "partnership framework signed between a UNDPKO mission and the ILO, to "
                "promote the Decent Work agenda in Haiti.",
            },
            m2m={"parties": [ilo, minustah], "focus_areas": areas},
        )
        for name, title, org, role in [
            ("Philip Compte", "MINUSTAH Deputy Director of Mission Support", minustah, Signatory.Role.SIGNER),
            ("Virgilio Levaggi", "ILO Regional Director for Central America", ilo, Signatory.Role.SIGNER),
            (
                "Sandra Honoré",
                "UN Special Representative of the Secretary-General in Haiti",
                minustah,
                Signatory.Role.WITNESS,
            ),
        ]:
            self.ensure(
                Signatory,
                {"partnership": partnership, "name": name},
                {"title": title, "organisation": org, "role": role},
            )

        bel_air = self.ensure(
            Neighbourhood,
            {"name": "Bel Air", "city": "Port-au-Prince"},
            {"latitude": Decimal("18.54900"), "longitude": Decimal("-72.33600")},
        )
        fort_national = self.ensure(
            Neighbourhood,
            {"name": "Fort National", "city": "Port-au-Prince"},
            {"latitude": Decimal("18.55200"), "longitude": Decimal("-72.33000")},
        )
        project = self.ensure(
            Project,
            {"code": PROJECT_CODE},
            {
                "partnership": partnership,
                "title": "Enterprise Service Centres (ESC) in Bel Air and Fort National",
                "title_fr": "Centres de services aux entreprises (CSE) à Bel Air et Fort National",
                "description": "Technical assistance to micro, small and medium enterprises, youth "
                "employment and socio-economic infrastructure rehabilitation in two "
                "violence-prone neighbourhoods of Port-au-Prince.",
                "description_fr": "Assistance technique aux micro, petites et moyennes entreprises, emploi "
                "des jeunes et réhabilitation d'infrastructures socio-économiques dans deux quartiers "
                "de Port-au-Prince exposés à la violence.",
                "launched_on": datetime.date(2014, 4, 1),
                "start_date": datetime.date(2014, 4, 1),
                "end_date": datetime.date(2016, 3, 31),
                "status": Project.Status.IMPLEMENTATION,
            },
            m2m={"implementing_units": [ilo_haiti, cvr], "neighbourhoods": [bel_air, fort_national]},
        )
        for indicator, value in [
            (Target.Indicator.BUSINESSES, 16),
            (Target.Indicator.YOUTH_JOBS, 114),
            (Target.Indicator.REHABILITATED_AREA, 4000),
        ]:
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
            self.report.count(User, created)
            self.report.users.append((username, password, group_name))

    # --- field data ----------------------------------------------------------
    def reviewed(self, state: str, when: datetime.date) -> dict:
        """Review fields for a record in `state`, reviewed by the demo manager when there is one."""
        if state == ReviewState.DRAFT:
            return {"review_state": state}
        manager = User.objects.filter(username="manager").first()
        moment = timezone.make_aware(datetime.datetime.combine(when, datetime.time(15, 0)))
        return {
            "review_state": state,
            "review_changed_at": moment,
            "review_changed_by": manager if state in (ReviewState.VERIFIED, ReviewState.RETURNED) else None,
        }

    def state_for(self, index: int) -> str:
        """Most records verified; every seventh submitted, every eleventh returned."""
        if index % 11 == 10:
            return ReviewState.RETURNED
        if index % 7 == 6:
            return ReviewState.SUBMITTED
        return ReviewState.VERIFIED

    def load_field_data(self, project: Project) -> None:
        for hood_index, hood in enumerate(project.neighbourhoods.order_by("name")):
            self.load_neighbourhood(project, hood, hood_index)

    def load_neighbourhood(self, project: Project, hood: Neighbourhood, hood_index: int) -> None:
        rng = random.Random(f"{hood.name}-2014")
        prefix = "BA" if hood.name == "Bel Air" else "FN"
        centre = self.ensure(
            EnterpriseServiceCentre,
            {"name": f"ESC {hood.name}"},
            {
                "project": project,
                "neighbourhood": hood,
                "operator": self.operator,
                "opened_on": datetime.date(2014, 5, 5),
            },
        )
        forum = self.ensure(
            CommunityForum,
            {"neighbourhood": hood, "name": f"Forum communautaire de {hood.name}"},
            {"local_groups": "Comité de quartier, association des jeunes, groupement des femmes"},
        )

        # People: 45 per neighbourhood, 18 to 29 years old in mid-2014, all with consent.
        people = []
        for i in range(1, 46):
            sex = "F" if i % 5 in (0, 2) else "M"
            first = rng.choice(FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M)
            born = datetime.date(1985, 1, 1) + datetime.timedelta(days=rng.randint(0, 11 * 365))
            people.append(
                self.ensure(
                    Beneficiary,
                    {"code": f"{prefix}-{i:04d}"},
                    {
                        "first_name": first,
                        "last_name": rng.choice(LAST_NAMES),
                        "sex": sex,
                        "date_of_birth": born,
                        "neighbourhood": hood,
                        "phone": f"+509 3{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                        "consent_given": True,
                        "consent_date": datetime.date(2014, 5, 20),
                    },
                )
            )

        # Fora: sensitization, information, then consultation that ranks structures and selects people.
        sessions = []
        for kind, day in [
            (ForumSession.Kind.SENSITIZATION, 12),
            (ForumSession.Kind.INFORMATION, 19),
            (ForumSession.Kind.CONSULTATION, 26),
        ]:
            held = datetime.date(2014, 4 + hood_index, day)
            women, men = rng.randint(20, 45), rng.randint(20, 45)
            sessions.append(
                self.ensure(
                    ForumSession,
                    {"forum": forum, "held_on": held, "kind": kind},
                    {
                        "project": project,
                        "women": women,
                        "men": men,
                        "youth": (women + men) // 2,
                        **self.reviewed(ReviewState.VERIFIED, held),
                    },
                )
            )
        consultation = sessions[-1]
        structures = [
            ("Mur de soutènement", "retaining_wall", Decimal("700")),
            ("Corridor piéton", "pedestrian_corridor", Decimal("800")),
            ("Place publique", "public_space", Decimal("600")),
        ]
        sites = []
        for rank, (label, kind, area) in enumerate(structures, start=1):
            priority = self.ensure(
                StructurePriority,
                {"session": consultation, "rank": rank},
                {"name": f"{label} — {hood.name}", "kind": kind, "estimated_area_m2": area},
            )
            sites.append(
                self.ensure(
                    RehabSite,
                    {"project": project, "name": priority.name},
                    {
                        "neighbourhood": hood,
                        "kind": kind,
                        "planned_area_m2": area,
                        "priority": priority,
                        "status": RehabSite.Status.IN_PROGRESS,
                    },
                )
            )
        for person in people[:36]:
            self.ensure(
                BeneficiarySelection,
                {"session": consultation, "beneficiary": person},
                {"reason": "Unemployed youth living in the neighbourhood"},
            )

        # Businesses: 5 per neighbourhood (10 of the 16 targeted), owned by the first people.
        businesses = []
        for b in range(5):
            formed = datetime.date(2014, 7, 1) + datetime.timedelta(days=30 * b + 7 * hood_index)
            businesses.append(
                self.ensure(
                    Business,
                    {"centre": centre, "name": f"{ACTIVITIES[b + 5 * hood_index]} {hood.name}"},
                    {
                        "owner": people[b],
                        "neighbourhood": hood,
                        "size": Business.Size.MICRO if b % 2 else Business.Size.SMALL,
                        "activity": ACTIVITIES[b + 5 * hood_index],
                        "formed_on": formed,
                        "status": Business.Status.OPERATING,
                        **self.reviewed(self.state_for(b + 3 * hood_index), formed),
                    },
                )
            )
        for index, site in enumerate(sites):
            if site.contractor_id is None:
                site.contractor = businesses[index]
                site.full_clean()
                site.save(update_fields=["contractor"])

        # Jobs: 36 per neighbourhood (72 of the 114 targeted), one per person, staggered starts.
        for j, person in enumerate(people[5:41]):
            business = businesses[j % 5]
            start = max(business.formed_on, datetime.date(2014, 8, 1)) + datetime.timedelta(days=3 * j)
            site = sites[j % 3] if j % 2 == 0 else None
            self.ensure(
                Job,
                {"worker": person, "business": business, "start_date": start},
                {
                    "role": "Ouvrier / ouvrière de chantier" if site else "Aide",
                    "is_rehab_work": site is not None,
                    "site": site,
                    "end_date": start + datetime.timedelta(days=180) if j % 4 == 0 else None,
                    **self.reviewed(self.state_for(j), start),
                },
            )

        # Work on sites: about 60 % of each planned area, in five records.
        for index, site in enumerate(sites):
            share = site.planned_area_m2 * Decimal("0.12")
            for w in range(5):
                day = datetime.date(2014, 10, 6) + datetime.timedelta(days=14 * w + index)
                self.ensure(
                    WorkRecord,
                    {"site": site, "date": day},
                    {
                        "completed_area_m2": share.quantize(Decimal("0.01")),
                        "notes": "Travaux réalisés selon le plan",
                        **self.reviewed(self.state_for(w + index), day),
                    },
                )

        # ESC services: training simulations and advice.
        for s, business in enumerate(businesses):
            for kind_index, kind in enumerate(EscService.Kind.values):
                day = business.formed_on + datetime.timedelta(days=10 + 20 * kind_index)
                self.ensure(
                    EscService,
                    {"centre": centre, "business": business, "kind": kind, "delivered_on": day},
                    {
                        "participants": 1 + (s + kind_index) % 4,
                        **self.reviewed(self.state_for(s + kind_index), day),
                    },
                )


def load_demo() -> LoadReport:
    loader = DemoLoader()
    with transaction.atomic():
        project = loader.load_facts()
        loader.load_users()
        loader.load_field_data(project)
        # The records were entered after the fact: rebuild the monthly trend from their dates.
        progress_backfill(project_id=project.pk)
        progress_recompute(project_ids=[project.pk], reason="demo")
    return loader.report
