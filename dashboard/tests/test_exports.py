"""CSV and XLSX exports: the figures shown, the viewer's permissions, no formula injection."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary
from dashboard.exports import neutralise
from enterprises.models import Business
from programs.models import Neighbourhood, Target
from progress.selectors import counted_youth_jobs, latest_snapshots

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def figure_export(client, project, figure, fmt, query=""):
    url = reverse("dashboard:figure-export", args=[project.pk, figure, fmt])
    return client.get(url + (f"?{query}" if query else ""))


def test_neutralise_prefixes_what_a_spreadsheet_would_run():
    for value in ("=1+1", "+509 3712", "-2", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise(value) == "'" + value
    assert neutralise("Bel Air") == "Bel Air"
    assert neutralise(42) == 42


def test_the_dashboard_csv_and_xlsx_hold_the_figures_shown(manager_client, demo):
    project = demo[0]
    snapshots = {s.target.indicator: s for s in latest_snapshots(Target.objects.filter(project=project))}
    labels = {str(choice.label): choice.value for choice in Target.Indicator}
    for rows in (
        csv_rows(manager_client.get(reverse("dashboard:export", args=["csv"]))),
        xlsx_rows(manager_client.get(reverse("dashboard:export", args=["xlsx"]))),
    ):
        headline = {row["Figure"]: row for row in rows if row["Figure"] in labels and not row["Breakdown"]}
        assert set(headline) == set(labels)
        for label, row in headline.items():
            snapshot = snapshots[labels[label]]
            assert float(row["Value"]) == float(snapshot.actual)
            assert float(row["Target"]) == float(snapshot.target_value)
            assert float(row["Percent"]) == float(snapshot.percent)
            # The demo project has ended: its final result carries no forecast (issue 16).
            assert snapshot.forecast_date is None and row["Forecast date"] in ("", None)
        by_hood = {
            row["Category"]: float(row["Value"])
            for row in rows
            if row["Figure"] == str(Target.Indicator.YOUTH_JOBS.label) and row["Breakdown"]
            if row["Category"] in ("Bel Air", "Fort National")
        }
        assert by_hood == {k: float(v) for k, v in snapshots["youth_jobs"].breakdown["neighbourhood"].items()}
        sessions = next(
            row for row in rows if row["Figure"] == "Forum sessions held" and not row["Breakdown"]
        )
        assert int(sessions["Value"]) == 6


def test_a_drill_down_export_lists_the_records_of_the_figure(manager_client, demo):
    project = demo[0]
    youth = latest_snapshots(Target.objects.filter(project=project, indicator="youth_jobs")).get()
    rows = csv_rows(figure_export(manager_client, project, "youth_jobs", "csv"))
    assert len(rows) == youth.actual
    counted = counted_youth_jobs(project.pk).values_list("worker__code", flat=True)
    assert sorted(row["Worker code"] for row in rows) == sorted(counted)
    assert all(15 <= int(row["Age on start date"]) <= 24 for row in rows)
    cells = xlsx_rows(figure_export(manager_client, project, "youth_jobs", "xlsx"))
    assert len(cells) == youth.actual
    assert {row["Worker code"] for row in cells} == {row["Worker code"] for row in rows}
    area = latest_snapshots(Target.objects.filter(project=project, indicator="rehabilitated_m2")).get()
    records = xlsx_rows(figure_export(manager_client, project, "rehabilitated_m2", "xlsx"))
    assert sum(row["Completed area (m²)"] for row in records) == pytest.approx(float(area.actual))


def test_filters_apply_to_the_export(manager_client, demo):
    project = demo[0]
    bel_air = Neighbourhood.objects.get(name="Bel Air")
    rows = csv_rows(
        figure_export(manager_client, project, "businesses", "csv", f"neighbourhood={bel_air.pk}")
    )
    assert rows and {row["Neighbourhood"] for row in rows} == {"Bel Air"}


def test_personal_data_is_exported_only_to_those_allowed_to_see_it(
    client, demo, demo_administrator, bel_air_staff
):
    project, manager = demo
    client.force_login(demo_administrator)
    rows = csv_rows(figure_export(client, project, "beneficiaries", "csv"))
    person = Beneficiary.objects.get(code=rows[0]["Code"])
    assert rows[0]["Phone"] == "'" + person.phone  # a phone starting with + is neutralised
    assert rows[0]["Date of birth"] == person.date_of_birth.isoformat()
    for user in (manager, bel_air_staff):
        client.force_login(user)
        for figure in ("beneficiaries", "youth_jobs", "businesses"):
            text = figure_export(client, project, figure, "csv").content.decode("utf-8-sig")
            header = text.splitlines()[0]
            assert "Phone" not in header and "Date of birth" not in header
            assert "+509" not in text
            workbook = figure_export(client, project, figure, "xlsx")
            assert "Phone" not in xlsx_rows(workbook)[0]


def test_field_staff_export_their_neighbourhoods_records_only(client, demo, bel_air_staff):
    project = demo[0]
    client.force_login(bel_air_staff)
    for figure in ("businesses", "youth_jobs", "rehabilitated_m2", "esc_services", "beneficiaries"):
        rows = csv_rows(figure_export(client, project, figure, "csv"))
        assert rows and {row["Neighbourhood"] for row in rows} == {"Bel Air"}, figure
    rows = csv_rows(client.get(reverse("dashboard:export", args=["csv"])))
    assert {row["Category"] for row in rows if row["Category"]} == {"Bel Air"}
    youth = next(row for row in rows if row["Figure"] == str(Target.Indicator.YOUTH_JOBS.label))
    assert youth["Breakdown"] == "Bel Air" and not youth["Status"]  # project-wide status is not theirs


def test_cells_that_look_like_formulas_are_neutralised(manager_client, demo):
    project = demo[0]
    business = Business.objects.filter(review_state="verified", status="operating").first()
    Business.objects.filter(pk=business.pk).update(
        name='=HYPERLINK("http://evil.example","x")', activity="@SUM(1)"
    )
    rows = csv_rows(figure_export(manager_client, project, "businesses", "csv"))
    row = next(r for r in rows if "HYPERLINK" in r["Business"])
    assert row["Business"].startswith("'=") and row["Activity"] == "'@SUM(1)"
    response = figure_export(manager_client, project, "businesses", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if "HYPERLINK" in str(cell.value)]
    assert cells and all(cell.data_type == "s" and cell.value.startswith("'=") for cell in cells)
