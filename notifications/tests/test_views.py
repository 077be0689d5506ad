"""The menu on every page, opening a notification, the list, preferences."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.testing import client_verify_second_factor
from notifications.models import Notification, Preference
from notifications.selectors import unread_menu
from notifications.services import FIELD_SLUGS
from tests.worlds import BEL_AIR

from .helpers import returned, submitted_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_with_returns(two_hoods):
    hood = two_hoods[BEL_AIR]
    records = [submitted_work(hood) for _ in range(7)]
    for record in records:
        returned(record, by=two_hoods["manager"], comment=f"Fix record {record.pk}")
    return hood.staff, records


def test_the_field_pages_slugs_are_the_notifications_ones():
    from field.kinds import KINDS

    assert {kind.model._meta.label_lower: slug for slug, kind in KINDS.items()} == FIELD_SLUGS


def test_the_menu_counts_the_unread_in_one_query(staff_with_returns):
    staff, _records = staff_with_returns
    with CaptureQueriesContext(connection) as queries:
        menu = unread_menu(staff)
        labels = [n.record_label for n in menu.latest]
    assert menu.unread == 7 and len(menu.latest) == 5
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert all(label.startswith("work record #") for label in labels)


def test_every_page_shows_the_menu_with_the_unread_count(staff_with_returns, client):
    staff, _records = staff_with_returns
    client.force_login(staff)
    for url in (reverse("field:home"), reverse("dashboard:index"), reverse("notifications:list")):
        assert b"data-unread-count>7<" in client.get(url).content, url


def test_the_admin_and_password_pages_show_the_unread_count_too(two_hoods, client):
    """The admin's own pages (and Django's password change, drawn by the admin) are pages too."""
    manager, admin = two_hoods["manager"], two_hoods["admin"]
    for _ in range(3):
        returned(submitted_work(two_hoods[BEL_AIR], by=manager), by=admin, comment="Again")
    client.force_login(manager)
    client_verify_second_factor(client, manager)
    for url in (reverse("admin:index"), reverse("password_change"), reverse("password_change_done")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"data-unread-count>3<" in response.content, url
        assert reverse("notifications:list").encode() in response.content, url


def test_opening_a_notification_marks_it_read_and_goes_to_its_record(staff_with_returns, client):
    staff, records = staff_with_returns
    notification = Notification.objects.get(user=staff, object_id=records[0].pk)
    client.force_login(staff)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("field:detail", args=["work", records[0].pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert unread_menu(staff).unread == 6


def test_a_notification_of_someone_else_is_not_found(staff_with_returns, client, two_hoods):
    staff, _records = staff_with_returns
    client.force_login(two_hoods["manager"])
    response = client.get(
        reverse("notifications:open", args=[Notification.objects.filter(user=staff).first().pk])
    )
    assert response.status_code == 404


def test_the_list_shows_each_notification_and_all_can_be_marked_read(staff_with_returns, client):
    staff, records = staff_with_returns
    client.force_login(staff)
    page = client.get(reverse("notifications:list")).content.decode()
    for record in records:
        assert f"Fix record {record.pk}" in page
    client.post(reverse("notifications:read-all"))
    assert unread_menu(staff).unread == 0


def test_preferences_are_kept_on_the_profile_page(client, two_hoods):
    manager = two_hoods["manager"]
    client.force_login(manager)
    assert client.get(reverse("notifications:preferences")).status_code == 200

    response = client.post(
        reverse("notifications:preferences"),
        {"review_digest": "weekly", "returned_digest": "on", "reporting_reminders": "on"},
    )

    assert response.status_code == 302
    preference = Preference.objects.get(user=manager)
    assert (preference.review_digest, preference.drafts_reminder) == ("weekly", False)
    bad = client.post(reverse("notifications:preferences"), {"review_digest": "hourly"})
    assert bad.status_code == 200 and Preference.objects.get(user=manager).review_digest == "weekly"


def test_a_returned_record_without_author_makes_no_notification(two_hoods):
    record = submitted_work(two_hoods[BEL_AIR])
    record.created_by = None
    record.save(update_fields=["created_by"])
    returned(record, by=two_hoods["manager"])
    assert Notification.objects.count() == 0
