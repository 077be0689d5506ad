"""Digests and reminders through a real SMTP server process: each once, none lost."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.language import language_choose
from beneficiaries.models import Beneficiary
from demo.content import DEMO_EMAIL_DOMAIN, DEMO_USERS
from notifications.deliveries import notify, week_key
from notifications.models import Delivery, Notification, Preference
from notifications.selectors import reviewers, waiting_for_review
from notifications.services import preference_set
from programs.models import ReviewState
from tests.worlds import BEL_AIR, FORT_NATIONAL

from .conftest import text_of
from .helpers import returned, submitted_work, with_address

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2014, 10, 13)


@pytest.fixture
def world(two_hoods):
    bel_air, fort_national = two_hoods[BEL_AIR], two_hoods[FORT_NATIONAL]
    with_address(two_hoods["manager"], two_hoods["admin"], bel_air.staff, fort_national.staff)
    return two_hoods


def test_after_the_demo_each_manager_gets_one_digest_holding_the_waiting_counts(smtp_server):
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    managers = list(reviewers())
    assert "manager" in {m.username for m in managers}

    sent = notify()

    assert {o.user for o in sent if o.kind == Delivery.Kind.REVIEW_DIGEST} == {m.username for m in managers}
    manager_mail = smtp_server.to(f"manager@{DEMO_EMAIL_DOMAIN}")
    assert len(manager_mail) == 1
    waiting = waiting_for_review(managers[0])
    body = text_of(manager_mail[0])
    assert waiting.total > 0
    assert f"{waiting.total} " in manager_mail[0]["Subject"]
    for name, count in waiting.by_neighbourhood:
        assert f"{name}: {count}" in body
    assert "/field/review/" in body
    # Codes and counts only: no person's name, in either part.
    html = text_of(manager_mail[0], "html")
    for first, last in Beneficiary.objects.values_list("first_name", "last_name")[:200]:
        assert f"{first} {last}" not in body and f"{first} {last}" not in html

    before = len(smtp_server.messages())
    assert notify() == []
    call_command("notify", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(smtp_server.messages()) == before


def test_demo_users_have_an_address_at_example_org(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from django.contrib.auth.models import User

    emails = dict(
        User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list("username", "email")
    )
    assert emails == {u[0]: f"{u[0]}@example.org" for u in DEMO_USERS}


def test_nothing_is_sent_when_nothing_waits(smtp_server, world):
    assert notify() == []
    assert smtp_server.messages() == []


def test_a_digest_counts_per_neighbourhood_and_names_the_oldest(smtp_server, world):
    oldest = timezone.now() - datetime.timedelta(days=4, hours=1)
    submitted_work(world[BEL_AIR], at=oldest)
    submitted_work(world[BEL_AIR], at=oldest + datetime.timedelta(days=1))
    submitted_work(world[FORT_NATIONAL], at=timezone.now())

    notify()

    (mail,) = smtp_server.to(world["manager"].email)
    body = text_of(mail)
    assert "3 records wait for review" in body
    assert f"{BEL_AIR}: 2" in body and f"{FORT_NATIONAL}: 1" in body
    assert "(4 days)" in body
    assert mail["List-Unsubscribe"].strip().startswith("<http")


def test_a_returned_record_reaches_its_author_in_the_app_at_once_and_by_mail_once(smtp_server, world, client):
    staff, manager = world[BEL_AIR].staff, world["manager"]
    record = submitted_work(world[BEL_AIR])
    returned(record, by=manager, comment="Measure the corridor again.")

    notification = Notification.objects.get(user=staff)
    assert notification.url == reverse("field:detail", args=["work", record.pk])
    client.force_login(staff)
    assert b"data-unread-count>1<" in client.get(reverse("field:home")).content

    outcomes = notify()

    assert [(o.user, o.kind) for o in outcomes] == [(staff.username, Delivery.Kind.RETURNED_DIGEST)]
    (mail,) = smtp_server.to(staff.email)
    body = text_of(mail)
    assert "Measure the corridor again." in body
    assert f"/field/work/{record.pk}/" in body
    assert notify() == []
    # A second return the same day comes in the next day's digest.
    again = submitted_work(world[BEL_AIR])
    returned(again, by=manager)
    assert notify() == []
    assert [o.kind for o in notify(today=timezone.localdate() + datetime.timedelta(days=1))] == [
        Delivery.Kind.RETURNED_DIGEST
    ]
    assert len(smtp_server.to(staff.email)) == 2


def test_with_the_mail_server_down_nothing_is_lost_and_it_is_delivered_once_back(smtp_server, world):
    submitted_work(world[BEL_AIR])
    record = submitted_work(world[FORT_NATIONAL])
    returned(record, by=world["admin"])
    smtp_server.stop()

    outcomes = notify()

    assert {o.status for o in outcomes} == {"failed"}
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 3  # 2 digests, 1 returned
    assert Delivery.objects.filter(last_error__contains="Connection").count() == 3
    assert notify() and Delivery.objects.filter(status=Delivery.Status.SENT).count() == 0

    smtp_server.start()
    outcomes = notify()

    assert sorted(o.status for o in outcomes) == ["sent"] * 3
    assert len(smtp_server.messages()) == 3
    assert "measure it again" in text_of(smtp_server.to(world[FORT_NATIONAL].staff.email)[0])
    assert notify() == []
    assert len(smtp_server.messages()) == 3


def test_a_digest_pending_from_an_earlier_day_is_superseded_by_todays(smtp_server, world):
    submitted_work(world[BEL_AIR])
    smtp_server.stop()
    notify(today=MONDAY)
    smtp_server.start()

    outcomes = notify(today=MONDAY + datetime.timedelta(days=1))

    statuses = sorted((o.user, o.key, o.status) for o in outcomes if o.user == world["manager"].username)
    assert statuses == [
        ("manager-world", "2014-10-13", "superseded"),
        ("manager-world", "2014-10-14", "sent"),
    ]
    assert len(smtp_server.to(world["manager"].email)) == 1


def test_a_weekly_digest_goes_once_a_week(smtp_server, world):
    manager = world["manager"]
    preference_set(user=manager, review_digest=Preference.Digest.WEEKLY)
    submitted_work(world[BEL_AIR])

    for offset in range(7):
        notify(today=MONDAY + datetime.timedelta(days=offset))
    assert len(smtp_server.to(manager.email)) == 1
    assert Delivery.objects.get(user=manager).key == week_key(MONDAY) == "2014-W42"
    notify(today=MONDAY + datetime.timedelta(days=7))
    assert len(smtp_server.to(manager.email)) == 2
    # The admin kept the daily default: one a day.
    assert len(smtp_server.to(world["admin"].email)) == 8


def test_a_digest_turned_off_is_not_sent(smtp_server, world):
    preference_set(user=world["manager"], review_digest=Preference.Digest.OFF)
    submitted_work(world[BEL_AIR])

    notify()

    assert smtp_server.to(world["manager"].email) == []
    assert len(smtp_server.to(world["admin"].email)) == 1


def test_the_unsubscribe_link_of_a_mail_turns_it_off_in_one_click_and_a_tampered_one_is_refused(
    smtp_server, world, client
):
    manager = world["manager"]
    submitted_work(world[BEL_AIR])
    notify(today=MONDAY)
    (mail,) = smtp_server.to(manager.email)
    link = next(line for line in text_of(mail).splitlines() if "/notifications/unsubscribe/" in line)
    path = link[link.index("/notifications/") :].strip()

    tampered = client.get(path.replace("/unsubscribe/", "/unsubscribe/x"))
    assert tampered.status_code == 400
    assert b"not valid" in tampered.content
    assert Preference.objects.filter(user=manager).count() == 0

    done = client.get(path)  # no login
    assert done.status_code == 200
    assert Preference.objects.get(user=manager).review_digest == Preference.Digest.OFF
    notify(today=MONDAY + datetime.timedelta(days=1))
    assert len(smtp_server.to(manager.email)) == 1


def test_a_mail_client_may_unsubscribe_by_post_without_a_csrf_token(smtp_server, world):
    from django.test import Client

    from notifications.tokens import unsubscribe_token

    staff = world[BEL_AIR].staff
    token = unsubscribe_token(user=staff, kind=Delivery.Kind.RETURNED_DIGEST)
    response = Client(enforce_csrf_checks=True).post(
        reverse("notifications:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Preference.objects.get(user=staff).returned_digest is False


def test_field_staff_are_reminded_once_a_week_of_drafts_older_than_7_days(smtp_server, world):
    from rehab.models import WorkRecord

    hood = world[BEL_AIR]
    draft = submitted_work(hood)
    WorkRecord.objects.filter(pk=draft.pk).update(
        review_state=ReviewState.DRAFT, created_at=timezone.now() - datetime.timedelta(days=9)
    )
    submitted_work(world[FORT_NATIONAL])  # the managers' digest, not a draft

    notify(today=MONDAY)
    notify(today=MONDAY + datetime.timedelta(days=2))

    (mail,) = smtp_server.to(hood.staff.email)
    assert "1 draft of yours is older than 7 days" in text_of(mail)
    assert "9 days" in text_of(mail)
    assert smtp_server.to(world[FORT_NATIONAL].staff.email) == []


def test_each_mail_is_written_in_its_recipients_language(smtp_server, world, settings):
    from notifications.mailing import recipient_language

    settings.NOTIFICATIONS_FALLBACK_LANGUAGE = "fr"  # the product's (the tests' own is English)
    language_choose(user=world["admin"], language="ht")
    assert recipient_language(world["admin"]) == "ht"
    assert recipient_language(world["manager"]) == "fr"  # no choice of their own: French
    submitted_work(world[BEL_AIR])

    notify()

    html = text_of(smtp_server.to(world["admin"].email)[0], "html")
    assert '<html lang="ht">' in html
    assert '<html lang="fr">' in text_of(smtp_server.to(world["manager"].email)[0], "html")


def test_a_dry_run_says_what_it_would_send_and_sends_nothing(smtp_server, world):
    submitted_work(world[BEL_AIR])

    outcomes = notify(dry_run=True)

    assert {(o.user, o.status) for o in outcomes} == {
        ("manager-world", "would send"),
        ("admin-world", "would send"),
    }
    assert smtp_server.messages() == []
    assert Delivery.objects.count() == 0
