"""The dashboard pages: who may see them, the figures they show, drill-downs and traces."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from beneficiaries.models import Beneficiary
from dashboard import selectors
from enterprises.models import Job
from programs.models import Neighbourhood, ReviewState, Target, TargetSplit
from programs.review import review_set_state
from progress import arithmetic as progress
from progress.models import ProgressSnapshot
from progress.selectors import latest_snapshots
from progress.services import progress_recompute
from rehab.models import RehabSite

from .conftest import by_class, first, number, parse

pytestmark = pytest.mark.django_db

TARGET_FIGURES = ["businesses", "youth_jobs", "rehabilitated_m2"]
SECONDARY = ["forum_sessions", "structures", "beneficiaries", "esc_services"]


def figure_url(project, figure, **query):
    url = reverse("dashboard:figure", args=[project.pk, figure])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def card_of(page, indicator: str):
    return page.xpath(f"//article[@data-indicator='{indicator}']")[0]


def listed_count(client, project, figure, **query) -> int:
    page = parse(client.get(figure_url(project, figure, **query)))
    return int(first(page, "record-count").text_content())


def listed_total(client, project, figure, **query) -> float:
    page = parse(client.get(figure_url(project, figure, **query)))
    return number(first(page, "record-total").text_content())


# --- who may see it ------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, demo):
    project, _manager = demo
    site = RehabSite.objects.first()
    for url in [
        reverse("dashboard:index"),
        reverse("dashboard:export", args=["csv"]),
        figure_url(project, "youth_jobs"),
        reverse("dashboard:figure-export", args=[project.pk, "youth_jobs", "xlsx"]),
        reverse("dashboard:site", args=[site.pk]),
        reverse("dashboard:beneficiary", args=[Beneficiary.objects.first().pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_a_user_without_a_role_is_refused(client, demo):
    client.force_login(User.objects.create_user("nobody", password="pw-nobody"))
    assert client.get(reverse("dashboard:index")).status_code == 403
    assert client.get(figure_url(demo[0], "businesses")).status_code == 403


def test_managers_and_administrators_see_both_neighbourhoods(client, demo, demo_administrator):
    for user in (demo[1], demo_administrator):
        client.force_login(user)
        page = parse(client.get(reverse("dashboard:index")))
        youth = first(card_of(page, "youth_jobs"), "actual").text_content()
        assert number(youth) == 42
        hoods = first(page, "secondary-table").xpath(".//thead//th")
        assert [h.text_content() for h in hoods][1:3] == ["Bel Air", "Fort National"]


def test_unknown_figure_or_project_is_not_found(manager_client, demo):
    assert manager_client.get(figure_url(demo[0], "nonsense")).status_code == 404
    assert manager_client.get(reverse("dashboard:figure", args=[9999, "businesses"])).status_code == 404


# --- the figures ---------------------------------------------------------------------------------


def test_targets_on_the_page_are_those_that_progress_json_prints(manager_client, demo):
    out = io.StringIO()
    call_command("progress", "--json", stdout=out)
    printed = {row["indicator"]: row for row in json.loads(out.getvalue())}
    page = parse(manager_client.get(reverse("dashboard:index")))
    for indicator, row in printed.items():
        card = card_of(page, indicator)
        assert number(first(card, "actual").text_content()) == row["actual"]
        assert number(first(card, "target-value").text_content()) == row["target"]
        assert number(first(card, "percent").text_content().rstrip("% ")) == pytest.approx(
            row["percent"], abs=0.05
        )
        assert card.get("data-status") == row["status"]
        assert card.get("data-forecast") == (row["forecast_date"] or "")
        assert by_class(card, "as-of")  # "as of …"
    assert {row["target"] for row in printed.values()} == {16, 114, 4000}


def test_the_page_explains_status_and_draws_a_trend_from_the_snapshot_history(manager_client, demo):
    page = parse(manager_client.get(reverse("dashboard:index")))
    youth = Target.objects.get(indicator="youth_jobs")
    data = json.loads(page.get_element_by_id(f"trend-data-{youth.pk}").text_content())
    days = {s.as_of.date() for s in ProgressSnapshot.objects.filter(target=youth)}
    assert 20 <= len(data["points"]) <= len(days) + 1
    assert data["points"][-1]["y"] == 42
    assert data["target"] == 114
    assert page.xpath(f"//canvas[@data-trend='trend-data-{youth.pk}']")
    assert len(by_class(page, "status-explanation")) == 3
    # The demo project ended on 31 March 2016: its explanation is the final result, not a pace.
    assert "final result" in first(page, "status-explanation").text_content()


def test_breakdowns_come_from_the_snapshot(manager_client, demo):
    snapshot = ProgressSnapshot.objects.filter(target__indicator="youth_jobs").latest()
    page = parse(manager_client.get(reverse("dashboard:index")))
    tables = by_class(by_class(page, "target-detail")[1], "breakdown-table")
    by_dimension = {
        t.get("data-dimension"): {
            row.xpath("th")[0].text_content(): number(row.xpath("td")[0].text_content())
            for row in t.xpath(".//tbody/tr")
        }
        for t in tables
    }
    assert by_dimension["neighbourhood"] == {
        k: float(v) for k, v in snapshot.breakdown["neighbourhood"].items()
    }
    assert sum(by_dimension["sex"].values()) == 42
    assert by_dimension["age_band"] == {"18–24": 42}


# --- drill-down ----------------------------------------------------------------------------------


def test_each_target_drills_down_to_as_many_records_as_its_snapshot_counts(manager_client, demo):
    project, manager = demo
    # A change after the demo: one more job verified, then progress recomputed.
    job = Job.objects.filter(review_state=ReviewState.SUBMITTED).first()
    review_set_state(record=job, to_state=ReviewState.VERIFIED, by=manager)
    progress_recompute(project_ids=[project.pk])
    latest = {s.target.indicator: s for s in latest_snapshots(Target.objects.filter(project=project))}
    for indicator in ("businesses", "youth_jobs"):
        assert listed_count(manager_client, project, indicator) == latest[indicator].actual
    assert listed_total(manager_client, project, "rehabilitated_m2") == latest["rehabilitated_m2"].actual
    # Each breakdown row drills down to its part.
    for hood_name, value in latest["youth_jobs"].breakdown["neighbourhood"].items():
        hood = Neighbourhood.objects.get(name=hood_name)
        assert listed_count(manager_client, project, "youth_jobs", neighbourhood=hood.pk) == int(value)
    for sex, value in latest["youth_jobs"].breakdown["sex"].items():
        assert listed_count(manager_client, project, "youth_jobs", sex=sex) == int(value)
    for band, value in latest["youth_jobs"].breakdown["age_band"].items():
        assert listed_count(manager_client, project, "youth_jobs", age_band=band) == int(value)
    for kind, value in latest["rehabilitated_m2"].breakdown["kind"].items():
        assert listed_total(manager_client, project, "rehabilitated_m2", kind=kind) == float(value)


def test_each_secondary_figure_drills_down_to_as_many_records(manager_client, demo):
    project, manager = demo
    figures = selectors.dashboard_for(manager).partnerships[0].projects[0].secondary
    totals = {f.key: f.total for f in figures.figures}
    assert totals == {
        "sessions": 6,
        "participants": totals["women"] + totals["men"],
        "women": totals["women"],
        "men": totals["men"],
        "youth": totals["youth"],
        "structures": 6,
        "beneficiaries": 72,
        "services": totals["services"],
        "service_participants": totals["service_participants"],
    }
    assert listed_count(manager_client, project, "forum_sessions") == totals["sessions"]
    assert listed_count(manager_client, project, "structures") == totals["structures"]
    assert listed_count(manager_client, project, "beneficiaries") == totals["beneficiaries"]
    assert listed_count(manager_client, project, "esc_services") == totals["services"]
    bel_air = Neighbourhood.objects.get(name="Bel Air")
    for figure in figures.figures:
        if figure.key in ("sessions", "structures", "beneficiaries", "services"):
            assert (
                listed_count(manager_client, project, figure.figure, neighbourhood=bel_air.pk)
                == figure.by_neighbourhood["Bel Air"]
            )


def test_lists_filter_by_dates_state_and_paginate_by_50(manager_client, demo):
    project = demo[0]
    everything = listed_count(manager_client, project, "beneficiaries")
    page = parse(manager_client.get(figure_url(project, "beneficiaries")))
    assert len(first(page, "records-table").xpath(".//tbody/tr")) == 50
    assert by_class(page, "dashboard-pagination")
    second = parse(manager_client.get(figure_url(project, "beneficiaries", page=2)))
    assert len(first(second, "records-table").xpath(".//tbody/tr")) == everything - 50
    with_job = listed_count(manager_client, project, "beneficiaries", state="with_job")
    without_job = listed_count(manager_client, project, "beneficiaries", state="without_job")
    assert with_job + without_job == everything and 0 < with_job < everything
    jobs_2014 = listed_count(
        manager_client, project, "youth_jobs", date_after="2014-01-01", date_before="2014-12-31"
    )
    jobs_2015 = listed_count(manager_client, project, "youth_jobs", date_after="2015-01-01")
    assert jobs_2014 + jobs_2015 == 42 and jobs_2014 > 0 and jobs_2015 > 0
    current = listed_count(manager_client, project, "youth_jobs", state="current")
    ended = listed_count(manager_client, project, "youth_jobs", state="ended")
    assert current + ended == 42 and ended > 0


# --- field staff ---------------------------------------------------------------------------------


def test_field_staff_see_the_figures_of_their_neighbourhoods_only(client, demo, bel_air_staff):
    project = demo[0]
    snapshot = ProgressSnapshot.objects.filter(target__indicator="youth_jobs").latest()
    bel_air_jobs = int(snapshot.breakdown["neighbourhood"]["Bel Air"])
    client.force_login(bel_air_staff)
    page = parse(client.get(reverse("dashboard:index")))
    assert number(first(card_of(page, "youth_jobs"), "actual").text_content()) == bel_air_jobs
    assert not page.xpath("//canvas")  # project-wide trend and forecast are for managers
    assert "Fort National" not in first(page, "secondary-table").text_content()
    assert listed_count(client, project, "youth_jobs") == bel_air_jobs
    fort_national = Neighbourhood.objects.get(name="Fort National")
    assert listed_count(client, project, "youth_jobs", neighbourhood=fort_national.pk) == bel_air_jobs
    other_site = RehabSite.objects.filter(neighbourhood=fort_national).first()
    assert client.get(reverse("dashboard:site", args=[other_site.pk])).status_code == 404
    other_person = Beneficiary.objects.filter(neighbourhood=fort_national).first()
    assert client.get(reverse("dashboard:beneficiary", args=[other_person.pk])).status_code == 404


# --- traceability --------------------------------------------------------------------------------


def _png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "#0072b2").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="wall.png")


def test_a_site_page_leads_from_the_forum_decision_to_the_work_and_jobs(manager_client, demo):
    site = RehabSite.objects.select_related("priority__session__forum").get(
        name="Mur de soutènement — Bel Air"
    )
    record = site.work_records.filter(review_state=ReviewState.VERIFIED).first()
    record.photo.save("wall.png", _png())
    response = manager_client.get(reverse("dashboard:site", args=[site.pk]))
    page = parse(response)
    text = page.text_content()
    assert site.priority.session.forum.name in text
    assert site.contractor.name in text
    assert "manager" in text  # who verified the work
    assert page.xpath(f"//img[@src='{reverse('field:work-photo', args=[record.pk])}']")
    for job in site.jobs.all():
        assert job.worker.code in text
    verified = sum(r.completed_area_m2 for r in site.work_records.filter(review_state=ReviewState.VERIFIED))
    assert f"{verified.normalize():f}" in text.replace("\xa0", " ")


def test_a_beneficiary_can_be_followed_from_selection_to_job(client, demo, demo_administrator):
    job = (
        Job.objects.filter(review_state=ReviewState.VERIFIED, site__isnull=False)
        .select_related("worker")
        .first()
    )
    person = job.worker
    url = reverse("dashboard:beneficiary", args=[person.pk])
    client.force_login(demo[1])
    page = parse(client.get(url))
    text = page.text_content()
    assert "Forum communautaire" in text and job.business.name in text
    assert page.xpath(f"//a[@href='{reverse('dashboard:site', args=[job.site_id])}']")
    assert person.phone not in text and not by_class(page, "personal-data")
    client.force_login(demo_administrator)
    page = parse(client.get(url))
    assert person.phone in page.text_content()
    assert by_class(page, "personal-data")


def test_a_session_that_is_not_verified_does_not_count(manager_client, demo):
    project, manager = demo
    before = listed_count(manager_client, project, "forum_sessions")
    session = project.forum_sessions.first()
    review_set_state(record=session, to_state=ReviewState.RETURNED, by=manager, comment="Recount")
    assert listed_count(manager_client, project, "forum_sessions") == before - 1
    figures = selectors.dashboard_for(manager).partnerships[0].projects[0].secondary
    assert {f.key: f.total for f in figures.figures}["sessions"] == before - 1


def test_field_staff_see_their_share_of_a_target_when_one_is_set(client, demo, bel_air_staff):
    target = Target.objects.get(project=demo[0], indicator="youth_jobs")
    TargetSplit.objects.create(
        target=target, neighbourhood=Neighbourhood.objects.get(name="Bel Air"), value=57
    )
    bel_air_jobs = int(
        ProgressSnapshot.objects.filter(target=target).latest().breakdown["neighbourhood"]["Bel Air"]
    )
    client.force_login(bel_air_staff)
    card = card_of(parse(client.get(reverse("dashboard:index"))), "youth_jobs")
    assert number(first(card, "target-value").text_content()) == 57
    shown = number(first(card, "percent").text_content().rstrip("% "))
    assert shown == pytest.approx(float(progress.percent(Decimal(bel_air_jobs), Decimal(57))), abs=0.05)


def test_the_dashboard_speaks_french_by_default(client, demo, settings):
    settings.LANGUAGE_CODE = "fr"
    client.force_login(demo[1])
    page = parse(client.get(reverse("dashboard:index")))
    assert page.xpath("/html/@lang") == ["fr"]
    card = card_of(page, "businesses")
    assert first(card, "percent").text_content().strip() == "56,3 %"
    assert "mars 2016" in first(page, "status-explanation").text_content()


def test_many_projects_are_paged_and_the_page_makes_as_many_queries(client, django_assert_max_num_queries):
    from conftest import make_user
    from dashboard.selectors import PROJECTS_PER_PAGE
    from programs import roles
    from programs.tests.factories import ProjectFactory, TargetFactory
    from progress.services import progress_recompute

    for _ in range(PROJECTS_PER_PAGE + 3):
        TargetFactory(project=ProjectFactory())
    progress_recompute()
    client.force_login(make_user("pager", roles.ILO_MANAGERS))
    first = client.get(reverse("dashboard:index"))
    assert first.context["dashboard"].page.paginator.num_pages >= 2
    shown = [b.project for p in first.context["dashboard"].partnerships for b in p.projects]
    assert len(shown) == PROJECTS_PER_PAGE
    second = client.get(reverse("dashboard:index"), {"page": 2})
    assert not {b.project for p in second.context["dashboard"].partnerships for b in p.projects} & set(shown)


def test_a_drill_down_offers_its_projects_neighbourhoods_not_every_one(manager_client, demo):
    from programs.tests.factories import NeighbourhoodFactory

    project, _manager = demo
    NeighbourhoodFactory(name="Cité Soleil")  # of no project here
    response = manager_client.get(figure_url(project, "businesses"))
    choices = [label for _value, label in response.context["filter"].form.fields["neighbourhood"].choices]
    assert choices[1:] == ["Bel Air (Port-au-Prince)", "Fort National (Port-au-Prince)"]


@pytest.mark.parametrize(("language", "field"), [("ht", "title_ht"), ("fr", "title_fr"), ("en", "title")])
def test_the_project_is_named_in_the_page_s_language(manager_client, demo, language, field):
    """The project gives its title in Kreyòl and French: a page read in Kreyòl names it in Kreyòl."""
    project = Target.objects.get(indicator="youth_jobs").project
    manager_client.cookies["django_language"] = language
    page = parse(manager_client.get(reverse("dashboard:index")))
    heading = page.get_element_by_id(f"project-{project.pk}").text_content().strip()
    assert getattr(project, field) and heading == getattr(project, field)
