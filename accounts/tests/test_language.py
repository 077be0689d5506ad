"""Each person in their own language (issue 15): Kreyòl beside French and English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import trans_real

from accounts.models import Profile
from conftest import make_user
from programs import roles

pytestmark = pytest.mark.django_db


def test_haitian_creole_is_a_language_django_knows():
    info = translation.get_language_info("ht")
    assert info["name_local"] == "Kreyòl ayisyen" and info["bidi"] is False


def test_the_languages_are_offered_in_the_order_french_creole_english(settings):
    assert [code for code, _name in settings.LANGUAGES] == ["fr", "ht", "en"]


def test_django_strings_missing_in_creole_fall_back_to_french_never_english(settings, monkeypatch):
    settings.LANGUAGE_CODE = "fr"  # the product's default (the tests' own is English)
    # Django keeps each language's catalogue, fallback included, across a LANGUAGE_CODE change:
    # an ht catalogue built earlier in the run falls back to the tests' English.
    monkeypatch.setattr(trans_real, "_translations", {})
    with translation.override("ht"):
        # Not one of the project's messages: Django's own, in the admin's catalogue.
        assert translation.gettext("Select all %(total_count)s %(module_name)s") == (
            "Sélectionner tous les %(total_count)s %(module_name)s"
        )


def test_dates_and_numbers_in_creole_follow_haitian_usage():
    import datetime

    with translation.override("ht"):
        assert formats.date_format(datetime.date(2015, 3, 5), "SHORT_DATE_FORMAT") == "05/03/2015"
        assert formats.number_format(1234.5, 1) == "1234,5"
        assert formats.date_format(datetime.date(2015, 2, 5)) == "5 fevriye 2015"


def test_the_language_chosen_is_kept_and_used_at_the_next_login_on_another_device():
    make_user("ti-jan", roles.FIELD_STAFF)
    phone = Client()
    phone.login(username="ti-jan", password="pw-ti-jan")
    phone.post(reverse("set_language"), {"language": "ht", "next": "/field/"})
    assert Profile.objects.get(user__username="ti-jan").language == "ht"

    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = other.post(reverse("login"), {"username": "ti-jan", "password": "pw-ti-jan"}, follow=True)
    assert response.wsgi_request.LANGUAGE_CODE == "ht"
    assert '<html lang="ht">' in other.get("/field/").content.decode()


def test_before_login_the_browsers_language_else_french(settings):
    settings.LANGUAGE_CODE = "fr"  # the product's default (the tests' own is English)
    assert '<html lang="ht">' in Client(HTTP_ACCEPT_LANGUAGE="ht").get(reverse("login")).content.decode()
    assert '<html lang="fr">' in Client(HTTP_ACCEPT_LANGUAGE="de").get(reverse("login")).content.decode()


def test_the_admin_has_the_language_switcher(administrator):
    client = Client()
    client.force_login(administrator)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'name="language" value="ht"' in page and "KREYÒL" in page
