"""Hostile and careless input (issue 14): one-time tokens bound to their user and kind, no open
redirect, no 500 for odd ids or deep JSON, a tampered hidden field said plainly, construction work
recognised whatever the box says. Real requests on PostgreSQL."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Job
from enterprises.tests.factories import BusinessFactory
from programs.ids import MAX_ID, parse_id
from programs.models import FormSubmission, ReviewState
from programs.tests.factories import TargetFactory
from rehab.models import WorkRecord

pytestmark = pytest.mark.django_db

BEL_AIR, FORT_NATIONAL = "Bel Air", "Fort National"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def work_body(hood, token, **extra):
    return {
        "site": hood.site.pk,
        "date": "2014-10-06",
        "completed_area_m2": "5",
        "token": str(token),
        **extra,
    }


# --- one-time tokens ------------------------------------------------------------------------


def test_a_token_replayed_by_another_user_is_refused_and_never_returns_their_record(two_hoods):
    token = uuid.uuid4()
    fort = two_hoods[FORT_NATIONAL]
    first = api(fort.staff).post(
        "/api/work-records/", work_body(fort, token, notes="Fort secret"), format="json"
    )
    assert first.status_code == 201
    before = WorkRecord.objects.count()

    bel = two_hoods[BEL_AIR]
    replay = api(bel.staff).post("/api/work-records/", work_body(bel, token, notes="Bel Air"), format="json")

    assert replay.status_code == 409
    assert "token" in replay.json()
    assert "Fort secret" not in replay.content.decode() and fort.site.name not in replay.content.decode()
    assert WorkRecord.objects.count() == before


def test_a_token_replayed_by_its_owner_returns_the_owners_record(two_hoods):
    token = uuid.uuid4()
    hood = two_hoods[BEL_AIR]
    client = api(hood.staff)
    first = client.post("/api/work-records/", work_body(hood, token), format="json")
    again = client.post("/api/work-records/", work_body(hood, token), format="json")
    assert first.status_code == 201 and again.status_code in (200, 201)
    assert again.json()["id"] == first.json()["id"]
    assert FormSubmission.objects.filter(token=token).count() == 1


def test_a_jobs_token_reused_on_a_work_record_is_refused_through_the_api_and_the_form(two_hoods):
    hood = two_hoods[BEL_AIR]
    token = uuid.uuid4()
    job = {
        "business": hood.business.pk,
        "worker": BeneficiaryFactory(neighbourhood=hood.neighbourhood).code,
        "role": "Cashier",
        "start_date": "2014-11-03",
        "token": str(token),
    }
    assert api(hood.staff).post("/api/jobs/", job, format="json").status_code == 201
    before = WorkRecord.objects.count()

    through_api = api(hood.staff).post("/api/work-records/", work_body(hood, token), format="json")
    through_form = browser(hood.staff).post(reverse("field:create", args=["work"]), work_body(hood, token))

    assert through_api.status_code == 409
    assert through_form.status_code == 200
    assert "already used for another record" in through_form.content.decode()
    assert WorkRecord.objects.count() == before


def test_a_replayed_form_of_another_user_shows_nothing_of_their_record(two_hoods):
    token = uuid.uuid4()
    fort, bel = two_hoods[FORT_NATIONAL], two_hoods[BEL_AIR]
    browser(fort.staff).post(
        reverse("field:create", args=["work"]), work_body(fort, token, notes="Fort secret")
    )
    response = browser(bel.staff).post(reverse("field:create", args=["work"]), work_body(bel, token))
    page = response.content.decode()
    assert response.status_code == 200
    assert "already used for another record" in page
    assert "Fort secret" not in page and fort.site.name not in page


@pytest.mark.parametrize("field,value", [("token", "not-a-uuid"), ("version", "yesterday at noon")])
def test_a_tampered_hidden_field_is_said_at_the_top_of_the_form(two_hoods, field, value):
    hood = two_hoods[BEL_AIR]
    before = WorkRecord.objects.count()
    body = work_body(hood, uuid.uuid4()) | {field: value}
    response = browser(hood.staff).post(reverse("field:create", args=["work"]), body)
    assert response.status_code == 200
    assert "damaged" in response.content.decode()
    assert WorkRecord.objects.count() == before


# --- redirects, ids, JSON ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example/phish", "//evil.example/phish", "https:evil.example"]
)
def test_the_review_decision_never_redirects_to_another_site(two_hoods, target):
    job = two_hoods[BEL_AIR].job
    Job.objects.filter(pk=job.pk).update(
        review_state=ReviewState.SUBMITTED,
        review_changed_at=datetime.datetime(2014, 10, 6, tzinfo=datetime.UTC),
    )
    response = browser(two_hoods["manager"]).post(
        reverse("field:review-decide", args=["jobs", job.pk]), {"decision": "verify", "next": target}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_review_decision_follows_a_next_path_of_this_site(two_hoods):
    job = two_hoods[BEL_AIR].job
    Job.objects.filter(pk=job.pk).update(
        review_state=ReviewState.SUBMITTED,
        review_changed_at=datetime.datetime(2014, 10, 6, tzinfo=datetime.UTC),
    )
    response = browser(two_hoods["manager"]).post(
        reverse("field:review-decide", args=["jobs", job.pk]), {"decision": "verify", "next": "/field/jobs/"}
    )
    assert response["Location"] == "/field/jobs/"


@pytest.mark.parametrize("value", ["²", "٣", "-1", "0", str(MAX_ID + 1), "9" * 40, " 12 ", "1e3"])
def test_an_id_from_outside_is_parsed_strictly(value):
    expected = 12 if value == " 12 " else None
    assert parse_id(value) == expected


def test_verify_many_with_odd_ids_answers_a_page_not_a_500(two_hoods):
    response = browser(two_hoods["manager"]).post(
        reverse("field:review"), {"record": ["jobs:²", "jobs:9999999999999999999999999", "jobs:-3", "nope"]}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["neighbourhood", "business", "site"])
def test_an_id_filter_out_of_range_answers_400(two_hoods, name):
    response = api(two_hoods["manager"]).get(f"/api/jobs/?{name}=9999999999999999999999999")
    assert response.status_code == 400
    assert name in response.json()


@pytest.mark.parametrize("url", ["/api/jobs/", "/api/work-records/", "/api/auth/token/"])
def test_deeply_nested_json_answers_400(two_hoods, url):
    body = "[" * 100_000 + "]" * 100_000
    client = APIClient() if url.endswith("token/") else api(two_hoods[BEL_AIR].staff)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in json.dumps(response.json())


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_in_json_answers_400_in_the_persons_language(two_hoods, number):
    body = '{"site": 1, "date": "2014-10-06", "completed_area_m2": ' + number + "}"
    client = api(two_hoods[BEL_AIR].staff)
    english = client.post("/api/work-records/", body, content_type="application/json")
    french = client.post(
        "/api/work-records/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert english.status_code == french.status_code == 400
    assert (
        english.json()["detail"]
        == "JSON parse error: NaN and Infinity are not numbers in JSON; send a number."
    )
    assert french.json()["detail"] != english.json()["detail"]


# --- construction work whatever the box says -------------------------------------------------


@pytest.fixture
def teen(two_hoods):
    return BeneficiaryFactory(
        neighbourhood=two_hoods[BEL_AIR].neighbourhood, date_of_birth=datetime.date(1998, 1, 1)
    )


def job_body(business, worker, **extra):
    return {
        "business": business.pk,
        "worker": worker.code,
        "role": "Cashier",
        "start_date": "2014-10-01",
        "token": str(uuid.uuid4()),
        **extra,
    }


@pytest.mark.parametrize(
    "business_kwargs,role,reason",
    [
        ({"activity": "Masonry and retaining walls"}, "Helper", "does construction work"),
        ({"activity": "General services", "is_construction": True}, "Helper", "does construction work"),
        ({"activity": "Tailoring"}, "Maçon (construction)", "is construction work"),
    ],
)
def test_a_16_year_old_in_construction_work_is_refused_with_the_box_unticked(
    two_hoods, teen, business_kwargs, role, reason
):
    hood = two_hoods[BEL_AIR]
    business = BusinessFactory(centre=hood.centre, neighbourhood=hood.neighbourhood, **business_kwargs)
    before = Job.objects.count()

    form = browser(hood.staff).post(
        reverse("field:create", args=["jobs"]), job_body(business, teen, role=role)
    )
    through_api = api(hood.staff).post("/api/jobs/", job_body(business, teen, role=role), format="json")

    assert form.status_code == 200 and "Child labour is refused" in form.content.decode()
    assert reason in form.content.decode()
    assert through_api.status_code == 400 and "Child labour is refused" in json.dumps(through_api.json())
    assert Job.objects.count() == before


def test_the_database_refuses_construction_work_for_a_16_year_old_without_the_box(two_hoods, teen):
    hood = two_hoods[BEL_AIR]
    business = BusinessFactory(centre=hood.centre, neighbourhood=hood.neighbourhood, activity="Masonry")
    with pytest.raises(IntegrityError, match="child labour"), transaction.atomic():
        Job.objects.create(
            business=business,
            worker=teen,
            role="Helper",
            start_date=datetime.date(2014, 10, 1),
            is_rehab_work=False,
        )


def test_a_16_year_old_may_work_in_a_business_that_does_not_build(two_hoods, teen):
    hood = two_hoods[BEL_AIR]
    business = BusinessFactory(centre=hood.centre, neighbourhood=hood.neighbourhood, activity="Tailoring")
    response = api(hood.staff).post("/api/jobs/", job_body(business, teen), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["is_rehab_work"] is False


def test_construction_work_is_stored_as_such_when_the_box_was_left_unticked(two_hoods):
    hood = two_hoods[BEL_AIR]
    adult = BeneficiaryFactory(neighbourhood=hood.neighbourhood, date_of_birth=datetime.date(1990, 1, 1))
    business = BusinessFactory(centre=hood.centre, neighbourhood=hood.neighbourhood, activity="Paving")
    response = api(hood.staff).post("/api/jobs/", job_body(business, adult), format="json")
    assert response.status_code == 201
    assert Job.objects.get(pk=response.json()["id"]).is_rehab_work is True


@pytest.mark.parametrize(
    "moment", ["2015-01-01T00:00:00%2B20:00", "2015-01-01T00:00:00-23:59", "9999-12-31T23:59:59-05:00"]
)
def test_a_moment_filter_the_database_cannot_compare_answers_400(two_hoods, moment):
    target = TargetFactory(project=two_hoods[BEL_AIR].project)
    response = api(two_hoods["manager"]).get(f"/api/targets/{target.pk}/history/?as_of_after={moment}")
    assert response.status_code == 400
    assert "as_of_after" in response.json()


def test_another_neighbourhoods_record_is_not_found_as_any_other_in_the_persons_language(two_hoods):
    """The same 404 as for an id that does not exist: no model name, no English in French."""
    record = two_hoods[BEL_AIR].work
    client = api(two_hoods[FORT_NATIONAL].staff)
    for language, expected in (("en", "Not found."), ("fr", "Non trouvé.")):
        other = client.get(f"/api/work-records/{record.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        missing = client.get(f"/api/work-records/{MAX_ID}/", HTTP_ACCEPT_LANGUAGE=language)
        assert other.status_code == missing.status_code == 404
        assert other.json() == missing.json() == {"detail": expected}


@pytest.mark.parametrize("token", ["a" * 500, "x", "..", "_" * 22 + "a"])
def test_an_export_token_of_any_shape_answers_404(two_hoods, settings, tmp_path, token):
    from interop import exports

    settings.MEDIA_ROOT = tmp_path
    user = two_hoods[BEL_AIR].staff
    exports.export_dir(user.pk).mkdir(parents=True)  # a folder of files asked for before

    response = browser(user).get(f"/export/jobs/{token}/")

    assert response.status_code == 404
