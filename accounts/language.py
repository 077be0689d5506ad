"""Each person in their own language: chosen with the switcher, kept on their profile, used at
login on any device; before login the browser's language; otherwise French (LANGUAGE_CODE)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from .models import Profile

#: The session key holding the signed-in person's language (read on every request, no query).
SESSION_KEY = "preferred_language"


def language_of(user) -> str:
    """The user's chosen language, or "" when they chose none."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""


def language_choose(*, user, language: str) -> None:
    """Keep `language` as the user's choice (a code of settings.LANGUAGES)."""
    if language in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=user, defaults={"language": language})


def remember_language_at_login(sender, request, user, **kwargs) -> None:
    """Receiver of `user_logged_in`: the person's language follows them to any device."""
    if language := language_of(user):
        request.session[SESSION_KEY] = language
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserLanguageMiddleware:
    """After authentication: a signed-in person's own language wins over the browser's and the
    cookie; the cookie is set to it, so that the login page of the next visit speaks it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""
        if language and getattr(request, "user", None) is not None and request.user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        language = request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response
