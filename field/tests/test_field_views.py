"""Field data entry through the views: scoping, rules as form messages, review, double submits."""

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.models import Job
from fora.models import ForumSession
from programs.models import ReviewEvent, ReviewState
from rehab.models import WorkRecord
from rehab.tests.factories import WorkRecordFactory
from tests.worlds import two_neighbourhoods

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2014, 10, 6)
SUBMITTED = {
    "review_state": ReviewState.SUBMITTED,
    "review_changed_at": datetime.datetime(2014, 10, 6, tzinfo=datetime.UTC),
}


@pytest.fixture
def world():
    return two_neighbourhoods(manager="manager-f")


def photo(size=(2400, 1800)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile("chantier.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("field:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "kind,attr", [("sessions", "session"), ("jobs", "job"), ("work", "work"), ("businesses", "business")]
)
def test_staff_of_bel_air_get_404_on_every_fort_national_record_url(client, world, kind, attr):
    client.force_login(world["Bel Air"].staff)
    other = getattr(world["Fort National"], attr)
    for name in ("detail", "edit"):
        assert client.get(reverse(f"field:{name}", args=[kind, other.pk])).status_code == 404
    assert client.post(reverse("field:submit", args=[kind, other.pk])).status_code == 404
    own = getattr(world["Bel Air"], attr)
    assert client.get(reverse("field:detail", args=[kind, own.pk])).status_code == 200


@pytest.mark.parametrize(
    "kind,attr", [("sessions", "session"), ("jobs", "job"), ("work", "work"), ("businesses", "business")]
)
def test_lists_hold_no_row_of_another_neighbourhood(client, world, kind, attr):
    client.force_login(world["Bel Air"].staff)
    page = client.get(reverse("field:list", args=[kind]))
    pks = {record.pk for record in page.context["page"]}
    assert getattr(world["Bel Air"], attr).pk in pks
    assert getattr(world["Fort National"], attr).pk not in pks


def test_a_form_offers_only_choices_of_the_staff_members_neighbourhoods(client, world):
    client.force_login(world["Bel Air"].staff)
    form = client.get(reverse("field:create", args=["work"])).context["form"]
    assert list(form.fields["site"].queryset) == [world["Bel Air"].site]
    assert form.initial["site"] == world["Bel Air"].site.pk


def test_posting_another_neighbourhoods_site_is_refused_and_saves_nothing(client, world):
    client.force_login(world["Bel Air"].staff)
    response = client.post(
        reverse("field:create", args=["work"]),
        {
            "site": world["Fort National"].site.pk,
            "date": "2014-10-07",
            "completed_area_m2": "10",
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert "site" in response.context["form"].errors
    assert WorkRecord.objects.count() == 2


def test_managers_review_but_never_enter_field_data(client, world):
    client.force_login(world["manager"])
    assert client.get(reverse("field:create", args=["work"])).status_code == 403
    assert client.get(reverse("field:review")).status_code == 200
    client.force_login(world["Bel Air"].staff)
    assert client.get(reverse("field:review")).status_code == 403


def test_a_forum_session_with_priorities_and_selections_is_submitted(client, world):
    hood = world["Bel Air"]
    people = [BeneficiaryFactory(neighbourhood=hood.neighbourhood) for _ in range(2)]
    client.force_login(hood.staff)
    data = {
        "forum": hood.forum.pk,
        "project": hood.site.project_id,
        "kind": "consultation",
        "held_on": "2014-05-03",
        "women": "12",
        "men": "9",
        "youth": "11",
        "notes": "",
        "token": str(uuid.uuid4()),
        "selected_codes": f"{people[0].code}\n{people[1].code.lower()}",
        "priorities-TOTAL_FORMS": "2",
        "priorities-INITIAL_FORMS": "0",
        "priorities-MIN_NUM_FORMS": "0",
        "priorities-MAX_NUM_FORMS": "20",
        "priorities-0-rank": "1",
        "priorities-0-name": "Mur rue Tiremasse",
        "priorities-0-kind": "retaining_wall",
        "priorities-0-estimated_area_m2": "120",
        "priorities-1-rank": "",
        "priorities-1-name": "",
        "priorities-1-kind": "",
        "priorities-1-estimated_area_m2": "",
        "submit": "1",
    }
    response = client.post(reverse("field:create", args=["sessions"]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    session = ForumSession.objects.latest("pk")
    assert session.review_state == ReviewState.SUBMITTED
    assert session.created_by == hood.staff
    assert [p.name for p in session.priorities.all()] == ["Mur rue Tiremasse"]
    assert {s.beneficiary for s in session.selections.all()} == set(people)
    assert ReviewEvent.objects.filter(object_id=session.pk, to_state="submitted", by=hood.staff).exists()


def test_a_double_submitted_form_saves_once(client, world):
    hood = world["Bel Air"]
    client.force_login(hood.staff)
    data = {
        "site": hood.site.pk,
        "date": "2014-10-08",
        "completed_area_m2": "25",
        "token": str(uuid.uuid4()),
        "submit": "1",
    }
    first = client.post(reverse("field:create", args=["work"]), data)
    second = client.post(reverse("field:create", args=["work"]), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert WorkRecord.objects.filter(site=hood.site).count() == 2  # the fixture's and this one


def test_child_labour_shows_as_a_message_on_the_worker_field_and_saves_nothing(client, world):
    hood = world["Bel Air"]
    child = BeneficiaryFactory(neighbourhood=hood.neighbourhood, date_of_birth=datetime.date(2000, 1, 1))
    client.force_login(hood.staff)
    response = client.post(
        reverse("field:create", args=["jobs"]),
        {
            "business": hood.business.pk,
            "worker": child.code,
            "role": "Aide",
            "start_date": "2014-10-01",
            "is_rehab_work": "on",
            "site": hood.site.pk,
            "token": str(uuid.uuid4()),
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert "child labour" in " ".join(response.context["form"].errors["worker"]).lower()
    assert not Job.objects.filter(worker=child).exists()


@pytest.mark.parametrize(
    "area,field,message",
    [
        ("450", "completed_area_m2", "remain"),
        ("-3", "completed_area_m2", ""),
        ("abc", "completed_area_m2", ""),
    ],
)
def test_bad_work_records_get_a_field_message(client, world, area, field, message):
    hood = world["Bel Air"]
    client.force_login(hood.staff)
    response = client.post(
        reverse("field:create", args=["work"]),
        {
            "site": hood.site.pk,
            "date": "2014-10-08",
            "completed_area_m2": area,
            "token": str(uuid.uuid4()),
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert WorkRecord.objects.filter(site=hood.site).count() == 1


def test_a_future_date_is_refused_with_its_message(client, world):
    hood = world["Bel Air"]
    client.force_login(hood.staff)
    response = client.post(
        reverse("field:create", args=["work"]),
        {
            "site": hood.site.pk,
            "date": "2099-01-01",
            "completed_area_m2": "5",
            "submit": "1",
        },
    )
    assert "future" in " ".join(response.context["form"].errors["date"])


def test_a_photo_is_shrunk_and_an_oversized_one_refused(client, world, settings):
    hood = world["Bel Air"]
    client.force_login(hood.staff)
    response = client.post(
        reverse("field:create", args=["work"]),
        {
            "site": hood.site.pk,
            "date": "2014-10-08",
            "completed_area_m2": "5",
            "photo": photo(),
            "submit": "1",
        },
    )
    assert response.status_code == 302
    record = WorkRecord.objects.latest("pk")
    with Image.open(record.photo.path) as stored:
        assert max(stored.size) == settings.PHOTO_MAX_DIMENSION
    settings.PHOTO_MAX_UPLOAD_BYTES = 1000
    response = client.post(
        reverse("field:create", args=["work"]),
        {
            "site": hood.site.pk,
            "date": "2014-10-09",
            "completed_area_m2": "5",
            "photo": photo(),
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert "limit" in " ".join(response.context["form"].errors["photo"])


def test_a_returned_record_is_fixed_and_resubmitted_with_its_history(client, world):
    hood = world["Bel Air"]
    record = WorkRecordFactory(
        site=hood.site, completed_area_m2=Decimal("40"), created_by=hood.staff, **SUBMITTED
    )
    client.force_login(world["manager"])
    refused = client.post(
        reverse("field:review-decide", args=["work", record.pk]), {"decision": "return", "comment": ""}
    )
    assert refused.status_code == 302
    record.refresh_from_db()
    assert record.review_state == ReviewState.SUBMITTED
    client.post(
        reverse("field:review-decide", args=["work", record.pk]),
        {"decision": "return", "comment": "Photo manquante"},
    )
    record.refresh_from_db()
    assert record.review_state == ReviewState.RETURNED

    client.force_login(hood.staff)
    home = client.get(reverse("field:home"))
    assert [(e.record, e.comment) for e in home.context["returned"]] == [(record, "Photo manquante")]
    response = client.post(
        reverse("field:edit", args=["work", record.pk]),
        {
            "site": hood.site.pk,
            "date": "2014-10-06",
            "completed_area_m2": "35",
            "photo": photo((800, 600)),
            "token": str(uuid.uuid4()),
            "submit": "1",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.review_state, record.completed_area_m2) == (ReviewState.SUBMITTED, Decimal("35"))
    detail = client.get(reverse("field:detail", args=["work", record.pk]))
    assert [e.to_state for e in detail.context["events"]] == ["returned", "submitted"]
    assert "Photo manquante" in detail.content.decode()


def test_the_review_queue_is_oldest_first_counts_per_neighbourhood_and_verifies_many(client, world):
    old = WorkRecordFactory(site=world["Fort National"].site, completed_area_m2=Decimal("10"), **SUBMITTED)
    newer = WorkRecordFactory(
        site=world["Bel Air"].site,
        completed_area_m2=Decimal("10"),
        review_state=ReviewState.SUBMITTED,
        review_changed_at=datetime.datetime(2014, 11, 1, tzinfo=datetime.UTC),
    )
    client.force_login(world["manager"])
    queue = client.get(reverse("field:review")).context
    assert [e.record for e in queue["items"]] == [old, newer]
    assert dict(queue["counts"]) == {"Bel Air": 1, "Fort National": 1}
    client.post(reverse("field:review"), {"record": [f"work:{old.pk}", f"work:{newer.pk}", "work:999999"]})
    assert set(WorkRecord.objects.filter(review_state=ReviewState.VERIFIED)) == {old, newer}


def test_a_verified_record_can_no_longer_be_edited_by_staff(client, world):
    hood = world["Bel Air"]
    record = WorkRecordFactory(
        site=hood.site,
        completed_area_m2=Decimal("5"),
        review_state=ReviewState.VERIFIED,
        review_changed_at=SUBMITTED["review_changed_at"],
    )
    client.force_login(hood.staff)
    response = client.post(
        reverse("field:edit", args=["work", record.pk]),
        {"site": hood.site.pk, "date": "2014-10-06", "completed_area_m2": "500", "submit": "1"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.completed_area_m2 == Decimal("5")


def test_beneficiary_search_returns_codes_and_names_of_own_neighbourhoods_only(client, world):
    mine = BeneficiaryFactory(
        neighbourhood=world["Bel Air"].neighbourhood, code="BA-7777", last_name="Toussaint"
    )
    BeneficiaryFactory(
        neighbourhood=world["Fort National"].neighbourhood, code="FN-7777", last_name="Toussaint"
    )
    client.force_login(world["Bel Air"].staff)
    results = client.get(reverse("field:beneficiary-search"), {"q": "touss"}).json()["results"]
    assert results == [{"code": mine.code, "name": f"{mine.first_name} {mine.last_name}"}]
    assert "phone" not in str(results)


def test_no_field_page_answers_500_to_garbage(client, world):
    client.force_login(world["Bel Air"].staff)
    for kind in ("sessions", "businesses", "jobs", "services", "work"):
        response = client.post(
            reverse("field:create", args=[kind]),
            {
                "token": "not-a-uuid",
                "women": "-1",
                "held_on": "31/31/2014",
                "worker": "<script>",
                "owner": "x" * 500,
                "completed_area_m2": "1e999",
                "priorities-TOTAL_FORMS": "x",
            },
        )
        assert response.status_code in (200, 400), (kind, response.status_code)
    assert client.get("/field/nothing/").status_code == 404


def test_the_second_of_two_concurrent_edits_is_refused_with_a_message(client, world):
    hood = world["Bel Air"]
    record = WorkRecordFactory(site=hood.site, completed_area_m2=Decimal("20"), created_by=hood.staff)
    client.force_login(hood.staff)
    shown = client.get(reverse("field:edit", args=["work", record.pk])).context["form"].initial["version"]
    data = {"site": hood.site.pk, "date": "2014-10-06", "version": shown, "draft": "1"}
    first = client.post(
        reverse("field:edit", args=["work", record.pk]),
        {**data, "completed_area_m2": "30", "token": str(uuid.uuid4())},
    )
    assert first.status_code == 302
    second = client.post(
        reverse("field:edit", args=["work", record.pk]),
        {**data, "completed_area_m2": "45", "token": str(uuid.uuid4())},
    )
    assert second.status_code == 200
    assert "someone else changed" in " ".join(second.context["form"].non_field_errors()).lower()
    record.refresh_from_db()
    assert record.completed_area_m2 == Decimal("30")


def test_a_work_photo_is_served_only_to_those_who_may_see_the_record(client, world):
    hood = world["Bel Air"]
    client.force_login(hood.staff)
    client.post(
        reverse("field:create", args=["work"]),
        {
            "site": hood.site.pk,
            "date": "2014-10-08",
            "completed_area_m2": "5",
            "photo": photo((640, 480)),
            "submit": "1",
        },
    )
    record = WorkRecord.objects.latest("pk")
    own = client.get(reverse("field:work-photo", args=[record.pk]))
    assert own.status_code == 200
    assert own["Content-Type"] == "image/jpeg"
    client.force_login(world["Fort National"].staff)
    assert client.get(reverse("field:work-photo", args=[record.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("field:work-photo", args=[record.pk])).status_code == 302


def test_a_phone_set_to_french_gets_the_child_labour_message_in_french(client, world):
    hood = world["Bel Air"]
    child = BeneficiaryFactory(neighbourhood=hood.neighbourhood, date_of_birth=datetime.date(2000, 1, 1))
    client.force_login(hood.staff)
    response = client.post(
        reverse("field:create", args=["jobs"]),
        {
            "business": hood.business.pk,
            "worker": child.code,
            "role": "Aide",
            "start_date": "2014-10-01",
            "token": str(uuid.uuid4()),
            "submit": "1",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "travail des enfants" in " ".join(response.context["form"].errors["worker"]).lower()
    assert 'lang="fr"' in response.content.decode()


def test_with_many_neighbourhoods_waiting_the_queue_offers_the_busiest_and_the_rest_by_name(client, world):
    """A programme of thousands of neighbourhoods: not a button for each."""
    from field.selectors import COUNTS_SHOWN
    from programs.tests.factories import NeighbourhoodFactory
    from rehab.tests.factories import RehabSiteFactory

    project = world["Bel Air"].site.project
    for n in range(COUNTS_SHOWN + 3):
        hood = NeighbourhoodFactory(name=f"Quartier {n:02d}")
        project.neighbourhoods.add(hood)
        site = RehabSiteFactory(project=project, neighbourhood=hood, planned_area_m2=Decimal("100"))
        for _ in range(1 + (n < COUNTS_SHOWN)):  # the first ones have two records waiting
            WorkRecordFactory(site=site, completed_area_m2=Decimal("1"), **SUBMITTED)
    client.force_login(world["manager"])
    page = client.get(reverse("field:review"))
    counts = dict(page.context["counts"])
    assert len(counts) == COUNTS_SHOWN and all(count == 2 for count in counts.values())
    assert page.context["more_neighbourhoods"] == 3 and page.context["total"] == 2 * COUNTS_SHOWN + 3
    assert 'data-more-neighbourhoods="3"' in page.content.decode()
    chosen = client.get(reverse("field:review"), {"neighbourhood": f"Quartier {COUNTS_SHOWN + 1:02d}"})
    assert [e.record.site.neighbourhood.name for e in chosen.context["items"]] == [
        f"Quartier {COUNTS_SHOWN + 1:02d}"
    ]
    assert f"Quartier {COUNTS_SHOWN + 1:02d}" in dict(chosen.context["counts"])
