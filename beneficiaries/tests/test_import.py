"""Importing beneficiaries from CSV and XLSX: a preview, a per-row report, all rows or none."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from beneficiaries.import_batches import BATCH_SIZE
from beneficiaries.import_report import row_problems
from beneficiaries.models import Beneficiary
from beneficiaries.resources import PeopleOfTheFile
from beneficiaries.services import beneficiaries_import, beneficiary_anonymise
from beneficiaries.tests.factories import BeneficiaryFactory
from conftest import make_user
from programs import roles
from programs.models import Neighbourhood

from .sheets import csv_file, good_rows, load, person_row, sheet, xlsx_file

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:beneficiaries_beneficiary_import")
CONFIRM_URL = reverse("admin:beneficiaries_beneficiary_process_import")
CSV, XLSX = "0", "1"  # the admin's format choices: CSV and XLSX only


def upload(client, content: bytes, name: str, format: str):
    return client.post(
        IMPORT_URL,
        {"import_file": SimpleUploadedFile(name, content), "format": format, "resource": "0"},
    )


def confirm(client, preview):
    return client.post(CONFIRM_URL, preview.context["confirm_form"].initial, follow=True)


def test_a_good_file_imports_every_row_with_its_values(hoods, administrator):
    result = beneficiaries_import(dataset=sheet(good_rows(20)), by=administrator)

    assert row_problems(result) == []
    assert result.totals["new"] == 20
    person = Beneficiary.objects.get(code="BA-00003")
    assert (person.first_name, person.last_name, person.sex) == ("Marie", "Joseph3", "F")
    assert person.date_of_birth == datetime.date(1993, 4, 13)
    assert person.neighbourhood.name == "Fort National"
    assert person.phone == "+509 37000003"
    assert person.consent_given and person.consent_date == datetime.date(2014, 4, 26)


def test_row_537_of_1000_bad_saves_nothing_and_the_report_names_row_and_column(hoods, administrator):
    rows = good_rows(1000, bad={537: {"date_of_birth": "1995-14-03"}})

    result = beneficiaries_import(dataset=sheet(rows), by=administrator)

    assert Beneficiary.objects.count() == 0
    [problem] = row_problems(result)
    assert (problem.row, problem.column, problem.value) == (537, "date_of_birth", "1995-14-03")
    assert "YYYY-MM-DD" in problem.reason


def test_the_admin_reports_row_537_and_saves_nothing(hoods, administrator_client):
    rows = good_rows(1000, bad={537: {"neighbourhood": "Belair"}})

    response = upload(administrator_client, csv_file(rows), "fora.csv", CSV)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert [(p.row, p.column) for p in response.context["problems"]] == [(537, "neighbourhood")]
    html = response.content.decode()
    assert "<td>537</td>" in html and "<td>neighbourhood</td>" in html and "Belair" in html
    assert Beneficiary.objects.count() == 0


def test_the_report_speaks_french_to_a_french_browser(hoods, administrator, settings):
    settings.LANGUAGE_CODE = "fr"
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(administrator)
    rows = good_rows(3, bad={2: {"date_of_birth": "1995-14-03"}})

    response = upload(client, csv_file(rows), "fora.csv", CSV)

    html = response.content.decode()
    assert "Colonne" in html and "<td>date_of_birth</td>" in html
    assert "pas une date" in html


def test_every_kind_of_bad_row_is_reported_with_its_column_and_reason(hoods, administrator):
    rows = good_rows(
        8,
        bad={
            2: {"date_of_birth": "31/02/1995"},
            3: {"neighbourhood": "Cité Soleil"},
            4: {"code": "BA-00001"},
            5: {"consent_given": "no"},
            6: {"consent_date": ""},
            7: {"sex": "X"},
        },
    )

    result = beneficiaries_import(dataset=sheet(rows), by=administrator)

    problems = {(p.row, p.column): p.reason for p in row_problems(result)}
    assert set(problems) == {
        (2, "date_of_birth"),
        (3, "neighbourhood"),
        (4, "code"),
        (5, "consent_given"),
        (6, "consent_date"),
        (7, "sex"),
    }
    assert "row 1" in problems[(4, "code")]
    assert "Bel Air, Fort National" in problems[(3, "neighbourhood")]
    assert Beneficiary.objects.count() == 0


def test_a_file_without_a_required_column_is_refused_as_a_whole(hoods, administrator):
    data = sheet(good_rows(3))
    del data["consent_date"]

    result = beneficiaries_import(dataset=data, by=administrator)

    [problem] = row_problems(result)
    assert problem.row == 0 and "consent_date" in problem.reason
    assert Beneficiary.objects.count() == 0


def test_importing_the_same_file_twice_creates_no_duplicates(hoods, administrator):
    content = csv_file(good_rows(30))
    beneficiaries_import(dataset=load(content, "csv"), by=administrator)
    history_rows = Beneficiary.history.count()

    again = beneficiaries_import(dataset=load(content, "csv"), by=administrator)

    assert (again.totals["new"], again.totals["update"], again.totals["skip"]) == (0, 0, 30)
    assert Beneficiary.objects.count() == 30
    assert Beneficiary.history.count() == history_rows  # nothing changed, nothing recorded


def test_a_changed_row_updates_its_person(hoods, administrator):
    beneficiaries_import(dataset=sheet(good_rows(5)), by=administrator)
    rows = good_rows(5, bad={2: {"phone": "+509 3456 7890"}})

    result = beneficiaries_import(dataset=sheet(rows), by=administrator)

    assert (result.totals["update"], result.totals["skip"]) == (1, 4)
    assert Beneficiary.objects.get(code="BA-00002").phone == "+509 3456 7890"


def test_an_anonymised_person_cannot_be_imported_again(hoods, administrator):
    beneficiaries_import(dataset=sheet(good_rows(2)), by=administrator)
    beneficiary_anonymise(beneficiary=Beneficiary.objects.get(code="BA-00002"), by=administrator)

    result = beneficiaries_import(dataset=sheet(good_rows(2)), by=administrator)

    assert [(p.row, p.column) for p in row_problems(result)] == [(2, "code")]
    assert Beneficiary.objects.get(code="BA-00002").first_name == ""


def test_admin_preview_saves_nothing_then_confirm_imports_with_the_user_in_history(
    hoods, administrator, administrator_client
):
    preview = upload(administrator_client, csv_file(good_rows(12)), "fora.csv", CSV)

    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert preview.context["problems"] == []
    assert Beneficiary.objects.count() == 0

    done = confirm(administrator_client, preview)

    assert done.status_code == 200
    assert Beneficiary.objects.count() == 12
    record = Beneficiary.history.get(code="BA-00007")
    assert record.history_user == administrator
    assert record.history_type == "+"
    assert "fora.csv" in record.history_change_reason


def test_xlsx_with_date_cells_and_numbers_imports_like_csv(hoods, administrator_client):
    preview = upload(administrator_client, xlsx_file(good_rows(10)), "partenaire.xlsx", XLSX)

    assert preview.context["problems"] == []
    confirm(administrator_client, preview)

    assert Beneficiary.objects.count() == 10
    person = Beneficiary.objects.get(code="BA-00004")
    assert person.date_of_birth == datetime.date(1994, 5, 14)
    assert person.phone == "37000004"
    assert person.consent_given

    again = upload(administrator_client, xlsx_file(good_rows(10)), "partenaire.xlsx", XLSX)
    assert again.context["result"].totals["skip"] == 10


def test_xlsx_bad_row_is_reported_too(hoods, administrator_client):
    rows = good_rows(40, bad={37: {"date_of_birth": "pas connue"}})

    response = upload(administrator_client, xlsx_file(rows), "partenaire.xlsx", XLSX)

    assert [(p.row, p.column) for p in response.context["problems"]] == [(37, "date_of_birth")]
    assert Beneficiary.objects.count() == 0


def test_a_file_that_became_bad_after_the_preview_changes_nothing(hoods, administrator_client):
    preview = upload(administrator_client, csv_file(good_rows(10)), "fora.csv", CSV)
    Neighbourhood.objects.filter(name="Fort National").update(name="Fort-National")

    done = confirm(administrator_client, preview)

    assert Beneficiary.objects.count() == 0
    assert done.redirect_chain[-1][0] == IMPORT_URL
    assert "Nothing was imported." in done.content.decode()


def test_look_alikes_are_flagged_in_the_preview(hoods, administrator_client):
    BeneficiaryFactory(
        code="FN-00001",
        first_name="marie ",
        last_name="JOSEPH2",
        date_of_birth=datetime.date(1992, 3, 12),
        phone="",
        neighbourhood=hoods[0],
    )
    rows = good_rows(4)
    assert (rows[1]["last_name"], rows[1]["date_of_birth"]) == ("Joseph2", "1992-03-12")

    preview = upload(administrator_client, csv_file(rows), "fora.csv", CSV)

    assert preview.context["look_alike_rows"] == 1
    assert "FN-00001" in preview.content.decode()


def test_two_rows_of_one_file_with_the_same_phone_are_flagged(hoods, administrator):
    rows = [person_row(1), person_row(2, phone="+509 3700 0001")]

    result = beneficiaries_import(dataset=sheet(rows), by=administrator, dry_run=True)

    flagged = [row.instance.import_look_alikes for row in result.rows]
    assert flagged == ["", "BA-00001"]
    assert Beneficiary.objects.count() == 0  # a dry run


def test_import_needs_the_personal_data_permission(hoods, manager_client):
    assert manager_client.get(IMPORT_URL).status_code == 403


def test_the_import_page_offers_a_template(administrator_client):
    response = administrator_client.get(reverse("admin:beneficiaries_beneficiary_import_template"))

    assert response.status_code == 200
    assert response.content.decode().splitlines()[0].startswith("code,first_name,last_name,sex")


def test_a_bulk_import_writes_one_history_row_per_person_with_the_importing_user(hoods, administrator):
    count = BATCH_SIZE * 2 + 5  # three batches

    result = beneficiaries_import(dataset=sheet(good_rows(count)), by=administrator, file_name="fora.csv")

    assert row_problems(result) == [] and result.totals["new"] == count
    history = Beneficiary.history.all()
    assert history.count() == count
    assert set(history.values_list("history_type", "history_user", "history_change_reason")) == {
        ("+", administrator.pk, "import of fora.csv")
    }
    assert not history.values("id").annotate(n=Count("history_id")).filter(n__gt=1).exists()
    person = Beneficiary.objects.get(code=f"BA-{count:05d}")
    record = history.get(id=person.pk)
    assert (record.code, record.last_name, record.phone, record.neighbourhood_id, record.created_at) == (
        person.code,
        person.last_name,
        person.phone,
        person.neighbourhood_id,
        person.created_at,
    )
    assert {row.object_id for row in result.rows} == set(Beneficiary.objects.values_list("pk", flat=True))


def test_a_re_import_records_the_changed_people_only_with_the_importing_user(hoods, administrator, manager):
    beneficiaries_import(dataset=sheet(good_rows(5)), by=administrator)
    rows = good_rows(5, bad={2: {"phone": "+509 3456 7890"}, 4: {"last_name": "Pierre"}})

    beneficiaries_import(dataset=sheet(rows), by=manager, file_name="corrections.xlsx")

    changed = Beneficiary.history.filter(history_type="~")
    assert sorted(changed.values_list("code", "history_user", "phone", "last_name")) == [
        ("BA-00002", manager.pk, "+509 3456 7890", "Joseph2"),
        ("BA-00004", manager.pk, "+509 37000004", "Pierre"),
    ]
    assert Beneficiary.history.filter(history_type="+").count() == 5


def test_a_bad_row_after_a_written_batch_saves_nothing_and_is_named(hoods, administrator):
    bad_row = BATCH_SIZE + 700  # the first batch was written when this row is read
    rows = good_rows(BATCH_SIZE * 2 + 500, bad={bad_row: {"consent_date": "1980-01-01"}})

    result = beneficiaries_import(dataset=sheet(rows), by=administrator, file_name="fora.csv")

    assert Beneficiary.objects.count() == 0
    assert Beneficiary.history.count() == 0
    [problem] = row_problems(result)
    assert (problem.row, problem.column, problem.value) == (bad_row, "consent_date", "1980-01-01")
    assert "before the person was born" in problem.reason


def test_a_row_the_database_refuses_is_named_with_its_column(hoods, administrator, monkeypatch):
    """A code recorded by someone else after the file was checked: the database has the last word."""
    BeneficiaryFactory(code="BA-00002", neighbourhood=hoods[0])
    monkeypatch.setattr(PeopleOfTheFile, "get_instance", lambda self, row: None)

    result = beneficiaries_import(dataset=sheet(good_rows(5)), by=administrator)

    assert [(p.row, p.column, p.reason) for p in row_problems(result)] == [
        (2, "code", "A beneficiary with this code already exists.")
    ]
    assert list(Beneficiary.objects.values_list("code", flat=True)) == ["BA-00002"]
    assert not Beneficiary.history.filter(history_change_reason__startswith="import").exists()


def test_field_staff_import_only_in_their_neighbourhoods(hoods):
    bel_air, fort_national = hoods
    staff = make_user("terrain-import", roles.FIELD_STAFF, neighbourhoods=[bel_air])
    BeneficiaryFactory(code="BA-00001", neighbourhood=bel_air, phone="")
    BeneficiaryFactory(code="BA-00003", neighbourhood=fort_national)
    rows = good_rows(6)  # rows 3 and 6 are in Fort National

    refused = beneficiaries_import(dataset=sheet(rows), by=staff)

    assert [(p.row, p.column) for p in row_problems(refused)] == [(3, "code"), (6, "neighbourhood")]
    assert "You may not change BA-00003" in row_problems(refused)[0].reason

    done = beneficiaries_import(dataset=sheet([rows[0], rows[1]]), by=staff)

    assert (done.totals["update"], done.totals["new"]) == (1, 1)
    assert Beneficiary.objects.get(code="BA-00001").phone == "+509 37000001"
