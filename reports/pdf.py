"""The period report as an A4 PDF (WeasyPrint), from the same template as the page."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .documents import period_report


def report_pdf(project, period, *, language: str | None = None) -> bytes:
    """The PDF of a period's report, in `language` (the active one when None)."""
    html_class = _weasyprint_html()
    with translation.override(language or translation.get_language()):
        report = period_report(project, period)
        html = render_to_string("reports/pdf.html", {"report": report, "for_pdf": True})
    return html_class(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _weasyprint_html():
    """WeasyPrint's HTML class, imported on first use (it loads pango), leaving Pillow as found.

    Importing WeasyPrint sets Pillow's process-wide `ImageFile.LOAD_TRUNCATED_IMAGES`, which
    would let the field's damaged photos pass as whole (`rehab.photos`): it is put back.
    """
    from PIL import ImageFile  # noqa: PLC0415

    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        from weasyprint import HTML  # noqa: PLC0415
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    return HTML


def served_pdf(project, period, *, language: str | None = None) -> tuple[bytes, bool]:
    """The approved PDF when the period is approved or locked and one was kept; else a fresh one.
    Returns (pdf, is_the_approved_one)."""
    if period.frozen and period.approved_pdf:
        return bytes(period.approved_pdf), True
    return report_pdf(project, period, language=language), False
