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

