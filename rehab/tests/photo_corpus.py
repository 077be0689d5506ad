"""Uploads a phone, a broken connection or an attacker may send as photo evidence: built in memory,
each with what the photo checks must say (`rehab.photos.prepare_photo`). Shared by the field
form's tests (`rehab/tests/test_photos.py`) and the API's (`interop/tests/test_api_photos.py`)."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

#: What is appended to the polyglot JPEG; none of it may reach the stored file.
HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"
ZIP_MAGIC = b"PK\x03\x04"

#: A fragment of the message on the photo field, per refusal code (the tests run in English).
MESSAGES = {
    "empty": "empty",
    "too_large": "the limit is",
    "not_a_photo": "not a photo",
    "too_many_pixels": "megapixels",
    "damaged": "damaged or incomplete",
}


@dataclass(frozen=True)
class Sample:
    id: str
    name: str
    content_type: str
    build: object  # callable(settings) -> bytes
    refused: str | None  # the refusal's code, None when the photo is accepted

    def upload(self, settings) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.build(settings), content_type=self.content_type)


def encoded(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


@functools.cache
def noise(size=(800, 600), mode="RGB") -> Image.Image:
    """A picture with detail (noise), so that a JPEG of it is long enough to cut."""
    bands = [Image.effect_noise(size, 60 + 10 * i) for i in range(len(mode))]
    return Image.merge(mode, bands)


@functools.cache
def jpeg(size=(800, 600)) -> bytes:
    return encoded(noise(size), "JPEG", quality=90)


def truncated_jpeg(settings=None) -> bytes:
    """A JPEG cut at 60 %: the header is whole (Pillow's `verify()` passes), the scan is not."""
    data = jpeg()
    return data[: len(data) * 6 // 10]


def truncated_png(settings=None) -> bytes:
    data = encoded(noise((400, 300)), "PNG")
    return data[: len(data) // 2]


def polyglot_jpeg(settings=None) -> bytes:
    """A valid JPEG followed by an HTML page with a script and a ZIP archive."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.html", HTML_PAYLOAD)
    return jpeg() + HTML_PAYLOAD + archive.getvalue()


def gif_js_polyglot(settings=None) -> bytes:
    """A GIF that is also JavaScript: its screen width is the bytes `/*`, a comment ends after it."""
    data = bytearray(encoded(Image.new("P", (10, 10)), "GIF"))
    data[6:8] = b"/*"
    return bytes(data) + b"*/=alert(document.domain);//"


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


@functools.cache
def bomb_png(width: int, height: int, bit_depth: int = 8) -> bytes:
    """A greyscale PNG of zeros: a small file, width × height pixels once decoded."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width * bit_depth + 7) // 8)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def oversize_jpeg(settings) -> bytes:
    """A valid JPEG padded past PHOTO_MAX_UPLOAD_BYTES (after its end marker)."""
    data = jpeg()
    return data + b"\x00" * (settings.PHOTO_MAX_UPLOAD_BYTES + 1 - len(data))


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" onload="alert(1)">'
    b'<rect width="100" height="100"/><script>alert(2)</script></svg>'
)

CORPUS = [
    Sample("valid-jpeg", "chantier.jpg", "image/jpeg", lambda s: jpeg(), None),
    Sample(
        "valid-png", "chantier.png", "image/png", lambda s: encoded(noise((640, 480), "RGBA"), "PNG"), None
    ),
    Sample("valid-webp", "chantier.webp", "image/webp", lambda s: encoded(noise((640, 480)), "WEBP"), None),
    # Phones append data after a JPEG's end (motion photos): kept as a photo, the rest dropped.
    Sample("polyglot-jpeg-html-zip", "chantier.jpg", "image/jpeg", polyglot_jpeg, None),
    Sample("truncated-jpeg", "chantier.jpg", "image/jpeg", truncated_jpeg, "damaged"),
    Sample("truncated-png", "chantier.png", "image/png", truncated_png, "damaged"),
    Sample("gif-js-polyglot", "chantier.jpg", "image/jpeg", gif_js_polyglot, "not_a_photo"),
    Sample("oversize-file", "chantier.jpg", "image/jpeg", oversize_jpeg, "too_large"),
    # 144 megapixels in 140 KB: over twice the budget, Pillow's own bomb check raises at open.
    Sample(
        "huge-pixel-png", "chantier.png", "image/png", lambda s: bomb_png(12_000, 12_000), "too_many_pixels"
    ),
    # 48 megapixels: over the budget, under Pillow's error; refused from the header.
    Sample(
        "over-budget-png", "chantier.png", "image/png", lambda s: bomb_png(8_000, 6_000, 1), "too_many_pixels"
    ),
    Sample("zero-byte", "chantier.jpg", "image/jpeg", lambda s: b"", "empty"),
    Sample("pdf-named-jpg", "chantier.jpg", "image/jpeg", lambda s: PDF, "not_a_photo"),
    Sample("text-named-jpg", "chantier.jpg", "image/jpeg", lambda s: b"just some text\n" * 50, "not_a_photo"),
    Sample("svg", "chantier.svg", "image/svg+xml", lambda s: SVG, "not_a_photo"),
]
