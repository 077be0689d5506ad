"""Responses that carry people's data must not be kept by browsers or proxies."""


class PrivateCacheMiddleware:
    """`Cache-Control: no-store` on every page served to a logged-in user (static files and
    public pages keep their caching), so a shared phone's back button shows no personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response


class RefusalAuditMiddleware:
    """Refused accesses (403) are logged and kept in the access audit: who, when, which address.
    Never the request's body: no password or personal data is written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            import logging

            from .models import AccessAudit
            from .services import audit_access

            user = getattr(request, "user", None)
            logging.getLogger("haiti_esc.security").warning(
                "Refused %s %s to %s",
                request.method,
                request.path,
                getattr(user, "username", "") or "anonymous",
            )
            audit_access(user=user, action=AccessAudit.Action.REFUSED, what=request.method, path=request.path)
        return response


class OversizeBodyMiddleware:
    """A body of text over DATA_UPLOAD_MAX_MEMORY_SIZE (files apart) is answered 413 with a
    message, in JSON for the API and the phone's outbox, before anything reads it; Django's own
    answer was a bare 400 page, raised wherever the body was first read (CSRF, a parser).

    A form's body is parsed here, which the CSRF check does for every POST anyway, and which DRF
    expects ("request.POST accessed in middleware"); any other body is judged by its length."""

    FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.core.exceptions import RequestDataTooBig

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            if request.method == "POST" and request.content_type in self.FORM_TYPES:
                request.POST  # noqa: B018 - parsed now, so that its size is judged here
            elif limit is not None and int(request.META.get("CONTENT_LENGTH") or 0) > limit:
                raise RequestDataTooBig
        except RequestDataTooBig:
            return _too_large(request, limit)
        except ValueError:  # a Content-Length that is no number: Django's own handling
            pass
        return self.get_response(request)


def _too_large(request, limit: int):
    from django.http import HttpResponse, JsonResponse
    from django.template.defaultfilters import filesizeformat
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    message = _("This entry is too large to be sent (over %(size)s of text): shorten it.") % {
        "size": filesizeformat(limit)
    }
    # The outbox's header (field.outbox.OUTBOX_HEADER), read here without importing floor 5.
    if request.path.startswith("/api/") or request.headers.get("X-Requested-With") == "outbox":
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(f"<!DOCTYPE html><title>413</title><p>{escape(message)}</p>", status=413)
