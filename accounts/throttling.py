"""Request rates, counted in the cache (`settings.THROTTLE_CACHE`: Redis under REDIS_URL) with
DRF's throttles: the API per address (anonymous, the token endpoint) and per user, the login and
password forms per address and per user. Rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`,
read on each request (so a changed setting applies at once). Over the rate: 429 with
`Retry-After`. django-axes still locks an account after repeated failures (`programs/auth.py`), from
the same client address (`client_address`, its AXES_CLIENT_IP_CALLABLE)."""

from __future__ import annotations

import hashlib
import logging
import math
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

logger = logging.getLogger("haiti_esc.security")
#: Set on a request once the anonymous rate counted it (see `refused_anonymous_wait`).
COUNTED = "_anonymous_rate_counted"


def client_address(request) -> str:
    """The address a request is counted and locked out by: REMOTE_ADDR, or behind
    `REST_FRAMEWORK["NUM_PROXIES"]` proxies of ours the one the outermost of them saw (the Nth
    from the right of X-Forwarded-For, never what the client wrote to its left)."""
    return BaseThrottle().get_ident(request)


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
        if request.user and request.user.is_authenticated:
            return None
        setattr(request, COUNTED, True)
        return self.by_address(request)


def refused_anonymous_wait(request) -> float | None:
    """A request refused 401 (no credentials, a wrong token) before the throttles ran, as DRF
    checks permissions first: counted as an anonymous request now, so that one address cannot ask
    without end. The seconds to wait when it is over the rate, else None."""
    if getattr(request, COUNTED, False):
        return None
    throttle = AnonymousRateThrottle()
    if throttle.allow_request(request, None):
        return None
    return max(1, math.ceil(throttle.wait() or throttle.duration))


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


class PasswordResetRateThrottle(CacheRateThrottle):
    """Password reset requests in the last hour for one `value`: an e-mail address asked for
    (kept as its hash) or a client address; `limit` from PASSWORD_RESET_LIMIT_PER_*."""

    def __init__(self, *, kind: str, value: str, limit: int):
        self.scope = f"password_reset_{kind}"
        self.ident = hashlib.sha256(value.encode()).hexdigest()
        self.rate = f"{limit}/hour"
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


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
