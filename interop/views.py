"""The IATI activity file over HTTP: public, as IATI data is published for anyone to read."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from . import iati


@require_GET
def iati_activities(request):
    """`/iati/activities.xml`: aggregate figures only (targets and actuals), no personal data."""
    response = HttpResponse(iati.render(iati.build_activities()), content_type="application/xml")
    response["Cache-Control"] = "public, max-age=300"
    return response
