"""The access audit: views of personal data, exports and refusals leave a row; no data in it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from beneficiaries.tests.factories import BeneficiaryFactory
from conftest import make_user
from programs import roles
from programs.models import AccessAudit, Target
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_opening_a_persons_page_and_exporting_is_audited(client):
    person = BeneficiaryFactory(phone="+509 3111 2222", date_of_birth=datetime.date(1995, 3, 4))
    admin_user = make_user("audit-admin", roles.ADMINISTRATORS, is_staff=True)
    client.force_login(admin_user)
    assert client.get(reverse("admin:beneficiaries_beneficiary_change", args=[person.pk])).status_code == 200
    assert client.get(reverse("dashboard:beneficiary", args=[person.pk])).status_code == 200
    project = ProjectFactory()
    TargetFactory(project=project, indicator=Target.Indicator.BUSINESSES, value=Decimal("16"))
    assert (
        client.get(reverse("dashboard:figure-export", args=[project.pk, "businesses", "csv"])).status_code
        == 200
    )
    rows = list(AccessAudit.objects.filter(user=admin_user).order_by("at").values_list("action", "what"))
    assert rows == [
        ("view_personal", f"beneficiary #{person.pk}"),
        ("view_personal", f"beneficiary {person.code}"),
        ("export", f"{project.code} businesses.csv (0 rows)"),
    ]
    assert "3111" not in str(rows) and "1995" not in str(rows)


def test_a_refused_access_is_audited(client):
    staff = make_user("audit-staff", roles.FIELD_STAFF, neighbourhoods=[NeighbourhoodFactory()])
    client.force_login(staff)
    assert client.get(reverse("field:review")).status_code == 403
    entry = AccessAudit.objects.get(user=staff)
    assert (entry.action, entry.path) == ("refused", reverse("field:review"))
