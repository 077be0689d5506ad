"""Photo evidence through the API: the upload corpus on `POST /api/work-records/`, and the photo
URL a work record gives, served to those who may see the record and to no one else."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from rehab.models import WorkRecord
from rehab.tests import photo_corpus
from tests.worlds import BEL_AIR, FORT_NATIONAL, two_neighbourhoods

pytestmark = [
    pytest.mark.django_db,
    # The corpus's 48-megapixel PNG is over Pillow's warning threshold (the budget) by design.
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return two_neighbourhoods()


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def post_work(user, site, photo):
    return api(user).post(
        reverse("interop:work-record-list"),
        {"site": site.pk, "date": "2014-10-07", "completed_area_m2": "25.50", "photo": photo},
        format="multipart",
    )


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.parametrize("sample", photo_corpus.CORPUS, ids=lambda s: s.id)
def test_the_api_stores_a_valid_photo_and_refuses_any_other_with_a_400_on_photo(
    world, settings, tmp_path, sample
):
    hood = world[BEL_AIR]
    before = set(WorkRecord.objects.values_list("pk", flat=True))
    response = post_work(hood.staff, hood.site, sample.upload(settings))
    if sample.refused is None:
        assert response.status_code == 201, response.content
        record = WorkRecord.objects.get(pk=response.json()["id"])
        assert record.photo.name.endswith(".jpg")
        assert stored_files(tmp_path) == [tmp_path / record.photo.name]
        with Image.open(record.photo.path) as stored:
            assert stored.format == "JPEG"
        return
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == ["photo"]
    assert photo_corpus.MESSAGES[sample.refused] in " ".join(body["photo"])
    assert set(WorkRecord.objects.values_list("pk", flat=True)) == before
    assert stored_files(tmp_path) == []


def test_a_truncated_jpeg_is_a_400_with_the_damaged_message_not_a_500(world):
    hood = world[BEL_AIR]
    photo = photo_corpus.Sample("t", "chantier.jpg", "image/jpeg", photo_corpus.truncated_jpeg, "damaged")
    response = post_work(hood.staff, hood.site, photo.upload(None))
    assert response.status_code == 400
    assert response.json() == {"photo": ["This image is damaged or incomplete; take the photo again."]}


def test_the_photo_url_serves_the_image_to_the_owner_with_the_token_and_404_to_another_neighbourhood(world):
    hood = world[BEL_AIR]
    created = post_work(hood.staff, hood.site, photo_corpus.CORPUS[0].upload(None))
    assert created.status_code == 201, created.content
    record = WorkRecord.objects.get(pk=created.json()["id"])
    photo_url = created.json()["photo"]
    assert photo_url == "http://testserver" + reverse("field:work-photo", args=[record.pk])
    assert api(hood.staff).get(reverse("interop:work-record-detail", args=[record.pk])).json()["photo"] == (
        photo_url
    )
    path = urlsplit(photo_url).path

    own = api(hood.staff).get(path)
    assert own.status_code == 200
    assert own["Content-Type"] == "image/jpeg"
    served = b"".join(own.streaming_content)
    with record.photo.open("rb") as stored:
        assert served == stored.read()
    with Image.open(io.BytesIO(served)) as image:
        assert image.format == "JPEG"

    assert api(world[FORT_NATIONAL].staff).get(path).status_code == 404
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert wrong.get(path).status_code == 401
    assert api().get(path).status_code == 302  # no credentials: the login page, as on the site


def test_a_record_without_a_photo_gives_null(world):
    hood = world[BEL_AIR]
    body = api(hood.staff).get(reverse("interop:work-record-detail", args=[hood.work.pk])).json()
    assert body["photo"] is None
