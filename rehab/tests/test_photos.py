"""Photo evidence (`rehab.photos`, the work record form): every upload of the corpus is a stored
JPEG or a message on the photo field — never a server error, never a row or a file on refusal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from conftest import make_user
from programs import roles
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory
from rehab import photos
from rehab.forms import WorkRecordForm
from rehab.models import WorkRecord
from rehab.tests import photo_corpus
from rehab.tests.factories import RehabSiteFactory

# The corpus's 48-megapixel PNG is over Pillow's warning threshold (the budget) by design.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def decoded(monkeypatch):
    """The (width, height) of every image Pillow decodes during the test."""
    sizes = []
    load = ImageFile.ImageFile.load

    def recording_load(image):
        if image.tile:
            sizes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    return sizes


@pytest.fixture
def staff(db):
    hood = NeighbourhoodFactory(name="Bel Air")
    site = RehabSiteFactory(project=ProjectFactory(neighbourhoods=[hood]), neighbourhood=hood)
    user = make_user("terrain-photos", roles.FIELD_STAFF, neighbourhoods=[hood])
    user.site = site
    return user


def post_work(client, staff, photo):
    client.force_login(staff)
    return client.post(
        reverse("field:create", args=["work"]),
        {
            "site": staff.site.pk,
            "date": "2014-10-08",
            "completed_area_m2": "5",
            "photo": photo,
            "submit": "1",
        },
    )


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


def refusal(sample, settings) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        photos.prepare_photo(sample.upload(settings))
    return refused.value


# The checks themselves.


@pytest.mark.parametrize("sample", photo_corpus.CORPUS, ids=lambda s: s.id)
def test_each_upload_of_the_corpus_is_a_jpeg_or_a_refusal_with_its_code(sample, settings):
    if sample.refused:
        error = refusal(sample, settings)
        assert error.code == sample.refused
        assert photo_corpus.MESSAGES[sample.refused] in " ".join(error.messages)
    else:
        shrunk = photos.prepare_photo(sample.upload(settings))
        assert shrunk.name.endswith(".jpg") and shrunk.content_type == "image/jpeg"
        with Image.open(shrunk) as stored:
            assert stored.format == "JPEG"
            stored.load()


def test_a_truncated_jpeg_passes_pillows_verify_but_is_refused_as_damaged(settings):
    data = photo_corpus.truncated_jpeg()
    with Image.open(SimpleUploadedFile("x.jpg", data)) as image:
        image.verify()  # what Django's ImageField checks: it passes
    error = refusal(photo_corpus.Sample("t", "x.jpg", "image/jpeg", lambda s: data, "damaged"), settings)
    assert error.messages == ["This image is damaged or incomplete; take the photo again."]


def test_a_decompression_bomb_is_refused_from_its_header_without_being_decoded(settings, decoded):
    for width, height, depth in ((12_000, 12_000, 8), (8_000, 6_000, 1)):
        bomb = SimpleUploadedFile("bomb.png", photo_corpus.bomb_png(width, height, depth))
        with pytest.raises(ValidationError) as refused:
            photos.prepare_photo(bomb)
        assert refused.value.code == "too_many_pixels"
        assert refused.value.messages == [
            "This photo has more than 40 megapixels; take it again at a lower resolution."
        ]
    assert decoded == []


def test_the_pixel_budget_is_a_setting_and_an_image_within_it_is_decoded_at_a_reduced_scale(
    settings, decoded
):
    settings.PHOTO_MAX_PIXELS = 1_200_000
    over = SimpleUploadedFile("over.jpg", photo_corpus.jpeg((1300, 1000)))
    with pytest.raises(ValidationError) as refused:
        photos.prepare_photo(over)
    assert "1.2 megapixels" in refused.value.messages[0]
    assert decoded == []
    within = photos.prepare_photo(SimpleUploadedFile("within.jpg", photo_corpus.jpeg((1200, 1000))))
    with Image.open(within) as stored:
        assert stored.size == (1200, 1000)
    settings.PHOTO_MAX_PIXELS = 40_000_000
    settings.PHOTO_MAX_DIMENSION = 400
    decoded.clear()
    photos.prepare_photo(SimpleUploadedFile("big.jpg", photo_corpus.jpeg((3200, 2400))))
    assert decoded == [(800, 600)]  # a quarter of each side: the JPEG decoder's own scaling


def test_pillows_own_bomb_limit_is_the_photo_budget_for_every_image_of_the_process():
    assert Image.MAX_IMAGE_PIXELS == photos.DEFAULT_MAX_PIXELS == 40_000_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(SimpleUploadedFile("bomb.png", photo_corpus.bomb_png(12_000, 12_000)))


def test_what_follows_a_jpeg_is_not_kept(settings):
    shrunk = photos.prepare_photo(SimpleUploadedFile("p.jpg", photo_corpus.polyglot_jpeg()))
    kept = shrunk.read()
    assert photo_corpus.HTML_PAYLOAD not in kept and b"<script" not in kept
    assert photo_corpus.ZIP_MAGIC not in kept


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=st.sampled_from([b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBPVP8 "]),
    cut=st.integers(min_value=0, max_value=4000),
    noise=st.binary(max_size=300),
)
def test_any_bytes_are_a_jpeg_or_a_validation_error_never_another_exception(head, cut, noise):
    # Real files cut anywhere and followed by anything, and random bytes behind a magic number.
    for data in (photo_corpus.jpeg((64, 48))[:cut] + noise, head + noise):
        try:
            shrunk = photos.prepare_photo(SimpleUploadedFile("fuzz.jpg", data))
        except ValidationError as error:
            assert error.code in photo_corpus.MESSAGES
        else:
            assert shrunk.content_type == "image/jpeg"


# Through the field form and its page.


@pytest.mark.django_db
@pytest.mark.parametrize("sample", photo_corpus.CORPUS, ids=lambda s: s.id)
def test_the_field_form_stores_a_valid_photo_and_refuses_any_other_with_a_message(
    client, staff, media, settings, sample
):
    response = post_work(client, staff, sample.upload(settings))
    if sample.refused is None:
        assert response.status_code == 302
        record = WorkRecord.objects.get()
        assert record.photo.name.endswith(".jpg")
        assert stored_files(media) == [media / record.photo.name]
        with Image.open(record.photo.path) as stored:
            assert stored.format == "JPEG"
        return
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["photo"]
    assert photo_corpus.MESSAGES[sample.refused] in " ".join(errors["photo"])
    assert photo_corpus.MESSAGES[sample.refused] in response.content.decode()
    assert not WorkRecord.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_the_form_keeps_the_stored_photo_when_a_record_is_changed_without_a_new_one(client, staff, media):
    assert post_work(client, staff, photo_corpus.CORPUS[0].upload(None)).status_code == 302
    record = WorkRecord.objects.get()
    kept = record.photo.name
    form = WorkRecordForm(
        {
            "site": staff.site.pk,
            "date": "2014-10-09",
            "completed_area_m2": "6",
            "version": record.updated_at.isoformat(),
        },
        {},
        instance=record,
        user=staff,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["photo"].name == kept
    assert form.cleaned_data["date"] == datetime.date(2014, 10, 9)
    assert form.cleaned_data["completed_area_m2"] == Decimal("6")
