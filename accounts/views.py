"""The language switcher: Django's own view, and the choice kept for the signed-in person."""

from __future__ import annotations

from django.views.i18n import set_language as django_set_language

from .language import SESSION_KEY, language_choose


def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language:
        language_choose(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    return response
