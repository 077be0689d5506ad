"""The IATI 2.03 activity file: valid against the official schema, with the programme's figures."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from demo.loader import PROJECT_CODE
from interop import iati
from programs.models import Project, Target
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory, TargetFactory
from progress.models import ProgressSnapshot
from progress.selectors import latest_snapshots

pytestmark = pytest.mark.django_db

IDENTIFIER = f"XM-DAC-41302-{PROJECT_CODE}"


@pytest.fixture(scope="module")
def schema():
    path = iati.schema_path()
    assert path.exists(), f"The IATI 2.03 schema is missing at {path} (vendored in interop/schemas/iati/)"
    return etree.XMLSchema(etree.parse(str(path)))


def download(client) -> bytes:
    response = client.get(reverse("interop:iati-activities"))
    assert response.status_code == 200  # anonymous: IATI data is published
    assert response["Content-Type"] == "application/xml"
    assert response.streaming  # built and sent a chunk of projects at a time
    return b"".join(response.streaming_content)


def served(client) -> etree._ElementTree:
    return etree.parse(io.BytesIO(download(client)))


def activity(tree) -> etree._Element:
    (found,) = tree.xpath("/iati-activities/iati-activity[iati-identifier=$id]", id=IDENTIFIER)
    return found


def test_served_file_after_load_demo_is_valid_against_the_official_schema(client, demo, schema):
    tree = served(client)
    schema.assertValid(tree)
    assert tree.getroot().get("version") == "2.03"


def test_the_file_is_public_and_carries_no_personal_data(client, demo):
    text = download(client).decode()
    from beneficiaries.models import Beneficiary

    for person in Beneficiary.objects.all()[:20]:
        assert person.code not in text
        assert person.last_name not in text or person.last_name in {"Louis", "Charles", "Michel"}
        if person.phone:
            assert person.phone not in text


def test_results_report_the_three_targets_with_the_latest_snapshot_actuals(client, demo):
    tree = served(client)
    act = activity(tree)
    latest = {s.target.indicator: s.actual for s in latest_snapshots(Target.objects.filter(project=demo))}
    results = act.findall("result")
    assert len(results) == 3
    figures = {}
    for result in results:
        assert result.get("type") == "1"  # output
        indicator = result.find("indicator")
        assert indicator.get("measure") == "1"  # unit
        assert indicator.find("baseline").get("value") == "0"
        period = indicator.find("period")
        figures[result.findtext("title/narrative")] = (
            Decimal(period.find("target").get("value")),
            Decimal(period.find("actual").get("value")),
        )
    assert figures == {
        "Businesses created": (Decimal(16), latest[Target.Indicator.BUSINESSES]),
        "Youth jobs created": (Decimal(114), latest[Target.Indicator.YOUTH_JOBS]),
        "Community infrastructure rehabilitated (m²)": (
            Decimal(4000),
            latest[Target.Indicator.REHABILITATED_AREA],
        ),
    }
    assert all(actual > 0 for _target, actual in figures.values())


def test_a_new_snapshot_changes_the_published_actual(client, demo):
    target = demo.targets.get(indicator=Target.Indicator.BUSINESSES)
    ProgressSnapshot.objects.create(
        target=target,
        as_of=timezone.now() + datetime.timedelta(minutes=1),
        actual=Decimal(15),
        target_value=target.value,
        remaining=Decimal(1),
        status=ProgressSnapshot.Status.ON_TRACK,
    )
    act = activity(served(client))
    (actual,) = act.xpath("result[title/narrative='Businesses created']//actual/@value")
    assert actual == "15"


def test_activity_identifies_ilo_minustah_status_dates_country_locations_and_sector(client, demo):
    act = activity(served(client))
    assert act.find("reporting-org").attrib == {"ref": "XM-DAC-41302", "type": "40"}
    langs = {
        n.get("{http://www.w3.org/XML/1998/namespace}lang", "en") for n in act.findall("title/narrative")
    }
    assert langs == {"en", "fr", "ht"}
    assert {
        n.get("{http://www.w3.org/XML/1998/namespace}lang", "en")
        for n in act.findall("description/narrative")
    } == {
        "en",
        "fr",
        "ht",
    }
    general = {
        n.get("{http://www.w3.org/XML/1998/namespace}lang", "en"): n.text
        for n in act.findall("description[@type='1']/narrative")
    }
    assert general["en"].startswith("Technical assistance")
    assert general["fr"].startswith("Assistance technique")
    roles = {(o.findtext("narrative"), o.get("role")) for o in act.findall("participating-org")}
    assert ("International Labour Organization", "2") in roles  # accountable
    assert ("International Labour Organization", "4") in roles  # implementing (ILO Haiti)
    assert ("United Nations Stabilization Mission in Haiti", "1") in roles  # funding
    assert ("United Nations Stabilization Mission in Haiti", "4") in roles  # implementing (CVR)
    # The demo project ended on 31 March 2016: completion (3), with its actual end date.
    assert demo.status == "2"
    assert act.find("activity-status").get("code") == "3"
    dates = {d.get("type"): d.get("iso-date") for d in act.findall("activity-date")}
    assert dates == {"2": "2014-04-01", "4": "2016-03-31"}  # actual start, actual end
    assert act.find("recipient-country").get("code") == "HT"
    names = [loc.findtext("name/narrative") for loc in act.findall("location")]
    assert names == ["Bel Air, Port-au-Prince", "Fort National, Port-au-Prince"]
    assert act.findtext("location/point/pos") == "18.549 -72.336"
    assert act.find("sector").attrib == {"code": "16020", "vocabulary": "1", "percentage": "100"}


def test_a_closed_project_reports_an_actual_end_and_a_pipeline_one_planned_dates(schema):
    hood = NeighbourhoodFactory(latitude=Decimal("18.5"), longitude=Decimal("-72.3"))
    closed = ProjectFactory(code="closed", status=Project.Status.CLOSED, neighbourhoods=[hood])
    pipeline = ProjectFactory(
        code="pipeline",
        status=Project.Status.PIPELINE,
        start_date=timezone.localdate() + datetime.timedelta(days=30),
        end_date=timezone.localdate() + datetime.timedelta(days=400),
        neighbourhoods=[hood],
    )
    TargetFactory(project=pipeline, due_date=pipeline.end_date)
    tree = iati.build_activities()
    schema.assertValid(tree)
    by_code = {a.findtext("iati-identifier").rsplit("-", 1)[-1]: a for a in tree.getroot()}
    assert {d.get("type") for d in by_code[closed.code].findall("activity-date")} == {"2", "4"}
    assert {d.get("type") for d in by_code[pipeline.code].findall("activity-date")} == {"1", "3"}
    # No snapshot yet: a target without an actual value, still valid.
    assert by_code[pipeline.code].find("result//period/target").get("value") == "16"
    assert by_code[pipeline.code].find("result//period/actual") is None


def test_export_command_writes_a_valid_file(demo, schema, tmp_path):
    output = tmp_path / "activities.xml"
    call_command("export_iati", "--output", str(output), "--validate", stderr=io.StringIO())
    tree = etree.parse(str(output))
    schema.assertValid(tree)
    assert activity(tree).findtext("iati-identifier") == IDENTIFIER


def test_export_command_prints_the_file_without_output(demo):
    out = io.StringIO()
    call_command("export_iati", stdout=out)
    assert out.getvalue().startswith("<?xml")
    assert IDENTIFIER in out.getvalue()


def queries_of_the_file(**options) -> int:
    with CaptureQueriesContext(connection) as queries:
        for _data in iati.stream_activities(**options):
            pass
    return len(queries)


def more_projects(demo, codes) -> None:
    for code in codes:
        TargetFactory(project=ProjectFactory(code=code, neighbourhoods=list(demo.neighbourhoods.all())))


def test_the_whole_file_is_built_in_the_same_number_of_queries_whatever_the_number_of_projects(demo):
    def counts(chunk_size: int = iati.CHUNK_SIZE) -> dict[bool, int]:
        return {
            all_periods: queries_of_the_file(chunk_size=chunk_size, all_periods=all_periods)
            for all_periods in (False, True)
        }

    one = counts()  # one project: one query per kind of row, and the transaction's own
    assert one[False] <= 14 and one[True] <= 18
    more_projects(demo, [f"extra-{n}" for n in range(7)])
    # Eight projects, and then sixteen, read and written a few at a time: several chunks, the same queries.
    assert counts(chunk_size=2) == counts(chunk_size=3) == one
    more_projects(demo, [f"more-{n}" for n in range(8)])
    assert counts(chunk_size=3) == counts() == one


def test_the_file_is_the_same_whatever_the_chunk_size(demo, schema):
    more_projects(demo, [f"extra-{n}" for n in range(4)])

    def file(size: int) -> bytes:
        data = b"".join(iati.stream_activities(chunk_size=size, all_periods=True))
        return re.sub(rb'generated-datetime="[^"]+"', b"", data)

    whole = file(100)
    assert file(1) == file(2) == whole
    tree = etree.parse(io.BytesIO(whole))
    assert len(tree.getroot()) == 5
    assert tree.getroot()[0].tail == "\n  "  # pretty-printed, as the file was before it was streamed
    schema.assertValid(tree)


def test_export_command_refuses_an_invalid_file_and_writes_nothing(demo, tmp_path, monkeypatch):
    build = iati.build_activity

    def broken(project, **options):
        activity = build(project, **options)
        etree.SubElement(activity, "not-iati")
        return activity

    monkeypatch.setattr(iati, "build_activity", broken)
    with pytest.raises(CommandError, match="not valid.*not-iati"):
        call_command("export_iati", "--output", str(tmp_path / "activities.xml"), "--validate")
    assert list(tmp_path.iterdir()) == []


def test_all_periods_give_eight_periods_per_indicator_with_sex_dimensions(demo, schema, tmp_path):
    output = tmp_path / "activities.xml"
    call_command(
        "export_iati", "--all-periods", "--validate", "--output", str(output), stderr=io.StringIO()
    )  # fmt: skip
    tree = etree.parse(str(output))
    schema.assertValid(tree)
    for indicator in activity(tree).findall("result/indicator"):
        periods = indicator.findall("period")
        assert len(periods) == 8
        assert [p.find("period-start").get("iso-date") for p in periods][:2] == ["2014-04-01", "2014-07-01"]
    for title in ("Businesses created", "Youth jobs created"):  # the area has no sex of its own
        (indicator,) = activity(tree).xpath(f"result[title/narrative='{title}']/indicator")
        assert indicator.xpath("period/actual/dimension[@name='sex']")
    youth = activity(tree).xpath("result[title/narrative='Youth jobs created']/indicator")[0]
    assert youth.xpath("period/actual/dimension[@name='age band']")
    in_periods = sum(Decimal(p.find("actual").get("value")) for p in youth.findall("period"))
    latest = latest_snapshots(Target.objects.filter(project=demo, indicator="youth_jobs")).get()
    assert in_periods == latest.actual


def test_by_default_only_approved_periods_are_published_with_their_narrative(demo, schema):
    from conftest import make_user
    from programs import roles
    from progress.models import PeriodState, ReportingPeriod
    from progress.period_services import narrative_save, period_transition

    first, second = make_user("iati-m1", roles.ILO_MANAGERS), make_user("iati-m2", roles.ILO_MANAGERS)
    period = ReportingPeriod.objects.get(project=demo, code="2015-Q1")
    youth = demo.targets.get(indicator="youth_jobs")
    narrative_save(period=period, target=youth, text="Apprentices started.", by=first)
    period_transition(period=period, to_state=PeriodState.IN_REVIEW, by=first)
    period_transition(period=period, to_state=PeriodState.APPROVED, by=second)
    tree = iati.build_activities()
    schema.assertValid(tree)
    indicator = activity(tree).xpath("result[title/narrative='Youth jobs created']/indicator")[0]
    (only,) = indicator.findall("period")
    assert only.find("period-start").get("iso-date") == "2015-01-01"
    assert "Apprentices started." in only.findtext("actual/comment/narrative")


def test_the_kreyol_title_and_description_are_narratives_in_ht_and_the_file_stays_valid(client, demo, schema):
    tree = served(client)
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    titles = {n.get(xml_lang, "en"): n.text for n in activity(tree).find("title")}
    assert titles["ht"].startswith("Sant Sèvis pou Antrepriz")
    general = activity(tree).find("description[@type='1']")
    descriptions = {n.get(xml_lang, "en") for n in general}
    assert {"en", "fr", "ht"} <= descriptions
    schema.assertValid(tree)
