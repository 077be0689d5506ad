"""The REST API: permissions and scoping per endpoint, writes through the field service, errors."""

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from beneficiaries.tests.factories import BeneficiaryFactory
from interop.tests.conftest import module_transaction
from programs.models import ReviewEvent, ReviewState, Target
from programs.tests.factories import TargetFactory
from rehab.models import WorkRecord
from tests.worlds import two_neighbourhoods

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world_data(django_db_setup, django_db_blocker):
    """Two neighbourhoods with a record of each kind and their staff, once for the module."""
    with module_transaction(django_db_blocker):
        yield two_neighbourhoods(manager="manager-api", admin="admin-api")


@pytest.fixture
def world(world_data, db):
    return world_data


def api(user=None) -> APIClient:
    """A client authenticated by the user's token, as a partner's tool would be (in English)."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(name: str, *args) -> str:
    return reverse(f"interop:{name}", args=args)


READ_ENDPOINTS = [
    "partnership-list",
    "project-list",
    "target-list",
    "neighbourhood-list",
    "forum-list",
    "centre-list",
    "beneficiary-list",
    "rehab-site-list",
    "forum-session-list",
    "business-list",
    "job-list",
    "esc-service-list",
    "work-record-list",
]

RECORDS = [
    ("forum-session", "session"),
    ("business", "business"),
    ("job", "job"),
    ("work-record", "work"),
    ("rehab-site", "site"),
    ("centre", "centre"),
    ("forum", "forum"),
    ("neighbourhood", "neighbourhood"),
]


@pytest.mark.parametrize("name", READ_ENDPOINTS)
def test_every_endpoint_refuses_anonymous_requests_with_401(world, name):
    response = api().get(url(name))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("name", READ_ENDPOINTS)
def test_a_user_without_a_role_gets_403(world, name):
    from django.contrib.auth.models import User

    nobody = User.objects.create_user("nobody", password="pw-nobody")
    assert api(nobody).get(url(name)).status_code == 403


@pytest.mark.parametrize("name", READ_ENDPOINTS)
def test_every_endpoint_answers_each_role_with_a_page(world, name):
    for user in (world["Bel Air"].staff, world["manager"], world["admin"]):
        response = api(user).get(url(name))
        assert response.status_code == 200, (user, response.content)
        assert {"count", "next", "previous", "results"} <= set(response.json())


@pytest.mark.parametrize("basename,attr", RECORDS)
def test_bel_air_staff_get_404_on_fort_national_records_and_see_only_their_own(world, basename, attr):
    client = api(world["Bel Air"].staff)
    other = getattr(world["Fort National"], attr)
    own = getattr(world["Bel Air"], attr)
    assert client.get(url(f"{basename}-detail", other.pk)).status_code == 404
    assert client.get(url(f"{basename}-detail", own.pk)).status_code == 200
    ids = {row["id"] for row in client.get(url(f"{basename}-list")).json()["results"]}
    assert own.pk in ids and other.pk not in ids
    manager_ids = {row["id"] for row in api(world["manager"]).get(url(f"{basename}-list")).json()["results"]}
    assert {own.pk, other.pk} <= manager_ids


@pytest.mark.parametrize(
    "basename,attr", [("forum-session", "session"), ("job", "job"), ("work-record", "work")]
)
def test_bel_air_staff_cannot_change_or_submit_a_fort_national_record(world, basename, attr):
    client = api(world["Bel Air"].staff)
    other = getattr(world["Fort National"], attr)
    assert client.patch(url(f"{basename}-detail", other.pk), {"notes": "x"}, format="json").status_code == 404
    assert client.post(url(f"{basename}-submit", other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.review_state == ReviewState.DRAFT


def work_payload(site, **extra):
    return {"site": site.pk, "date": "2014-10-07", "completed_area_m2": "25.50", **extra}


def test_field_staff_create_a_work_record_as_a_draft_through_the_service(world):
    bel_air = world["Bel Air"]
    response = api(bel_air.staff).post(url("work-record-list"), work_payload(bel_air.site), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["review_state"] == "draft"
    assert body["created_by"] == bel_air.staff.username
    assert body["neighbourhood"] == bel_air.neighbourhood.pk
    record = WorkRecord.objects.get(pk=body["id"])
    assert record.completed_area_m2 == Decimal("25.50")
    assert ReviewEvent.objects.filter(object_id=record.pk, to_state="draft").exists()


def test_create_with_submit_then_a_manager_verifies_and_it_can_no_longer_change(world):
    bel_air = world["Bel Air"]
    staff = api(bel_air.staff)
    created = staff.post(url("work-record-list"), work_payload(bel_air.site, submit=True), format="json")
    assert created.status_code == 201
    assert created.json()["review_state"] == "submitted"
    pk = created.json()["id"]

    assert (
        staff.post(url("work-record-review", pk), {"to_state": "verified"}, format="json").status_code == 403
    )
    verified = api(world["manager"]).post(
        url("work-record-review", pk), {"to_state": "verified"}, format="json"
    )
    assert verified.status_code == 200
    assert verified.json()["review_state"] == "verified"
    assert verified.json()["review_changed_by"] == world["manager"].username

    changed = staff.patch(url("work-record-detail", pk), {"completed_area_m2": "1"}, format="json")
    assert changed.status_code == 400
    assert "verified" in str(changed.json()["non_field_errors"])


def test_a_draft_is_changed_then_submitted(world):
    bel_air = world["Bel Air"]
    staff = api(bel_air.staff)
    pk = bel_air.work.pk
    changed = staff.patch(url("work-record-detail", pk), {"notes": "Mur terminé"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["notes"] == "Mur terminé"
    submitted = staff.post(url("work-record-submit", pk))
    assert submitted.status_code == 200
    assert submitted.json()["review_state"] == "submitted"


def test_returning_needs_a_comment_and_a_manager_cannot_create_records(world):
    bel_air = world["Bel Air"]
    api(bel_air.staff).post(url("work-record-submit", bel_air.work.pk))
    manager = api(world["manager"])
    refused = manager.post(
        url("work-record-review", bel_air.work.pk), {"to_state": "returned"}, format="json"
    )
    assert refused.status_code == 400
    assert "comment" in refused.json()
    returned = manager.post(
        url("work-record-review", bel_air.work.pk),
        {"to_state": "returned", "comment": "Photo manquante"},
        format="json",
    )
    assert returned.json()["review_state"] == "returned"
    created = manager.post(url("work-record-list"), work_payload(bel_air.site), format="json")
    assert created.status_code == 403
    assert manager.post(url("work-record-submit", bel_air.work.pk)).status_code == 403


def test_a_site_of_another_neighbourhood_is_refused_with_a_field_message(world):
    staff = api(world["Bel Air"].staff)
    response = staff.post(url("work-record-list"), work_payload(world["Fort National"].site), format="json")
    assert response.status_code == 400
    assert "site" in response.json()
    assert not WorkRecord.objects.filter(site=world["Fort National"].site, date="2014-10-07").exists()


def test_the_forms_domain_rules_come_back_as_400_with_field_messages(world):
    bel_air = world["Bel Air"]
    staff = api(bel_air.staff)
    too_much = staff.post(
        url("work-record-list"), work_payload(bel_air.site, completed_area_m2="450"), format="json"
    )
    assert too_much.status_code == 400
    assert "400" in too_much.json()["completed_area_m2"][0]  # only 400 m² of the 500 remain
    before_signing = staff.post(
        url("work-record-list"), work_payload(bel_air.site, date="2014-01-01"), format="json"
    )
    assert before_signing.status_code == 400
    assert "date" in before_signing.json()
    future = staff.post(url("work-record-list"), work_payload(bel_air.site, date="2099-01-01"), format="json")
    assert future.status_code == 400 and "date" in future.json()
    missing = staff.post(url("work-record-list"), {}, format="json")
    assert missing.status_code == 400
    assert {"site", "date", "completed_area_m2"} <= set(missing.json())


def test_child_labour_is_refused_on_a_job_with_the_workers_message(world):
    bel_air = world["Bel Air"]
    child = BeneficiaryFactory(neighbourhood=bel_air.neighbourhood, date_of_birth=datetime.date(2000, 1, 1))
    response = api(bel_air.staff).post(
        url("job-list"),
        {
            "business": bel_air.business.pk,
            "worker": child.code.lower(),
            "role": "Maçon",
            "start_date": "2014-09-01",
            "is_rehab_work": True,
            "site": bel_air.site.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Child labour" in response.json()["worker"][0]


def test_a_worker_of_another_neighbourhood_is_unknown(world):
    bel_air = world["Bel Air"]
    stranger = world["Fort National"].job.worker
    response = api(bel_air.staff).post(
        url("job-list"),
        {
            "business": bel_air.business.pk,
            "worker": stranger.code,
            "role": "Aide",
            "start_date": "2014-09-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert stranger.code in response.json()["worker"][0]


def test_a_forum_session_with_selected_people(world):
    bel_air = world["Bel Air"]
    people = [BeneficiaryFactory(neighbourhood=bel_air.neighbourhood) for _ in range(2)]
    response = api(bel_air.staff).post(
        url("forum-session-list"),
        {
            "forum": bel_air.forum.pk,
            "project": world["project"].pk,
            "kind": "consultation",
            "held_on": "2014-09-10",
            "women": 10,
            "men": 12,
            "youth": 8,
            "selected_codes": [p.code for p in people],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["selected_codes"] == [p.code for p in people]
    outsider = world["Fort National"].job.worker.code
    refused = api(bel_air.staff).patch(
        url("forum-session-detail", response.json()["id"]), {"selected_codes": [outsider]}, format="json"
    )
    assert refused.status_code == 400
    assert outsider in refused.json()["selected_codes"][0]


def test_the_same_token_saves_once(world):
    bel_air = world["Bel Air"]
    staff = api(bel_air.staff)
    payload = work_payload(bel_air.site, token=str(uuid.uuid4()))
    first = staff.post(url("work-record-list"), payload, format="json")
    second = staff.post(url("work-record-list"), payload, format="json")
    assert first.json()["id"] == second.json()["id"]
    assert WorkRecord.objects.filter(site=bel_air.site).count() == 2  # the factory's and this one


def test_a_photo_is_uploaded_and_shrunk_as_by_the_form(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bel_air = world["Bel Air"]
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (120, 90, 60)).save(buffer, format="PNG")
    photo = SimpleUploadedFile("chantier.png", buffer.getvalue(), content_type="image/png")
    response = api(bel_air.staff).post(
        url("work-record-list"), {**work_payload(bel_air.site), "photo": photo}, format="multipart"
    )
    assert response.status_code == 201, response.content
    record = WorkRecord.objects.get(pk=response.json()["id"])
    assert record.photo.name.endswith(".jpg")
    with Image.open(record.photo.path) as stored:
        assert max(stored.size) == settings.PHOTO_MAX_DIMENSION


def test_personal_data_only_for_those_allowed(world):
    person = world["Bel Air"].job.worker
    for user, shown in ((world["Bel Air"].staff, False), (world["manager"], False), (world["admin"], True)):
        body = api(user).get(url("beneficiary-detail", person.pk)).json()
        assert body["code"] == person.code
        if shown:
            assert body["phone"] == person.phone
            assert body["date_of_birth"] == person.date_of_birth.isoformat()
        else:
            assert body["phone"] is None and body["date_of_birth"] is None


def test_targets_carry_their_latest_progress_and_history(world):
    from progress.services import progress_recompute

    project = world["project"]
    target = TargetFactory(
        project=project, indicator=Target.Indicator.REHABILITATED_AREA, value=Decimal(4000)
    )
    staff = api(world["Bel Air"].staff)
    assert staff.get(url("target-detail", target.pk)).json()["latest"] is None
    manager = api(world["manager"])
    work = world["Bel Air"].work
    api(world["Bel Air"].staff).post(url("work-record-submit", work.pk))
    manager.post(url("work-record-review", work.pk), {"to_state": "verified"}, format="json")
    progress_recompute(project_ids=[project.pk])
    body = staff.get(url("target-detail", target.pk)).json()
    assert Decimal(body["latest"]["actual"]) == Decimal(100)
    assert Decimal(body["value"]) == Decimal(4000)
    history = staff.get(url("target-history", target.pk)).json()
    assert history["count"] == 1
    assert Decimal(history["results"][0]["actual"]) == Decimal(100)
    assert staff.get(url("target-history", 999999)).status_code == 404


def test_lists_filter_by_review_state_neighbourhood_and_date(world):
    manager = api(world["manager"])
    bel_air = world["Bel Air"]
    rows = manager.get(url("work-record-list"), {"neighbourhood": bel_air.neighbourhood.pk}).json()["results"]
    assert [r["id"] for r in rows] == [bel_air.work.pk]
    assert manager.get(url("work-record-list"), {"review_state": "verified"}).json()["count"] == 0
    assert manager.get(url("work-record-list"), {"date_after": "2014-10-07"}).json()["count"] == 0
    assert manager.get(url("work-record-list"), {"date_before": "2014-10-06"}).json()["count"] == 2
    bad = manager.get(url("work-record-list"), {"date_after": "not-a-date"})
    assert bad.status_code == 400 and "date_after" in bad.json()


def test_database_refusals_are_400_not_500(world):
    """A rule only the database sees (a trigger) comes back as a field message."""
    from django.db import IntegrityError

    from interop.api.exceptions import exception_handler

    response = exception_handler(
        IntegrityError("completed_area_m2: the site's planned area is exceeded"), {"view": None}
    )
    assert response.status_code == 400
    assert response.data == {"completed_area_m2": ["the site's planned area is exceeded"]}


def test_a_token_is_obtained_with_username_and_password(world):
    client = APIClient()
    staff = world["Bel Air"].staff
    response = client.post(url("api-token"), {"username": staff.username, "password": f"pw-{staff.username}"})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(url("work-record-list")).status_code == 200
    wrong = APIClient().post(url("api-token"), {"username": staff.username, "password": "nope"})
    assert wrong.status_code == 400


def test_session_authentication_works_for_logged_in_users(world, client):
    client.force_login(world["manager"])
    assert client.get(url("project-list")).status_code == 200


def test_the_api_root_leads_to_the_documentation_and_unknown_paths_are_json_404(client):
    assert client.get("/api/")["Location"] == url("api-docs")
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_schema_is_openapi_3_and_docs_are_served_from_local_static_files(client):
    schema = client.get(url("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/work-records/" in document["paths"]
    assert "/api/targets/{target_pk}/history/" in document["paths"]
    docs = client.get(url("api-docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html and "http://" not in html  # no CDN
    assert "<script>" not in html  # the init script is a file: the CSP forbids inline scripts
    script = client.get(url("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")

    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_the_token_endpoint_is_throttled_like_the_login_page(world):
    """Five wrong passwords lock the account for that address (django-axes): even the right
    password is then refused, as a JSON 400, never a token."""
    staff = world["Fort National"].staff
    client = APIClient()
    for _attempt in range(5):
        assert (
            client.post(url("api-token"), {"username": staff.username, "password": "nope"}).status_code == 400
        )
    refused = client.post(url("api-token"), {"username": staff.username, "password": f"pw-{staff.username}"})
    assert refused.status_code == 400
    assert "token" not in refused.json()
