"""One IATI 2.03 `iati-activity` element per project, built with lxml (the file around them is
`interop.iati`'s).

Only aggregate figures are published (targets and the actual values of the latest progress
snapshots); no person, business or record appears. Codes come from the IATI codelists:
https://iatistandard.org/en/iati-standard/203/codelists/ — the ones used are named below.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from lxml import etree

from programs.models import Organisation, Project, Target
from progress import arithmetic as progress
from progress.models import PeriodState, ProgressSnapshot
from progress.period_selectors import PeriodRow, TargetPeriods, target_period_rows
from progress.selectors import actuals_added_up

Indicator = Target.Indicator

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The publisher: the ILO (OrganisationRegistrationAgency XM-DAC, DAC code 41302).
REPORTING_ORG_REF = "XM-DAC-41302"
#: OrganisationType 40: Multilateral.
MULTILATERAL = 40

# OrganisationRole codelist.
ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING = 1, 2, 4
#: ActivityStatus 3: the activity is complete (its end date has passed).
STATUS_COMPLETION = "3"
#: Breakdown dimensions published as IATI `dimension` elements, with their names.
DIMENSIONS = {"sex": "sex", "age_band": "age band"}
# ActivityDateType codelist.
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = 1, 2, 3, 4
# ResultType 1: Output. IndicatorMeasure 1: Unit. DescriptionType 1: General, 2: Objectives.
RESULT_OUTPUT, MEASURE_UNIT = 1, 1
DESCRIPTION_GENERAL, DESCRIPTION_OBJECTIVES = 1, 2
#: DAC 5-digit sector 16020, Employment creation (SectorVocabulary 1: OECD DAC CRS 5-digit).
SECTOR_EMPLOYMENT_CREATION, SECTOR_VOCABULARY_DAC5 = "16020", 1
#: GeographicLocationReach 1: the activity happens there; GeographicExactness 2: approximate
#: (the centroids are approximate); GeographicLocationClass 2: populated place; feature
#: designation PPLX: section of a populated place (a neighbourhood).
LOCATION_REACH_ACTIVITY, EXACTNESS_APPROXIMATE, LOCATION_CLASS_POPULATED_PLACE = 1, 2, 2
FEATURE_SECTION_OF_POPULATED_PLACE = "PPLX"
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"

#: Result and indicator titles in both published languages. They are published data (an IATI
#: file carries every language at once), not interface text in the reader's language.
INDICATOR_TITLES: dict[str, dict[str, str]] = {
    Target.Indicator.BUSINESSES: {"en": "Businesses created", "fr": "Entreprises créées"},
    Target.Indicator.YOUTH_JOBS: {"en": "Youth jobs created", "fr": "Emplois de jeunes créés"},
    Target.Indicator.REHABILITATED_AREA: {
        "en": "Community infrastructure rehabilitated (m²)",
        "fr": "Infrastructures communautaires réhabilitées (m²)",
    },
}
OBJECTIVES = {"en": "Targets: ", "fr": "Cibles : "}
UNITS = {
    "businesses": {"en": "Unit: businesses created.", "fr": "Unité : entreprises créées."},
    "jobs": {"en": "Unit: youth jobs.", "fr": "Unité : emplois de jeunes."},
    "m2": {"en": "Unit: square metres (m²).", "fr": "Unité : mètres carrés (m²)."},
}
UNIT_LABELS = {
    "businesses": {"en": "businesses", "fr": "entreprises"},
    "jobs": {"en": "youth jobs", "fr": "emplois de jeunes"},
    "m2": {"en": "m² rehabilitated", "fr": "m² réhabilités"},
}


def number(value: Decimal) -> str:
    """A figure as IATI shows it: 16, 4000, 1234.5 (no trailing zeros, no exponent)."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class Publisher:
    ref: str
    type: int
    name: str


def reporting_org() -> Publisher:
    """The publisher, from its Organisation row when there is one."""
    org = Organisation.objects.filter(iati_identifier=REPORTING_ORG_REF).first()
    if org is None:
        return Publisher(REPORTING_ORG_REF, MULTILATERAL, "International Labour Organization")
    return Publisher(org.iati_identifier, org.iati_type or MULTILATERAL, org.name)


def activity_identifier(project: Project, publisher: Publisher | None = None) -> str:
    publisher = publisher or reporting_org()
    return f"{publisher.ref}-{project.code}"


def _sub(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _narratives(parent, texts: dict[str, str]) -> None:
    """One narrative per language; English is the activity's default language."""
    for lang, text in texts.items():
        if not text:
            continue
        narrative = _sub(parent, "narrative", text)
        if lang != "en":
            narrative.set(XML_LANG, lang)


def _roles(project: Project, party: Organisation, publisher: Publisher) -> list[int]:
    """The publisher is accountable; the other parties fund; a party whose unit carries out
    the project is also implementing (ILO Haiti for the ILO, the CVR section for MINUSTAH)."""
    roles = [ROLE_ACCOUNTABLE if party.iati_identifier == publisher.ref else ROLE_FUNDING]
    units = project.implementing_units.all()
    if any(unit.pk == party.pk or unit.parent_id == party.pk for unit in units):
        roles.append(ROLE_IMPLEMENTING)
    return roles


def activity_status(project: Project, today: datetime.date) -> str:
    """The project's status, or completion (3) once an implementation's end date has passed."""
    if project.status == Project.Status.IMPLEMENTATION and progress.ended(today, project.end_date):
        return STATUS_COMPLETION
    return project.status


def _dates(project: Project, today: datetime.date) -> list[tuple[int, datetime.date]]:
    """Start and end dates: actual once they happened (IATI forbids actual dates in the future)."""
    started = project.status != Project.Status.PIPELINE and project.start_date <= today
    ended = (
        activity_status(project, today)
        in (STATUS_COMPLETION, Project.Status.CLOSED, Project.Status.CANCELLED)
        and project.end_date <= today
    )
    return [
        (ACTUAL_START if started else PLANNED_START, project.start_date),
        (ACTUAL_END if ended else PLANNED_END, project.end_date),
    ]


def _objectives(targets: list[Target], lang: str) -> str:
    parts = [f"{number(t.value)} {UNIT_LABELS[t.unit][lang]}" for t in targets]
    return OBJECTIVES[lang] + ", ".join(parts) + "."


def build_activity(
    project: Project,
    *,
    publisher: Publisher,
    snapshots: dict[int, ProgressSnapshot],
    today: datetime.date,
    periods: dict[int, TargetPeriods] | None = None,
) -> etree._Element:
    # In the programme's order: businesses, youth jobs, rehabilitated area.
    targets = sorted(project.targets.all(), key=lambda t: Target.Indicator.values.index(t.indicator))
    hoods = list(project.neighbourhoods.all())
    # The project's own targets: a scan of every snapshot per project is quadratic at scale.
    updated = max((snapshots[t.pk].as_of for t in targets if t.pk in snapshots), default=None)
    activity = etree.Element("iati-activity", {XML_LANG: "en", "hierarchy": "1"})
    if updated is not None:
        activity.set("last-updated-datetime", updated.isoformat(timespec="seconds"))
    identifier = activity_identifier(project, publisher)
    _sub(activity, "iati-identifier", identifier)
    reporting = _sub(activity, "reporting-org", ref=publisher.ref, type=publisher.type)
    _narratives(reporting, {"en": publisher.name})
    _narratives(
        _sub(activity, "title"), {"en": project.title, "fr": project.title_fr, "ht": project.title_ht}
    )
    general = {
        "en": project.description or project.title,
        "fr": project.description_fr,
        "ht": project.description_ht,
    }
    _narratives(_sub(activity, "description", type=DESCRIPTION_GENERAL), general)
    if targets:
        objectives = {lang: _objectives(targets, lang) for lang in ("en", "fr")}
        _narratives(_sub(activity, "description", type=DESCRIPTION_OBJECTIVES), objectives)

    parties = list(project.partnership.parties.all())
    if not any(party.iati_identifier == publisher.ref for party in parties):
        # The schema needs one participating organisation at least: the publisher answers for it.
        _narratives(
            _sub(
                activity, "participating-org", ref=publisher.ref, type=publisher.type, role=ROLE_ACCOUNTABLE
            ),
            {"en": publisher.name},
        )
    for party in parties:
        for role in _roles(project, party, publisher):
            attributes = {"ref": party.iati_identifier, "type": party.iati_type, "role": role}
            attributes = {key: value for key, value in attributes.items() if value}
            _narratives(_sub(activity, "participating-org", **attributes), {"en": party.name})

    _sub(activity, "activity-status", code=activity_status(project, today))
    for date_type, date in _dates(project, today):
        _sub(activity, "activity-date", type=date_type, iso_date=date.isoformat())

    countries = sorted({hood.country for hood in hoods} or {"HT"})
    for code in countries:
        _sub(activity, "recipient-country", code=code, percentage=number(Decimal(100) / len(countries)))

    for hood in hoods:
        location = _sub(activity, "location", ref=f"{identifier}-{hood.pk}")
        _sub(location, "location-reach", code=LOCATION_REACH_ACTIVITY)
        _narratives(_sub(location, "name"), {"en": f"{hood.name}, {hood.city}"})
        if hood.latitude is not None and hood.longitude is not None:
            point = _sub(location, "point", srsName=WGS84)
            _sub(point, "pos", f"{number(hood.latitude)} {number(hood.longitude)}")
            _sub(location, "exactness", code=EXACTNESS_APPROXIMATE)
        _sub(location, "location-class", code=LOCATION_CLASS_POPULATED_PLACE)
        _sub(location, "feature-designation", code=FEATURE_SECTION_OF_POPULATED_PLACE)

    _sub(
        activity,
        "sector",
        code=SECTOR_EMPLOYMENT_CREATION,
        vocabulary=SECTOR_VOCABULARY_DAC5,
        percentage="100",
    )

    for target in targets:
        table = (periods or {}).get(target.pk)
        _result(activity, project, target, snapshots.get(target.pk), table.rows if table else [])
    return activity


def _result(
    activity, project: Project, target: Target, snapshot: ProgressSnapshot | None, rows: list[PeriodRow]
) -> None:
    titles = INDICATOR_TITLES[target.indicator]
    result = _sub(activity, "result", type=RESULT_OUTPUT, aggregation_status="1")
    _narratives(_sub(result, "title"), titles)
    indicator = _sub(result, "indicator", measure=MEASURE_UNIT, ascending="1")
    _narratives(_sub(indicator, "title"), titles)
    _narratives(_sub(indicator, "description"), UNITS[target.unit])
    _sub(
        indicator,
        "baseline",
        year=project.start_date.year,
        iso_date=project.start_date.isoformat(),
        value="0",
    )
    if rows:
        # One period per published reporting period: its milestone (or the straight path) as the
        # target, its actual with sex and age-band dimensions, the approved narrative as comment.
        for row in rows:
            _reporting_period(indicator, row)
        return
    period = _sub(indicator, "period")
    _sub(period, "period-start", iso_date=project.start_date.isoformat())
    _sub(period, "period-end", iso_date=max(target.due_date, project.start_date).isoformat())
    _sub(period, "target", value=number(target.value))
    if snapshot is not None:
        actual = _sub(period, "actual", value=number(snapshot.actual))
        as_of = timezone.localtime(snapshot.as_of)
        _narratives(
            _sub(actual, "comment"),
            {
                "en": f"Verified records as of {as_of:%Y-%m-%d %H:%M} (Port-au-Prince time).",
                "fr": f"Enregistrements vérifiés au {as_of:%d/%m/%Y %H:%M} (heure de Port-au-Prince).",
            },
        )


def _reporting_period(indicator, row: PeriodRow) -> None:
    period = _sub(indicator, "period")
    _sub(period, "period-start", iso_date=row.period.start.isoformat())
    _sub(period, "period-end", iso_date=row.period.end.isoformat())
    if row.expected is not None:
        target = _sub(period, "target", value=number(row.expected))
        how = (
            {"en": "straight path from the start to the target", "fr": "ligne droite du début à la cible"}
            if row.uses_straight_path
            else {"en": "milestone", "fr": "jalon"}
        )
        _narratives(
            _sub(target, "comment"),
            {
                "en": f"Cumulative value expected by the period's end ({how['en']}).",
                "fr": f"Valeur cumulée attendue à la fin de la période ({how['fr']}).",
            },
        )
    # The actual in the period (its dimensions add up to it); the cumulative figure in the comment.
    actual = _sub(period, "actual", value=number(row.actual_in_period))
    cumulative = number(row.actual_cumulative)
    comment = {
        "en": f"In the period; cumulative at its end: {cumulative}.",
        "fr": f"Dans la période ; cumul à sa fin : {cumulative}.",
    }
    if row.narrative and row.frozen:
        comment["en"] = f"{row.narrative}\n\n{comment['en']}"
    _narratives(_sub(actual, "comment"), comment)
    for dimension, name in DIMENSIONS.items():
        for key, value in sorted(row.breakdown.get(dimension, {}).items()):
            part = _sub(period, "actual", value=number(Decimal(value)))
            _sub(part, "dimension", name=name, value=key)


# --- the reporting periods of an activity, from its project's groups of rows ---------------------


def live_actuals(groups: dict, project_id: int, counting: dict) -> dict:
    """The live actuals of one project's periods, {period id: {indicator: Actual}}, added up from
    its groups of the three aggregates by progress's own `actuals_added_up`."""
    rows = actuals_added_up(
        groups["live_businesses"].take(project_id),
        groups["live_jobs"].take(project_id),
        groups["live_area"].take(project_id),
        **counting,
    )
    return {period: actuals for (_project, period), actuals in rows.items()}


def published_periods(
    project: Project, targets: list[Target], groups, all_periods: bool, counting: dict
) -> dict:
    """Each target's reporting periods to publish from the project's groups of the file's streams
    (`interop.iati`), as `period_tables` gives them: the approved
    (and locked) ones, or all of them; none when the project has no approved period."""
    periods = groups["periods"].take(project.pk)
    milestones = {(t, p): value for _pk, t, p, value in groups["milestones"].take(project.pk)}
    approved = {(f.target_id, f.period_id): f for f in groups["figures"].take(project.pk)}
    narratives = {(t, p): text for _pk, t, p, text in groups["narratives"].take(project.pk)}
    live = {}
    if all_periods:
        live = live_actuals(groups, project.pk, counting)
    elif not any(period.state in (PeriodState.APPROVED, PeriodState.LOCKED) for period in periods):
        return {}
    published = {}
    for target in targets:
        in_period = [live.get(p.pk, {}).get(target.indicator, progress.Actual()) for p in periods]
        rows = target_period_rows(
            project,
            target,
            periods,
            in_period,
            milestones=milestones,
            approved=approved,
            narratives=narratives,
        )
        published[target.pk] = TargetPeriods(target, rows if all_periods else [r for r in rows if r.frozen])
    return published
