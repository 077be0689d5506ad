"""Hostile and careless input to the beneficiary admin (issue 14): ids that `str.isdigit` takes
for digits ("²"), NUL characters, dates that are no dates and a forged or stale import file name
are answered with a page or a message, never a 500; no file outside the import storage is read."""

import tempfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from beneficiaries.admin import import_files
from beneficiaries.models import Beneficiary
from beneficiaries.tests.factories import BeneficiaryFactory
from conftest import make_user
from programs import roles

from .sheets import csv_file, good_rows, person_row
from .test_import import CONFIRM_URL, CSV, IMPORT_URL, confirm, upload

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:beneficiaries_beneficiary_changelist")
#: What `str.isdigit` takes for digits but `int` does not read, and a NUL.
NOT_DIGITS = ["²", "1²", "\x00"]
GONE = "The file to import is no longer available"


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("value", NOT_DIGITS, ids=ascii)
def test_a_forum_session_filter_that_names_no_id_answers_the_list(administrator_client, hoods, value):
    person = BeneficiaryFactory(neighbourhood=hoods[0])

    response = administrator_client.get(CHANGELIST, {"selected": value}, follow=True)

    assert response.status_code == 200
    assert [p.code for p in response.context["cl"].result_list] == [person.code]
    assert administrator_client.get(CHANGELIST, {"selected": value, "e": "1"}).status_code == 200


@pytest.mark.parametrize("query", [{"sex__exact": "\x00"}, {"q": "BA\x00"}, {"consent": "\x00"}], ids=str)
def test_a_nul_in_a_filter_or_the_search_answers_the_list(administrator_client, hoods, query):
    BeneficiaryFactory(neighbourhood=hoods[0])

    response = administrator_client.get(CHANGELIST, query, follow=True)

    assert response.status_code == 200 and len(response.context["cl"].result_list) == 1


def test_the_search_for_a_person_of_another_form_answers_a_nul(administrator_client, hoods):
    """The autocomplete of a forum selection's beneficiary runs this admin's search."""
    BeneficiaryFactory(neighbourhood=hoods[0], code="BA-00042")
    url = reverse("admin:autocomplete")
    query = {"app_label": "fora", "model_name": "beneficiaryselection", "field_name": "beneficiary"}

    response = administrator_client.get(url, {**query, "term": "BA-0004\x00"})

    assert response.status_code == 200
    assert [r["text"].split()[0] for r in response.json()["results"]] == ["BA-00042"]


def test_a_phone_search_in_other_digits_finds_nobody(administrator_client, hoods):
    BeneficiaryFactory(neighbourhood=hoods[0], phone="+509 3712 3456")

    assert administrator_client.get(CHANGELIST, {"q": "٣٧١٢٣٤٥٦"}).context["cl"].result_count == 0
    assert administrator_client.get(CHANGELIST, {"q": "3712 3456"}).context["cl"].result_count == 1


@pytest.mark.parametrize("path", ["{odd}/history/", "{pk}/history/{odd}/"])
@pytest.mark.parametrize("odd", ["²", "%00"])
def test_the_history_of_an_id_that_is_no_id_says_it_does_not_exist(administrator_client, hoods, path, odd):
    person = BeneficiaryFactory(neighbourhood=hoods[0])

    response = administrator_client.get(CHANGELIST + path.format(pk=person.pk, odd=odd))

    assert response.status_code == 302
    assert "doesn’t exist" in said(response)


def test_an_action_on_a_selection_that_is_no_id_is_refused_with_a_message(administrator_client, hoods):
    person = BeneficiaryFactory(neighbourhood=hoods[0])

    response = administrator_client.post(
        CHANGELIST, {"action": "merge_selected", "_selected_action": [str(person.pk), "²"]}
    )

    assert response.status_code == 302
    assert "The selection was not understood" in said(response)


@pytest.mark.parametrize("day", ["2014-02-30", "2014-13-01", "²⁰¹⁴-01-01", "yesterday"])
def test_a_withdrawal_date_that_is_no_date_asks_for_it_again(administrator_client, hoods, day):
    person = BeneficiaryFactory(neighbourhood=hoods[0])

    response = administrator_client.post(
        CHANGELIST,
        {
            "action": "withdraw_consent",
            "_selected_action": [str(person.pk)],
            "confirm": "yes",
            "withdrawn_on": day,
        },
    )

    assert response.status_code == 200
    assert response.context["date_error"] is True
    person.refresh_from_db()
    assert person.anonymised_at is None


# --- the import's confirmation step ----------------------------------------------------------------


def confirmation(name: str, **changes) -> dict:
    return {
        "import_file_name": name,
        "original_file_name": "fora.csv",
        "format": CSV,
        "resource": "0",
        **changes,
    }


@pytest.fixture
def planted():
    """A good import file in the system's temporary folder, where django-import-export's default
    storage looks for the name it is sent."""
    path = Path(tempfile.gettempdir()) / "h7-planted-beneficiaries.csv"
    path.write_bytes(csv_file(good_rows(2)))
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "does-not-exist", "0123456789abcdef0123456789abcdef"]
)
def test_a_forged_import_file_name_goes_back_to_the_import_page(administrator_client, hoods, name):
    response = administrator_client.post(CONFIRM_URL, confirmation(name), follow=True)

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert GONE in response.content.decode()
    assert Beneficiary.objects.count() == 0


@pytest.mark.parametrize("name", ["", "\x00"], ids=ascii)
def test_an_empty_or_nul_import_file_name_is_refused_by_the_form(administrator_client, hoods, name):
    response = administrator_client.post(CONFIRM_URL, confirmation(name))

    assert response.status_code == 200 and response.context["errors"]
    assert Beneficiary.objects.count() == 0


def test_a_file_of_the_temporary_folder_is_neither_imported_nor_removed(administrator_client, hoods, planted):
    response = administrator_client.post(CONFIRM_URL, confirmation(planted.name), follow=True)

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert GONE in response.content.decode()
    assert Beneficiary.objects.count() == 0
    assert planted.exists()


@pytest.mark.parametrize(
    "changes", [{"format": "x"}, {"format": "7"}, {"format": "-1"}, {"resource": "7"}], ids=str
)
def test_a_format_or_resource_that_was_not_offered_goes_back_to_the_import_page(
    administrator_client, hoods, changes
):
    preview = upload(administrator_client, csv_file(good_rows(2)), "fora.csv", CSV)
    forged = {**preview.context["confirm_form"].initial, **changes}

    response = administrator_client.post(CONFIRM_URL, forged, follow=True)

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert GONE in response.content.decode()
    assert Beneficiary.objects.count() == 0
    assert confirm(administrator_client, preview).status_code == 200  # the real one still works
    assert Beneficiary.objects.count() == 2


def test_a_second_confirmation_of_the_same_file_says_it_is_gone(administrator_client, hoods):
    preview = upload(administrator_client, csv_file(good_rows(3)), "fora.csv", CSV)
    confirm(administrator_client, preview)

    again = confirm(administrator_client, preview)

    assert again.redirect_chain == [(IMPORT_URL, 302)]
    assert GONE in again.content.decode()
    assert Beneficiary.objects.count() == 3


def test_only_the_session_that_previewed_a_file_may_import_it(administrator_client, hoods):
    preview = upload(administrator_client, csv_file(good_rows(3)), "fora.csv", CSV)
    other = Client()
    other.force_login(make_user("admin-other", roles.ADMINISTRATORS, is_staff=True))

    taken = confirm(other, preview)

    assert taken.redirect_chain == [(IMPORT_URL, 302)]
    assert Beneficiary.objects.count() == 0
    confirm(administrator_client, preview)
    assert Beneficiary.objects.count() == 3


def test_uploaded_files_are_kept_only_while_a_confirmation_may_need_them(administrator_client, hoods):
    def kept() -> set[str]:
        return {p.name for p in import_files.folder().glob("*")} if import_files.folder().is_dir() else set()

    before = kept()
    refused = upload(
        administrator_client, csv_file([person_row(1, date_of_birth="2030-01-01")]), "bad.csv", CSV
    )
    assert "confirm_form" not in refused.context and kept() == before  # refused: removed at once

    preview = upload(administrator_client, csv_file(good_rows(2)), "fora.csv", CSV)
    name = preview.context["confirm_form"].initial["import_file_name"]
    path = import_files.folder() / name
    assert import_files.NAME.fullmatch(name) and path.exists()
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    confirm(administrator_client, preview)
    assert not path.exists()
