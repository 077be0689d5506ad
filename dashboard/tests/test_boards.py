"""Cached dashboard boards: served again until a figure changes, per scope and language, and a
cache that does not answer is only slower."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from lxml import html

from conftest import make_user
from dashboard.tests.test_queries import build, count_queries
from fora.models import ForumSession
from programs import roles
from programs.models import Neighbourhood, ReviewState
from progress.services import progress_recompute
from rehab.models import WorkRecord

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def page(client, **headers):
    response = client.get(URL, **headers)
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def sessions_total(document) -> int:
    row = document.xpath('//tr[@data-figure="sessions"]')[0]
    return int(row.xpath("./td")[-1].text_content())


def area_actual(document) -> float:
    card = document.xpath('//article[@data-indicator="rehabilitated_m2"]')[0]
    return float(card.xpath('.//span[@class="actual"]')[0].text_content().replace(",", ""))


@pytest.fixture
def manager_client(client):
    client.force_login(make_user("manager-boards", roles.ILO_MANAGERS))
    return client


def test_the_board_is_served_again_until_a_counted_record_is_saved(manager_client):
    project = build(projects=1, records=2)[0]
    first = page(manager_client)
    assert sessions_total(first) == 2
    queries_rendered = count_queries(manager_client, URL)  # the second view: from the cache
    assert queries_rendered < 12

    # A forum session verified through a save: the live secondary figure moves at once.
    session = ForumSession.objects.filter(project=project).first()
    session.pk = None
    session.review_state = ReviewState.VERIFIED
    session.save()
    assert sessions_total(page(manager_client)) == 3


def test_a_record_saved_unverified_keeps_the_board_and_one_leaving_verified_drops_it(manager_client):
    """Boards count verified records only: a submission changes none of their figures and leaves
    them cached (under load, every view would otherwise render again); a verified session
    returned to its author leaves the live figure at once."""
    from programs.review import review_set_state

    project = build(projects=1, records=2)[0]
    page(manager_client)
    cached = count_queries(manager_client, URL)
    session = ForumSession.objects.filter(project=project, review_state=ReviewState.VERIFIED).first()
    submitted = ForumSession.objects.get(pk=session.pk)
    submitted.pk = None
    submitted.review_state = ReviewState.SUBMITTED
    submitted.save()
    assert count_queries(manager_client, URL) == cached, "served from the cache again"

    review_set_state(record=session, to_state=ReviewState.RETURNED, by=make_user("m2", roles.ILO_MANAGERS),
                     comment="Wrong date")  # fmt: skip
    assert sessions_total(page(manager_client)) == 1


def test_a_snapshot_written_in_bulk_by_the_worker_shows_on_the_next_view(manager_client):
    project = build(projects=1, records=2)[0]
    before = area_actual(page(manager_client))
    pending = list(WorkRecord.objects.filter(site__project=project).values_list("pk", "completed_area_m2"))
    # Neither the update nor the recompute's bulk insert sends a signal: the snapshot id does it.
    WorkRecord.objects.filter(pk=pending[0][0]).update(completed_area_m2=pending[0][1] + 50)
    progress_recompute(project_ids=[project.pk])
    assert area_actual(page(manager_client)) == before + 50


def test_each_scope_and_language_has_its_own_board(client, manager_client):
    build(projects=1, records=2)
    manager_board = page(manager_client)
    assert manager_board.xpath("//canvas[@data-trend]"), "managers see the trend"

    for name in ("Bel Air", "Fort National"):
        staff = make_user(
            f"staff-{name}", roles.FIELD_STAFF, neighbourhoods=[Neighbourhood.objects.get(name=name)]
        )
        client.force_login(staff)
        board = page(client)
        note = board.xpath('//div[@role="note"]')[0].text_content()
        assert name in note and not board.xpath("//canvas[@data-trend]")
        other = "Fort National" if name == "Bel Air" else "Bel Air"
        assert other not in note

    french = page(manager_client, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Tableau de bord des cibles" in french.xpath("//h1")[0].text_content()
    assert "Target dashboard" in page(manager_client).xpath("//h1")[0].text_content()


def test_a_cache_that_does_not_answer_is_a_slower_page_not_an_error(manager_client, settings):
    build(projects=1, records=2)
    settings.CACHES = {
        "default": {
            **django_settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    assert sessions_total(page(manager_client)) == 2


def test_an_import_written_in_bulk_moves_the_figures_it_changes(manager_client, administrator):
    """A re-import that moves a selected person to the other neighbourhood: no post_save is sent
    (the import writes in bulk), the figure by neighbourhood still changes on the next view."""
    import tablib

    from beneficiaries.models import Beneficiary
    from beneficiaries.services import beneficiaries_import
    from fora.models import BeneficiarySelection

    build(projects=1, records=2)

    def selected_in(document, hood: str) -> int:
        header = [
            th.text_content() for th in document.xpath("//table[contains(@class,'secondary-table')]//th")
        ]
        row = document.xpath('//tr[@data-figure="beneficiaries"]')[0]
        return int(row.xpath("./td")[header.index(hood) - 1].text_content())

    before = page(manager_client)
    person = (
        BeneficiarySelection.objects.filter(beneficiary__neighbourhood__name="Bel Air").first().beneficiary
    )
    row = {
        "code": person.code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth.isoformat(),
        "neighbourhood": "Fort National",
        "phone": person.phone,
        "consent_given": "yes" if person.consent_given else "no",
        "consent_date": person.consent_date.isoformat() if person.consent_date else "",
    }
    dataset = tablib.Dataset(headers=list(row))
    dataset.append(list(row.values()))
    result = beneficiaries_import(dataset=dataset, by=administrator, file_name="moves.csv")
    assert not result.has_errors() and not result.has_validation_errors(), (
        [e.error for e in result.base_errors]
        + [(r.number, r.error_dict) for r in result.invalid_rows]
        + [(n, [e.error for e in errs]) for n, errs in result.row_errors()]
    )
    assert Beneficiary.objects.get(pk=person.pk).neighbourhood.name == "Fort National"
    after = page(manager_client)
    assert selected_in(after, "Bel Air") == selected_in(before, "Bel Air") - 1
    assert selected_in(after, "Fort National") == selected_in(before, "Fort National") + 1


def test_pages_travel_compressed_to_browsers_that_accept_it(manager_client):
    import gzip

    build(projects=1, records=2)
    plain = manager_client.get(URL)
    packed = manager_client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) * 4 < len(plain.content)
    assert "Target dashboard" in gzip.decompress(packed.content).decode()


def test_a_lost_generation_starts_again_from_a_value_no_old_board_carries():
    from django.core.cache import cache

    from dashboard import boards

    cache.delete(boards.GENERATION_KEY)
    boards.bump()
    assert boards.generation() > 1_000_000
