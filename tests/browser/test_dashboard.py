"""The target dashboard in Chromium: a manager reads the three targets, the trend charts are drawn,
a figure drills down to its records and downloads as CSV; printed, the navigation is gone."""

import csv
import io

import pytest

from conftest import RUN, make_user
from demo.loader import load_demo
from programs import roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = RUN / "screenshots"
PAINTED_PIXELS = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


@pytest.fixture
def manager_page(login, live_server):
    """The demo loaded (its records verified by "manager"), and the manager logged in."""
    make_user("manager", roles.ILO_MANAGERS, is_staff=True)
    load_demo()
    page = login("manager", "pw-manager")
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.hosts = hosts
    return page


def test_a_manager_sees_the_targets_drills_down_and_downloads_the_csv(manager_page, live_server):
    page = manager_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("canvas[data-chart-ready=true]")

    targets = page.locator("article.target-card .target-value").all_inner_texts()
    assert [text.strip() for text in targets] == ["16", "114", "4000"]
    assert page.locator("[data-indicator=youth_jobs] .actual").inner_text().strip() == "42"
    assert page.locator("[data-indicator=youth_jobs] .status-badge").is_visible()
    canvases = page.locator("canvas[data-chart-ready=true]")
    assert canvases.count() == 3
    assert all(canvases.nth(i).evaluate(PAINTED_PIXELS) > 1000 for i in range(3))
    page.screenshot(path=str(SHOTS / "dashboard-1280.png"), full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    page.wait_for_selector("canvas[data-chart-ready=true]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"
    page.screenshot(path=str(SHOTS / "dashboard-360.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("[data-indicator=youth_jobs] a.drill-down")
    page.wait_for_selector(".records-table")
    assert page.locator(".record-count").inner_text().strip() == "42"
    with page.expect_download() as download:
        page.click("a[href*='youth_jobs/export.csv']")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 42
    assert "+509" not in text  # a manager does not get phone numbers
    assert page.hosts == {live_server.url.split("/")[2]}  # Chart.js and Bootstrap from static/, no CDN


def test_the_printed_dashboard_hides_the_navigation_and_keeps_the_charts(manager_page, live_server):
    page = manager_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("canvas[data-chart-ready=true]")
    assert page.locator("nav.navbar").is_visible()
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden()
    assert page.locator(".dashboard-actions").is_hidden()
    assert page.locator("canvas[data-chart-ready=true]").first.is_visible()
    assert (
        page.locator(".target-progress .progress-bar").first.evaluate(
            "bar => getComputedStyle(bar).printColorAdjust"
        )
        == "exact"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SHOTS / "dashboard.pdf"), format="A4", print_background=True)
    assert pdf[:4] == b"%PDF"


def test_an_open_dashboard_shows_a_verify_counted_without_a_reload(manager_page, live_server):
    """The manager keeps the page open; a job is verified and the progress recomputed (what the
    Celery worker does after a verify): the youth-jobs card, its chart and table change in place."""
    from django.contrib.auth.models import User

    from enterprises.models import Job
    from programs.models import Project, ReviewState, Target
    from programs.review import review_set_state
    from progress.selectors import latest_snapshots
    from progress.services import progress_recompute

    page = manager_page
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("canvas[data-chart-ready=true]")
    assert page.locator("[data-indicator=youth_jobs] .actual").inner_text().strip() == "42"
    page.evaluate("window.notReloaded = true")

    project, manager = Project.objects.get(), User.objects.get(username="manager")
    for job in Job.objects.filter(review_state=ReviewState.SUBMITTED, business__centre__project=project):
        review_set_state(record=job, to_state=ReviewState.VERIFIED, by=manager)
    progress_recompute(project_ids=[project.pk], reason="test")
    youth = latest_snapshots(Target.objects.filter(project=project, indicator="youth_jobs")).get()
    assert youth.actual != 42, "the demo has no submitted youth job to verify"

    shown = "document.querySelector('[data-indicator=youth_jobs] .actual').textContent.trim()"
    page.wait_for_function(f"() => {shown} === '{youth.actual.normalize():f}'", timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    status = page.locator("#board-status")
    assert status.inner_text() and status.inner_text() == status.get_attribute("data-updated")
    assert page.locator("canvas[data-chart-ready=true]").count() == 3  # the new section's charts drawn
    assert page.locator("section.project").count() == 1


def test_the_charts_name_the_months_in_kreyol(manager_page, live_server):
    """No browser knows Kreyòl's month names: the chart takes them from the catalogue (fev, out…),
    not from the browser's fallback language."""
    page = manager_page
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("form.lang-switch button[value=ht]").click()
    page.wait_for_selector("html[lang=ht] canvas[data-chart-ready=true]")
    labels = page.locator("canvas[data-chart-ready=true]").first.evaluate(
        "canvas => Chart.getChart(canvas).scales.x.ticks.map(tick => tick.label)"
    )
    months = {label.split(" ")[0] for label in labels}
    kreyol = {"jan", "fev", "mas", "avr", "me", "jen", "jiy", "out", "sep", "okt", "nov", "des"}
    assert labels and months <= kreyol, labels
