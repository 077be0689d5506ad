import pytest
from django.urls import reverse
from beneficiaries.tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [
    "/admin/beneficiaries/beneficiary/²/change/", "/admin/beneficiaries/beneficiary/²/history/",
    "/admin/beneficiaries/beneficiary/{pk}/history/²/", "/admin/beneficiaries/beneficiary/²/delete/",
    "/admin/beneficiaries/beneficiary/99999999999999999999999/change/",
    "/admin/beneficiaries/beneficiary/99999999999999999999999/history/",
    "/admin/beneficiaries/beneficiary/{pk}/history/99999999999999999999999/",
    "/admin/beneficiaries/beneficiary/%00/history/",
    "/admin/beneficiaries/beneficiary/?e=1&selected=²",
    "/admin/beneficiaries/beneficiary/?_changelist_filters=selected%3D%C2%B2",
    "/admin/beneficiaries/beneficiary/{pk}/change/?_changelist_filters=selected%3D%C2%B2",
    "/admin/beneficiaries/beneficiary/autocomplete/",
    "/admin/autocomplete/?app_label=fora&model_name=beneficiaryselection&field_name=beneficiary&term=%00",
    "/admin/beneficiaries/beneficiary/?consent=%00&q=%00",
    "/admin/beneficiaries/beneficiary/?q=BA%00",
])
def test_probe_paths(administrator_client, hoods, path):
    person = BeneficiaryFactory(neighbourhood=hoods[0])
    response = administrator_client.get(path.format(pk=person.pk))
    print(path, response.status_code)
