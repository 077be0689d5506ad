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
