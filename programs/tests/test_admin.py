"""The admin with the demo loaded: every registered model opens for an administrator, the admin
stays closed to anonymous users and field staff, and phone numbers only show with permission."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import formats, translation

from beneficiaries.models import Beneficiary
from conftest import make_user
from demo.loader import load_demo
from programs import roles

pytestmark = pytest.mark.django_db

REGISTERED = {model._meta.label_lower: model for model in admin.site._registry}
#: The registered models an administrator may not add by hand, by class name (their app may
#: move): axes' logs are written by django-axes, the access audit by `audit_access`, snapshots by
#: the recompute and review events by the review workflow.
ADDED_BY_THE_SYSTEM_ONLY = {
    "AccessAttempt",
    "AccessFailureLog",
    "AccessLog",
    "AccessAudit",
    "AccessChange",
    "PeriodEvent",
    "PeriodFigure",
    "PeriodNarrative",
    "ProgressSnapshot",
    "ReviewEvent",
}


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, in a transaction rolled back after its last test.

    Each test runs in a savepoint inside it (as with `TestCase.setUpTestData`), so what a test
    writes is undone and no row outlives the module.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def manager(db):
    return make_user("manager-test", roles.ILO_MANAGERS, is_staff=True)


@pytest.fixture
def field_staff(db):
    return make_user("terrain-test", roles.FIELD_STAFF)


def test_the_demo_is_there_for_every_test_of_the_module():
    assert Beneficiary.objects.count() > 0


@pytest.mark.parametrize("label", sorted(REGISTERED))
def test_administrator_opens_the_changelist(admin_client, label):
    response = admin_client.get(admin_url(REGISTERED[label], "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("label", sorted(REGISTERED))
def test_administrator_searches_the_changelist(admin_client, label):
    response = admin_client.get(admin_url(REGISTERED[label], "changelist"), {"q": "a"})

    assert response.status_code == 200


@pytest.mark.parametrize("label", sorted(REGISTERED))
def test_administrator_opens_the_add_page_when_allowed_to_add(admin_client, label):
    model = REGISTERED[label]

    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == (403 if model._meta.object_name in ADDED_BY_THE_SYSTEM_ONLY else 200)


def registered(object_name: str):
    return next(model for model in REGISTERED.values() if model._meta.object_name == object_name)


def fields_of_one(model, administrator) -> dict | None:
    """The fields of one object of a registered model the demo holds none of, by class name (the
    class itself comes from `REGISTERED`, wherever its app is); None for any other model."""
    login = {
        "username": "someone",
        "ip_address": "127.0.0.1",
        "user_agent": "pytest",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    match model._meta.object_name:
        case "TokenProxy":
            return {"user": administrator}
        case "StaticDevice" | "TOTPDevice":  # the second factor's recovery codes, authenticator
            return {"user": administrator, "name": "device"}
        case "AccessAttempt":
            return {**login, "get_data": "", "post_data": "username=someone", "failures_since_start": 1}
        case "AccessFailureLog":
            return login
        case "CrontabSchedule":
            return {"minute": "0", "hour": "6"}
        case "PeriodicTask":
            interval = registered("IntervalSchedule")._default_manager.create(every=1, period="days")
            return {"name": "daily", "task": "progress.tasks.snapshot_all_projects", "interval": interval}
        case "ClockedSchedule":
            return {"clocked_time": datetime.datetime(2014, 4, 1, 8, tzinfo=datetime.UTC)}
        case "IntervalSchedule":
            return {"every": 10, "period": "minutes"}
        case "SolarSchedule":  # sunrise over Port-au-Prince
            return {"event": "sunrise", "latitude": Decimal("18.5392"), "longitude": Decimal("-72.3350")}
        case "AccessAudit":
            return {
                "user": administrator,
                "username": administrator.username,
                "action": "view_personal",
                "what": "BA-0001",
            }
        case "NeighbourhoodAssignment":
            return {
                "user": make_user("terrain-assigned", roles.FIELD_STAFF),
                "neighbourhood": registered("Neighbourhood")._default_manager.first(),
            }
        case "PeriodNarrative" | "PeriodFigure" | "PeriodEvent":
            period = registered("ReportingPeriod")._default_manager.first()
            target = period.project.targets.first()
            return {
                "PeriodNarrative": {
                    "period": period,
                    "target": target,
                    "text": "Ti pwogrè",
                    "updated_by": administrator,
                },
                "PeriodFigure": {
                    "period": period,
                    "target": target,
                    "actual_in_period": Decimal("1"),
                    "actual_cumulative": Decimal("1"),
                    "approved_at": datetime.datetime(2015, 4, 2, tzinfo=datetime.UTC),
                },
                "PeriodEvent": {
                    "period": period,
                    "from_state": "open",
                    "to_state": "in_review",
                    "by": administrator,
                },
            }[model._meta.object_name]
        case "ReviewEvent":
            job = registered("Job")._default_manager.first()
            return {
                "content_type": ContentType.objects.get_for_model(job),
                "object_id": job.pk,
                "from_state": "draft",
                "to_state": "submitted",
                "by": administrator,
            }
    return None


@pytest.mark.parametrize("label", sorted(REGISTERED))
def test_administrator_opens_the_change_page_of_an_existing_object(admin_client, administrator, label):
    model = REGISTERED[label]
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        fields = fields_of_one(model, administrator)
        assert fields is not None, f"the demo has no {label}: add to fields_of_one() how to make one"
        obj = model._default_manager.create(**fields)

    response = admin_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


def test_anonymous_user_is_sent_to_the_admin_login(client):
    for url in (reverse("admin:index"), admin_url(Beneficiary, "changelist")):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_field_staff_without_is_staff_cannot_enter_the_admin(client, field_staff):
    client.force_login(field_staff)

    for url in (reverse("admin:index"), admin_url(Beneficiary, "changelist")):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_field_staff_cannot_log_in_through_the_admin_login_form(client, field_staff):
    response = client.post(
        reverse("admin:login"),
        {"username": field_staff.username, "password": f"pw-{field_staff.username}", "next": "/admin/"},
    )

    assert response.status_code == 200  # the form again, with its error
    assert response.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.fixture
def phones() -> list[str]:
    phones = sorted(Beneficiary.objects.exclude(phone="").values_list("phone", flat=True))
    assert phones and all(phone.startswith("+509 3") for phone in phones)
    return phones


def test_beneficiary_changelist_shows_phones_to_administrators(admin_client, phones):
    response = admin_client.get(admin_url(Beneficiary, "changelist"))

    shown = [b.phone for b in response.context["cl"].result_list if b.phone]
    content = response.content.decode().replace("\N{NO-BREAK SPACE}", " ")  # a number stays on one line
    assert shown
    assert [phone for phone in shown if phone not in content] == []


def test_beneficiary_changelist_hides_phones_from_staff_without_personal_data(client, manager, phones):
    client.force_login(manager)

    response = client.get(admin_url(Beneficiary, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == Beneficiary.objects.count()
    content = response.content.decode().replace("\N{NO-BREAK SPACE}", " ")
    assert [phone for phone in phones if phone in content] == []


def test_beneficiary_search_by_phone_finds_nothing_for_staff_without_personal_data(
    client, manager, admin_client, phones
):
    """Otherwise a search would tell whose number it is."""
    assert admin_client.get(admin_url(Beneficiary, "changelist"), {"q": phones[0]}).context["cl"].result_count

    client.force_login(manager)
    response = client.get(admin_url(Beneficiary, "changelist"), {"q": phones[0]})

    assert response.context["cl"].result_count == 0


def birth_date_spellings(day) -> set[str]:
    """How a page may write a date: ISO, the short and long formats of each language."""
    spellings = {day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d.%m.%Y")}
    for language in ("fr", "en"):
        with translation.override(language):
            spellings |= {formats.date_format(day), formats.date_format(day, "SHORT_DATE_FORMAT")}
    return spellings


def test_beneficiary_change_page_shows_phone_and_birth_date_to_administrators(admin_client):
    beneficiary = Beneficiary.objects.exclude(phone="").first()

    response = admin_client.get(admin_url(Beneficiary, "change", beneficiary.pk))

    content = response.content.decode()
    assert beneficiary.phone in content
    assert any(spelling in content for spelling in birth_date_spellings(beneficiary.date_of_birth))


def test_beneficiary_change_page_hides_phone_and_birth_date_from_staff_without_personal_data(client, manager):
    beneficiary = Beneficiary.objects.exclude(phone="").first()
    client.force_login(manager)

    response = client.get(admin_url(Beneficiary, "change", beneficiary.pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert beneficiary.code in content
    assert beneficiary.phone not in content
    assert [s for s in birth_date_spellings(beneficiary.date_of_birth) if s in content] == []
