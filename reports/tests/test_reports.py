"""The period reports on the demo: list, page, PDF (its text read back with pypdf), XLSX, the
`progress_report` command, the review through the pages, and the kept approved PDF."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import make_user
from demo.loader import PROJECT_CODE, load_demo
from programs import roles
from programs.models import Project
from progress.models import PeriodNarrative, PeriodState, ReportingPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        manager = make_user("report-manager", roles.ILO_MANAGERS, is_staff=True)
        other = make_user("report-manager-2", roles.ILO_MANAGERS, is_staff=True)
        with override_settings(DEBUG=True):  # as `make demo`: with the demo users and their cycle
            load_demo()
        yield Project.objects.get(code=PROJECT_CODE).pk, manager.pk, other.pk
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_data, db):
    project_pk, manager_pk, other_pk = demo_data
    return Project.objects.get(pk=project_pk), User.objects.get(pk=manager_pk), User.objects.get(pk=other_pk)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_list_shows_the_demo_projects_eight_periods(client, demo):
    project, manager, _other = demo
    client.force_login(manager)
    page = client.get(reverse("reports:index")).content.decode()
    for code in ("2014-Q2", "2014-Q3", "2015-Q1", "2016-Q1"):
        assert f'data-period="{code}"' in page
    assert ReportingPeriod.objects.filter(project=project).count() == 8


def test_field_staff_cannot_open_or_approve_reports(client, demo):
    project, _manager, _other = demo
    client.force_login(make_user("report-staff", roles.FIELD_STAFF))
    assert client.get(reverse("reports:index")).status_code == 403
    url = reverse("reports:transition", args=[project.pk, "2015-Q2"])
    assert client.post(url, {"to_state": "in_review"}).status_code == 403
    assert ReportingPeriod.objects.get(project=project, code="2015-Q2").state == PeriodState.OPEN


def test_the_pdf_holds_title_period_targets_actuals_and_narrative(client, demo):
    project, manager, other = demo
    client.force_login(manager)
    youth = project.targets.get(indicator="youth_jobs")
    narrative_url = reverse("reports:narrative", args=[project.pk, "2015-Q2", youth.pk])
    client.post(narrative_url, {"text": "Twelve apprentices started in Bel Air."})
    assert PeriodNarrative.objects.get(target=youth, period__code="2015-Q2").text.startswith("Twelve")
    response = client.get(reverse("reports:pdf", args=[project.pk, "2015-Q2"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Progress report" in text
    assert "2015-Q2" in text
    for label in ("Businesses created", "Youth jobs", "Rehabilitated area"):
        assert label.split()[0] in text
    assert "Twelve apprentices started in Bel Air." in text
    page = client.get(reverse("reports:period", args=[project.pk, "2015-Q2"])).content.decode()
    assert "<svg" in page and "Twelve apprentices" in page
    # The actuals of the PDF are the page's.
    out = io.StringIO()
    call_command("progress", "--json", "--periods", stdout=out)
    rows = {row["indicator"]: row for row in json.loads(out.getvalue()) if row["project"] == project.pk}
    q2 = next(p for p in rows["youth_jobs"]["periods"] if p["period"] == "2015-Q2")
    assert f"{q2['actual_in_period']:g}" in text


def test_approval_through_the_pages_keeps_the_approved_pdf(client, demo):
    project, manager, other = demo
    url = reverse("reports:transition", args=[project.pk, "2015-Q3"])
    client.force_login(manager)
    client.post(url, {"to_state": "in_review"})
    client.post(url, {"to_state": "approved"})  # the submitter: refused
    period = ReportingPeriod.objects.get(project=project, code="2015-Q3")
    assert period.state == PeriodState.IN_REVIEW
    client.force_login(other)
    client.post(url, {"to_state": "approved"})
    period.refresh_from_db()
    assert period.state == PeriodState.APPROVED and period.approved_pdf
    response = client.get(reverse("reports:pdf", args=[project.pk, "2015-Q3"]))
    assert response["X-Report-Approved"] == "1"
    assert bytes(response.content) == bytes(period.approved_pdf)
    client.post(url, {"to_state": "open"})  # no reason: refused
    period.refresh_from_db()
    assert period.state == PeriodState.APPROVED
    client.post(url, {"to_state": "open", "reason": "A late record"})
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN and not period.approved_pdf


def test_the_xlsx_has_one_sheet_per_indicator_with_eight_periods(client, demo):
    project, manager, _other = demo
    client.force_login(manager)
    response = client.get(reverse("reports:xlsx", args=[project.pk, "2015-Q1"]))
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 3
    codes = [row[0] for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]]
    assert [c for c in codes if isinstance(c, str) and c[:4].isdigit() and "-Q" in c] == [
        "2014-Q2", "2014-Q3", "2014-Q4", "2015-Q1", "2015-Q2", "2015-Q3", "2015-Q4", "2016-Q1",
    ]  # fmt: skip


def test_the_command_writes_the_pdf_in_french(demo, tmp_path):
    project, _manager, _other = demo
    output = tmp_path / "report.pdf"
    call_command(
        "progress_report", "--project", str(project.pk), "--period", "2015-Q1",
        "--output", str(output), "--language", "fr", stderr=io.StringIO(),
    )  # fmt: skip
    text = pdf_text(output.read_bytes())
    assert "2015-Q1" in text


def test_the_quality_checks_link_to_their_records(client, demo):
    project, manager, _other = demo
    client.force_login(manager)
    page = client.get(reverse("reports:period", args=[project.pk, "2015-Q1"])).content.decode()
    for check in ("waiting", "sites_without_photo", "work_without_gps", "businesses_without_owner"):
        assert reverse("reports:quality", args=[project.pk, "2015-Q1", check]) in page
    assert client.get(reverse("reports:quality", args=[project.pk, "2015-Q1", "waiting"])).status_code == 200
    assert client.get(reverse("reports:quality", args=[project.pk, "2015-Q1", "nonsense"])).status_code == 404


def test_rendering_a_pdf_leaves_pillows_truncated_images_check_on(demo):
    """WeasyPrint's import turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process; the
    field's damaged-photo check needs it off."""
    from PIL import ImageFile

    from reports.pdf import report_pdf

    project, _manager, _other = demo
    report_pdf(project, ReportingPeriod.objects.get(project=project, code="2014-Q2"))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_the_demo_shows_the_whole_cycle_two_approved_one_in_review(client, demo):
    project, manager, _other = demo
    states = dict(ReportingPeriod.objects.filter(project=project).values_list("code", "state"))
    assert [code for code, state in sorted(states.items()) if state == PeriodState.APPROVED] == [
        "2014-Q3", "2014-Q4",
    ]  # fmt: skip
    assert states["2015-Q1"] == PeriodState.IN_REVIEW
    for code in ("2014-Q3", "2014-Q4", "2015-Q1"):
        period = ReportingPeriod.objects.get(project=project, code=code)
        assert period.narratives.count() == 3
        assert period.submitted_by.username == "manager"
    approved = ReportingPeriod.objects.get(project=project, code="2014-Q4")
    assert approved.approved_by.username == "admin" and approved.figures.count() == 3
    client.force_login(manager)
    page = client.get(reverse("reports:index")).content.decode()
    assert "Approved" in page and "In review" in page


def test_an_approved_period_without_a_kept_pdf_keeps_the_one_its_first_download_builds(client, demo):
    """The demo approves without building PDFs; so does a large project until the worker is done."""
    project, manager, _other = demo
    period = ReportingPeriod.objects.get(project=project, code="2014-Q4")
    assert not period.approved_pdf
    client.force_login(manager)
    first = client.get(reverse("reports:pdf", args=[project.pk, "2014-Q4"]))
    assert first.status_code == 200 and first["X-Report-Approved"] == "1"
    period.refresh_from_db()
    assert period.approved_pdf and bytes(period.approved_pdf) == bytes(first.content)
    again = client.get(reverse("reports:pdf", args=[project.pk, "2014-Q4"]))
    assert bytes(again.content) == bytes(first.content)
    assert "2014-Q4" in pdf_text(first.content)
