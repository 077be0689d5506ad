"""Photo evidence: shrink what phones send to a size the field's connection and disk can carry."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from PIL import Image, ImageOps


def shrink_photo(upload) -> InMemoryUploadedFile:
    """A JPEG at most PHOTO_MAX_DIMENSION pixels wide or high, turned upright (EXIF orientation).

    GPS and other EXIF tags are dropped with the re-encoding: the record keeps its own position.
    """
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail((settings.PHOTO_MAX_DIMENSION, settings.PHOTO_MAX_DIMENSION))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=80, optimize=True)
    name = upload.name.rsplit(".", 1)[0] + ".jpg"
    return InMemoryUploadedFile(buffer, "photo", name, "image/jpeg", buffer.tell(), None)
