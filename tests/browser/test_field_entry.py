"""A CVR staff member's day on a 360×740 phone, then the manager's review, through Chromium."""

import datetime
import gzip
from decimal import Decimal

import pytest
from PIL import Image

from conftest import make_user, wait_for
from fora.models import ForumSession
from fora.tests.factories import ForumFactory
from programs import roles
from programs.models import ReviewState, Target
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory, TargetFactory
from progress.selectors import latest_snapshots
from progress.services import progress_recompute
from rehab.models import WorkRecord
from rehab.tests.factories import RehabSiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
PAGE_BUDGET = 150 * 1024


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def bel_air():
    hood = NeighbourhoodFactory(name="Bel Air")
    project = ProjectFactory(neighbourhoods=[hood], start_date=datetime.date(2014, 4, 1))
    TargetFactory(project=project, indicator=Target.Indicator.REHABILITATED_AREA, value=Decimal("4000"))
    ForumFactory(neighbourhood=hood, name="Forum communautaire de Bel Air")
    RehabSiteFactory(
        project=project, neighbourhood=hood, name="Corridor piéton Tiremasse", planned_area_m2=Decimal("600")
    )
    progress_recompute(project_ids=[project.pk])
    return project


def log_in(page, live_server, username):
    from django.contrib.auth.models import User

    from accounts.second_factor import signs_in_with_second_factor
    from accounts.testing import second_factor_device, totp_code

    user = User.objects.get(username=username)
    device = second_factor_device(user) if signs_in_with_second_factor(user) else None
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("main button[type=submit]")
    if device is not None:  # the manager's second step: the code their app shows
        page.wait_for_url("**/accounts/second-factor/verify/**")
        page.fill("input[name=code]", totp_code(device))
        page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/field/")


class NetworkLog:
    """Every response the page received: hosts and the bytes gzip would send (photos aside)."""

    def __init__(self, page):
        self.hosts: set[str] = set()
        self.sizes: dict[str, int] = {}
        page.on("response", self.record)

    def record(self, response):
        self.hosts.add(response.url.split("/")[2])
        if response.request.resource_type == "image" or response.status >= 300:
            return
        body = response.body()
        self.sizes[response.url] = len(gzip.compress(body)) if body else 0

    def reset(self):
        self.sizes.clear()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_staff_record_a_session_and_work_with_a_photo_and_the_manager_verifies(
    phone, live_server, bel_air, celery_worker, tmp_path
):
    staff = make_user("terrain-ba", roles.FIELD_STAFF, neighbourhoods=list(bel_air.neighbourhoods.all()))
    make_user("chef-oit", roles.ILO_MANAGERS)
    network = NetworkLog(phone)
    log_in(phone, live_server, staff.username)
    assert "Bel Air" in phone.inner_text("main")

    # A forum session, first load of the form measured cold (a new browser cache).
    network.reset()
    phone.goto(f"{live_server.url}/field/sessions/new/")
    phone.wait_for_load_state("networkidle")
    first_load = sum(network.sizes.values())
    print(f"first load of the session form: {first_load} bytes gzip, {len(network.sizes)} responses")
    assert first_load <= PAGE_BUDGET, network.sizes
    assert no_sideways_scroll(phone)
    phone.select_option("select[name=kind]", "consultation")
    phone.fill("input[name=held_on]", "2014-05-03")
    phone.fill("input[name=women]", "14")
    phone.fill("input[name=men]", "11")
    phone.fill("input[name=youth]", "12")
    phone.fill("input[name=priorities-0-rank]", "1")
    phone.fill("input[name=priorities-0-name]", "Mur de soutènement rue Tiremasse")
    phone.select_option("select[name=priorities-0-kind]", "retaining_wall")
    phone.click("button[name=submit]")
    phone.wait_for_url("**/field/sessions/*/")
    session = ForumSession.objects.get()
    assert session.review_state == ReviewState.SUBMITTED
    assert session.priorities.get().rank == 1

    # A work record with a photo from the "camera".
    picture = tmp_path / "chantier.jpg"
    Image.new("RGB", (3000, 2000), (150, 110, 70)).save(picture, format="JPEG")
    phone.goto(f"{live_server.url}/field/work/new/")
    assert no_sideways_scroll(phone)
    phone.fill("input[name=date]", "2014-10-06")
    phone.fill("input[name=completed_area_m2]", "50")
    phone.set_input_files("input[name=photo]", str(picture))
    phone.wait_for_timeout(500)  # the page shrinks the photo before upload
    phone.click("button[name=submit]")
    phone.wait_for_url("**/field/work/*/")
    record = WorkRecord.objects.get()
    assert record.review_state == ReviewState.SUBMITTED
    assert record.photo
    assert phone.locator("img[alt]").count() == 1

    # A manager verifies from the queue; the progress snapshot shows the 50 m².
    phone.click(
        "nav button[type=submit]:has-text('Déconnexion'), nav button[type=submit]:has-text('Log out')"
    )
    log_in(phone, live_server, "chef-oit")
    phone.goto(f"{live_server.url}/field/review/")
    assert no_sideways_scroll(phone)
    phone.check(f"input[value='work:{record.pk}']")
    phone.check(f"input[value='sessions:{session.pk}']")
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state()
    record.refresh_from_db()
    assert record.review_state == ReviewState.VERIFIED
    wait_for(lambda: latest_snapshots().get(target__indicator="rehabilitated_m2").actual == 50, timeout=10)

    assert network.hosts == {live_server.url.split("/")[2]}, network.hosts


def test_every_field_page_fits_a_360_px_screen_in_french(phone, live_server, bel_air):
    staff = make_user("terrain-b2", roles.FIELD_STAFF, neighbourhoods=list(bel_air.neighbourhoods.all()))
    log_in(phone, live_server, staff.username)
    for path in [
        "/field/",
        "/field/sessions/new/",
        "/field/businesses/new/",
        "/field/jobs/new/",
        "/field/services/new/",
        "/field/work/new/",
        "/field/work/",
    ]:
        phone.goto(f"{live_server.url}{path}")
        assert no_sideways_scroll(phone), path
        assert phone.evaluate("document.documentElement.lang") == "fr", path
