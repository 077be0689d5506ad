"""Phone numbers and dates of birth: shown only with the personal-data permission, masked
everywhere else (changelist, change form, history, export, search)."""

import datetime
import io

import pytest
import tablib
from django.urls import reverse

from beneficiaries.resources import MASK, BeneficiaryExportResource
from beneficiaries.tests.factories import BeneficiaryFactory
from programs import access

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:beneficiaries_beneficiary_changelist")
EXPORT = reverse("admin:beneficiaries_beneficiary_export")
PHONE = "+509 3712 3456"
BIRTH = datetime.date(1994, 6, 15)
BIRTH_SHOWN = ("1994-06-15", "15/06/1994", "15 juin 1994", "June 15, 1994", "15.06.1994")


@pytest.fixture
def person(hoods):
    return BeneficiaryFactory(code="BA-00001", phone=PHONE, date_of_birth=BIRTH, neighbourhood=hoods[0])


def shows_personal_data(html: str) -> bool:
    return PHONE in html or "3712" in html or any(day in html for day in BIRTH_SHOWN)


def export_rows(client, person, file_format: str) -> tablib.Dataset:
    """Export the selected person through the admin action, as a user would."""
    formats = {"csv": "0", "xlsx": "1"}
    response = client.post(
        EXPORT,
        {"format": formats[file_format], "resource": "0", "export_items": [person.pk], **_all_fields()},
    )
    assert response.status_code == 200, response.content[:500]
    if file_format == "csv":
        return tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
    return tablib.Dataset().load(io.BytesIO(response.content), format="xlsx")


def _all_fields() -> dict:
    return {f"beneficiaryexportresource_{name}": "on" for name in BeneficiaryExportResource._meta.fields}


def test_the_manager_has_no_personal_data_permission(manager, administrator):
    assert manager.is_staff and not access.may_view_personal_data(manager)
    assert access.may_view_personal_data(administrator)


def test_changelist_masks_phone_and_birth_date_without_the_permission(person, manager_client):
    response = manager_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "BA-00001" in html and MASK in html
    assert not shows_personal_data(html)


def test_change_form_masks_phone_and_birth_date_without_the_permission(person, manager_client):
    response = manager_client.get(reverse("admin:beneficiaries_beneficiary_change", args=[person.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert person.last_name in html and MASK in html
    assert not shows_personal_data(html)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_masks_phone_and_birth_date_without_the_permission(person, manager_client, file_format):
    rows = export_rows(manager_client, person, file_format)

    [row] = rows.dict
    assert row["code"] == "BA-00001"
    assert (row["phone"], row["date_of_birth"]) == (MASK, MASK)
    assert str(row["age"]) == str(person.age_on(datetime.date.today()))


def test_the_administrator_sees_and_exports_personal_data(person, administrator_client):
    assert shows_personal_data(administrator_client.get(CHANGELIST).content.decode())
    change = administrator_client.get(reverse("admin:beneficiaries_beneficiary_change", args=[person.pk]))
    assert PHONE in change.content.decode()

    [row] = export_rows(administrator_client, person, "csv").dict
    # Exported cells starting with + are prefixed with a quote, as in every export (CSV injection).
    assert (row["phone"], row["date_of_birth"]) == ("'" + PHONE, "1994-06-15")


def test_history_masks_personal_data_changes_without_the_permission(person, administrator, manager_client):
    person.phone = "+509 4000 1234"
    person._history_user = administrator
    person.save()

    html = manager_client.get(
        reverse("admin:beneficiaries_beneficiary_history", args=[person.pk])
    ).content.decode()
    assert MASK in html and "4000 1234" not in html and "3712" not in html
    version = person.history.earliest("history_date")
    url = reverse("admin:beneficiaries_beneficiary_simple_history", args=[person.pk, version.history_id])
    html = manager_client.get(url).content.decode()
    assert person.last_name in html and not shows_personal_data(html)


def test_searching_by_phone_needs_the_permission(person, manager_client, administrator_client):
    found = administrator_client.get(CHANGELIST, {"q": "37123456"}).context["cl"].result_list
    assert [p.code for p in found] == ["BA-00001"]

    hidden = manager_client.get(CHANGELIST, {"q": "37123456"}).context["cl"].result_list
    assert list(hidden) == []


def test_the_export_resource_masks_for_any_caller_without_the_permission(person, manager):
    rows = BeneficiaryExportResource(user=manager).export()

    assert (rows.dict[0]["phone"], rows.dict[0]["date_of_birth"]) == (MASK, MASK)
    assert len(BeneficiaryExportResource(user=None).export()) == 0  # no user, no rows
