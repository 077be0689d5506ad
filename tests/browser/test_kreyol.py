"""A field staff member works in Kreyòl (issue 15): the switcher, the child-labour refusal in
Kreyòl, and the language back at the next login on another browser."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from beneficiaries.tests.factories import BeneficiaryFactory
from conftest import make_user
from enterprises.models import Job
from enterprises.tests.factories import BusinessFactory, CentreFactory
from programs import roles
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory
from rehab.tests.factories import RehabSiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def bel_air():
    hood = NeighbourhoodFactory(name="Bel Air")
    project = ProjectFactory(neighbourhoods=[hood], start_date=datetime.date(2014, 4, 1))
    centre = CentreFactory(project=project, neighbourhood=hood)
    business = BusinessFactory(centre=centre, neighbourhood=hood, name="Ti Boutik", activity="Tailoring")
    RehabSiteFactory(project=project, neighbourhood=hood, name="Mi Tiremasse", planned_area_m2=Decimal("600"))
    young = BeneficiaryFactory(neighbourhood=hood, code="BA-0016", date_of_birth=datetime.date(1998, 3, 1))
    make_user("ti-jan", roles.FIELD_STAFF, neighbourhoods=[hood])
    return {"business": business, "young": young}


def log_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "ti-jan")
    page.fill("input[name=password]", "pw-ti-jan")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/field/")


def test_a_field_staff_member_in_kreyol_sees_the_child_labour_refusal_in_kreyol_and_keeps_it(
    browser, live_server, bel_air
):
    first = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = first.new_page()
    log_in(page, live_server)
    page.click("button[name=language][value=ht]")
    page.wait_for_selector('html[lang="ht"]')

    page.goto(f"{live_server.url}/field/jobs/new/")
    page.select_option("select[name=business]", str(bel_air["business"].pk))
    page.fill("input[name=worker]", "BA-0016")
    page.fill("input[name=role]", "Èd")
    page.fill("input[name=start_date]", "2014-10-01")
    page.select_option("select[name=site]", label="Mi Tiremasse")
    page.click("button[name=submit]")

    refusal = page.locator(".invalid-feedback, .alert-danger, .errorlist").first
    refusal.wait_for()
    text = page.inner_text("main")
    assert "Nou refize travay timoun" in text
    assert "Child labour" not in text and "Le travail des enfants" not in text
    assert Job.objects.count() == 0
    first.close()

    second = browser.new_context(locale="en-US", viewport=PHONE)
    page = second.new_page()
    log_in(page, live_server)
    assert page.get_attribute("html", "lang") == "ht"
    second.close()
