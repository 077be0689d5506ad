"""What the demo says: the article's facts, the demo users, and the words shared by the demo and
the generator (activities, structures, targets, notes). Data only; `loader` and `generator` write it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from programs import roles
from programs.models import Organisation, Signatory, Target

# --- shared by the demo and the generator --------------------------------------------------------
#: The Letter of Intent between the ILO and MINUSTAH: no activity before it.
SIGNED_ON = datetime.date(2014, 3, 27)
ILO_NAME = "International Labour Organization"
ILO_DEFAULTS = {
    "acronym": "ILO",
    "kind": Organisation.Kind.UN_AGENCY,
    "iati_identifier": "XM-DAC-41302",
    "iati_type": 40,
}
#: The ESC project's three targets, for every project shaped like it.
TARGETS = (
    (Target.Indicator.BUSINESSES, 16),
    (Target.Indicator.YOUTH_JOBS, 114),
    (Target.Indicator.REHABILITATED_AREA, 4000),
)
#: What the businesses do; the demo uses the first ten, the generator all of them.
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
#: The structures a consultation ranks, in rank order: (label, kind).
STRUCTURES = [
    ("Mur de soutènement", "retaining_wall"),
    ("Corridor piéton", "pedestrian_corridor"),
    ("Place publique", "public_space"),
]
FORUM_LOCAL_GROUPS = "Comité de quartier, association des jeunes, groupement des femmes"
#: As the forum writes it down, in Kreyòl.
SELECTION_REASON = "Jèn ki pa gen travay epi ki rete nan katye a"
SITE_WORKER_ROLE = "Ouvrier / ouvrière de chantier"
WORK_NOTES = "Travaux réalisés selon le plan"
#: What field staff write in a session's notes, in Kreyòl as they would (by kind of session).
SESSION_NOTES = {
    "sensitization": "Nou pale ak moun katye a sou pwojè a ak sou vyolans nan zòn nan.",
    "information": "Nou esplike kijan pou moun enskri pou travay yo ak pou ti biznis yo.",
    "consultation": "Moun yo chwazi mi ak koridò pou nou repare anpremye, epi nou chwazi jèn yo.",
}
#: Reviews happen at three in the afternoon of the record's day.
REVIEW_TIME = datetime.time(15, 0)


def forum_name(neighbourhood: str) -> str:
    return f"Forum communautaire de {neighbourhood}"


def review_moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, REVIEW_TIME))


# --- the article's facts -------------------------------------------------------------------------
PROJECT_CODE = "esc-bel-air-fort-national"
MINUSTAH_NAME = "United Nations Stabilization Mission in Haiti"
CVR_NAME = "Community Violence Reduction section"
FOCUS_AREAS = [
    ("employment", "Employment"),
    ("social-protection", "Social protection"),
    ("social-dialogue", "Social dialogue"),
    ("labour-governance", "Good labour governance"),
]
PARTNERSHIP_TITLE = "Strategic partnership between the ILO and MINUSTAH"
PARTNERSHIP_SUMMARY = (
    "Letter of Intent for the cooperation between the two entities, the first "
    "partnership framework signed between a UNDPKO mission and the ILO, to "
    "promote the Decent Work agenda in Haiti."
)
#: (name, title, organisation: "ilo" or "minustah", role)
SIGNATORIES = [
    ("Philip Compte", "MINUSTAH Deputy Director of Mission Support", "minustah", Signatory.Role.SIGNER),
    ("Virgilio Levaggi", "ILO Regional Director for Central America", "ilo", Signatory.Role.SIGNER),
    (
        "Sandra Honoré",
        "UN Special Representative of the Secretary-General in Haiti",
        "minustah",
        Signatory.Role.WITNESS,
    ),
]
#: (name, latitude, longitude), in Port-au-Prince
NEIGHBOURHOODS = [
    ("Bel Air", Decimal("18.54900"), Decimal("-72.33600")),
    ("Fort National", Decimal("18.55200"), Decimal("-72.33000")),
]
PROJECT = {
    "title": "Enterprise Service Centres (ESC) in Bel Air and Fort National",
    "title_fr": "Centres de services aux entreprises (CSE) à Bel Air et Fort National",
    "description": "Technical assistance to micro, small and medium enterprises, youth "
    "employment and socio-economic infrastructure rehabilitation in two "
    "violence-prone neighbourhoods of Port-au-Prince.",
    "description_fr": "Assistance technique aux micro, petites et moyennes entreprises, emploi "
    "des jeunes et réhabilitation d'infrastructures socio-économiques dans deux quartiers "
    "de Port-au-Prince exposés à la violence.",
    "title_ht": "Sant Sèvis pou Antrepriz (ESC) nan Belè ak Fò Nasyonal",
    "description_ht": "Asistans teknik pou ti biznis ak antrepriz mwayen, travay pou jèn yo ak "
    "reyabilitasyon enfrastrikti sosyo-ekonomik nan de katye Pòtoprens kote vyolans fè ravaj.",
    "launched_on": datetime.date(2014, 4, 1),
    "start_date": datetime.date(2014, 4, 1),
    "end_date": datetime.date(2016, 3, 31),
}

# --- the demo's users and people -----------------------------------------------------------------
#: (username, password, group, neighbourhoods, is_staff)
DEMO_USERS = [
    ("terrain.belair", "demo-terrain-2014", roles.FIELD_STAFF, ["Bel Air"], False),
    ("terrain.fortnational", "demo-terrain-2014", roles.FIELD_STAFF, ["Fort National"], False),
    ("manager", "demo-manager-2014", roles.ILO_MANAGERS, [], True),
    ("admin", "demo-admin-2014", roles.ADMINISTRATORS, [], True),
]
#: Each demo user's e-mail address is <username>@DEMO_EMAIL_DOMAIN (for notifications, resets).
DEMO_EMAIL_DOMAIN = "example.org"
#: The user who reviews the demo's field records.
DEMO_REVIEWER = "manager"
#: The user who approves the periods the demo manager submits (never the submitter).
DEMO_APPROVER = "admin"
FIRST_NAMES_F = (
    "Marie Roseline Nadège Guerline Widline Fabienne Mirlande Sandra Daphnée Esther Lovely Islande"
).split()
FIRST_NAMES_M = (
    "Jean Wilson Jameson Frantz Ricardo Peterson Jacky Wesner Kervens Stanley Junior Fritz".split()
)
LAST_NAMES = (
    "Joseph Pierre Louis Jean-Baptiste Charles Saint-Fleur Dorval Etienne Augustin Michel Toussaint Noël "
    "Desir Célestin"
).split()
#: Planned area of each of STRUCTURES in a demo neighbourhood, in m².
STRUCTURE_AREAS = [Decimal("700"), Decimal("800"), Decimal("600")]

# --- the reporting cycle -------------------------------------------------------------------------
#: The demo's reporting cycle, so that a newcomer sees all of it: the periods the demo manager
#: submitted and the demo administrator approved, and the one the manager submitted for review.
DEMO_APPROVED_PERIODS = ["2014-Q3", "2014-Q4"]
DEMO_IN_REVIEW_PERIOD = "2015-Q1"
#: The cumulative value each target expects by the end of each quarter (2014-Q2 … 2016-Q1).
DEMO_MILESTONES = {
    "businesses": [0, 2, 4, 6, 9, 12, 14, 16],
    "youth_jobs": [0, 10, 25, 40, 60, 80, 100, 114],
    "rehabilitated_m2": [0, 300, 800, 1400, 2000, 2800, 3400, 4000],
}
#: The demo manager's narratives: (indicator, period, text).
DEMO_NARRATIVES = [
    (
        "businesses",
        "2014-Q3",
        "Seven businesses were formed in the centres' first quarter, ahead of the milestone of two: "
        "the first cohort of business plans had been prepared with the community fora before the launch.",
    ),
    (
        "youth_jobs",
        "2014-Q3",
        "Twelve young people started work in the new businesses, against a milestone of ten. The fora "
        "agreed how young people are chosen; no one under 18 was placed on rehabilitation work.",
    ),
    (
        "rehabilitated_m2",
        "2014-Q3",
        "No area was completed yet: the fora chose the pedestrian corridors in August and work started "
        "at the end of September, between rains. The milestone of 300 m² was missed; it is caught up "
        "in the next quarter.",
    ),
    (
        "businesses",
        "2014-Q4",
        "Two more businesses (nine in all, milestone four). Most are tailoring and food stalls run by "
        "women; the centres now coach the existing businesses rather than forming new ones.",
    ),
    (
        "youth_jobs",
        "2014-Q4",
        "Twenty-six jobs started, most of them on the corridors' rehabilitation: 38 in all against a "
        "milestone of 25.",
    ),
    (
        "rehabilitated_m2",
        "2014-Q4",
        "The dry season let the corridors of Bel Air and Fort National advance: 2,376 m² completed, "
        "ahead of the milestone of 800 m².",
    ),
    (
        "businesses",
        "2015-Q1",
        "No new business this quarter: the centres followed up the nine formed last year (book-keeping, "
        "stock, market research). Still ahead of the milestone of six.",
    ),
    (
        "youth_jobs",
        "2015-Q1",
        "Four apprentices started in the businesses formed last year (42 in all, milestone 40); "
        "recruitment in Fort National waited for the community forum's selection.",
    ),
    (
        "rehabilitated_m2",
        "2015-Q1",
        "No area completed this quarter: the sites waited for materials. Photos are missing for one "
        "site; the field team will add them before the report is approved.",
    ),
]
