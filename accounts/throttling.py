"""Request rates, counted in the cache (`settings.THROTTLE_CACHE`: Redis under REDIS_URL) with
DRF's throttles: the API per address (anonymous, the token endpoint) and per user, the login and
password forms per address and per user. Rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`,
read on each request (so a changed setting applies at once). Over the rate: 429 with
`Retry-After`. django-axes still locks an account after repeated failures (`programs/auth.py`)."""

from __future__ import annotations

import logging
import math
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger("haiti_esc.security")


class CacheRateThrottle(SimpleRateThrottle):
    """DRF's rate throttle on the throttle cache; a cache that does not answer lets the request
    through (an outage of Redis must not close the API), and says so in the log."""

    @property
    def cache(self):
        return caches[settings.THROTTLE_CACHE]

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - any error of the cache backend (Redis down)
            logger.warning("Throttle cache unavailable: %s not counted", self.scope, exc_info=True)
            return True

    def by_address(self, request):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnonymousRateThrottle(CacheRateThrottle):
    """Requests without a signed-in user, per address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        return None if request.user and request.user.is_authenticated else self.by_address(request)


class UserRateThrottle(CacheRateThrottle):
    """Requests of a signed-in user (token or session), per user."""

    scope = "user"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
        return None


class TokenRateThrottle(CacheRateThrottle):
    """POST /api/auth/token/ per address, whatever the answer."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.by_address(request)


class LoginRateThrottle(TokenRateThrottle):
    """The login form's posts, per address."""

    scope = "login"


class PasswordRateThrottle(CacheRateThrottle):
    """The password form's posts, per user (per address before login)."""

    scope = "password"

    def get_cache_key(self, request, view):
        if request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
        return self.by_address(request)


def throttle_posts(throttle_class):
    """A view decorator: its POSTs over `throttle_class`'s rate answer a 429 page with
    `Retry-After` (GETs are not counted)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                throttle = throttle_class()
                if not throttle.allow_request(request, None):
                    wait = throttle.wait() or throttle.duration
                    seconds = max(1, math.ceil(wait))
                    response = render(
                        request, "registration/throttled.html", {"seconds": seconds}, status=429
                    )
                    response["Retry-After"] = str(seconds)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
