"""Photo evidence: what phones send, checked, then shrunk to a size the field's connection and disk
can carry.

A photo is refused, with a message for the person who took it, when it is empty, weighs more than
PHOTO_MAX_UPLOAD_BYTES, is not a JPEG, PNG or WebP image (whatever its name says), has more
pixels than PHOTO_MAX_PIXELS (read from its header, before anything is decoded: a small file can
hold a huge image), or cannot be decoded to the end (a truncated or damaged file). What is kept is
a new JPEG: nothing of the sent file but its pixels, so data appended to it (a script, an
archive) and its EXIF tags (GPS included: the record keeps its own position) are dropped.
"""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

#: What phones' cameras and browsers make; Pillow tries no other decoder on an upload.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
#: The default pixel budget: 40 megapixels, more than a phone camera's photo needs.
DEFAULT_MAX_PIXELS = 40_000_000


def max_pixels() -> int:
    return getattr(settings, "PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)


# Pillow's own guard against decompression bombs, for every image the process opens (the
# admin's uploads included): a warning above the budget, DecompressionBombError above twice it.
Image.MAX_IMAGE_PIXELS = max_pixels()


def prepare_photo(upload) -> InMemoryUploadedFile:
    """The upload checked, then shrunk: a JPEG at most PHOTO_MAX_DIMENSION pixels wide or high,
    turned upright (EXIF orientation). ValidationError with a message and a code otherwise:
    `empty`, `too_large`, `not_a_photo`, `too_many_pixels`, `damaged`."""
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError(_("The submitted file is empty."), code="empty")
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _("This photo weighs %(size)s; the limit is %(limit)s. Take it again at a lower resolution.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    try:
        image = Image.open(upload, formats=PHOTO_FORMATS)  # the header only
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Exception:  # whatever Pillow raises on a file it cannot read
        raise ValidationError(
            _("This file is not a photo: send a JPEG, PNG or WebP image."), code="not_a_photo"
        ) from None
    with image:
        if image.width * image.height > max_pixels():
            raise _too_many_pixels()
        try:
            buffer = _shrunk(image)
        except Exception as error:  # truncated data, a broken stream, a bad table…
            logger.info("Photo %r refused: %s", getattr(upload, "name", ""), error)
            raise ValidationError(
                _("This image is damaged or incomplete; take the photo again."), code="damaged"
            ) from None
    name = (getattr(upload, "name", "") or "photo").rsplit(".", 1)[0] + ".jpg"
    return InMemoryUploadedFile(buffer, "photo", name, "image/jpeg", buffer.tell(), None)


def _shrunk(image: Image.Image) -> io.BytesIO:
    dimension = settings.PHOTO_MAX_DIMENSION
    # A JPEG is decoded at 1/2, 1/4 or 1/8 of its size when that still covers the box.
    image.draft("RGB", (dimension, dimension))
    image.load()  # every byte decoded: a truncated or broken file raises here
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # a malformed EXIF block: the photo as it was taken
        upright = image
    upright = upright.convert("RGB")
    upright.thumbnail((dimension, dimension))
    buffer = io.BytesIO()
    upright.save(buffer, format="JPEG", quality=80, optimize=True)
    return buffer


def _too_many_pixels() -> ValidationError:
    megapixels = max_pixels() / 1_000_000
    return ValidationError(
        _("This photo has more than %(limit)s megapixels; take it again at a lower resolution.")
        % {"limit": number_format(int(megapixels) if megapixels.is_integer() else round(megapixels, 1))},
        code="too_many_pixels",
    )
