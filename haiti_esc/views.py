"""Site-wide error pages."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.views.defaults import server_error

logger = logging.getLogger(__name__)


def error_500(request):
    """A clear 503 while the database is down (the next request reconnects); 500 otherwise."""
    from django.http import HttpResponse

    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.warning("Database unavailable for %s: %s", request.path, error)
        return HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": "30"})
    return server_error(request)
