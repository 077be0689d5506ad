"""What the phone needs to work offline: the app's manifest, its service worker (served from
/field/ so that its scope is the field pages), the lists the forms use, and a fresh CSRF token
before the outbox sends (tokens rotate at login)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from programs import access

from . import selectors
from .kinds import KINDS
from .outbox import login_required_or_401

#: What a precached folder contributes: code, styles and images (not licences or read-me files).
SHELL_SUFFIXES = {".js", ".mjs", ".css", ".png", ".svg", ".webp", ".ico"}
#: Static files of the field shell, precached by the service worker (folders: every file in them).
SHELL_STATIC = [
    "css/app.css",
    "js/field.js",
    "js/offline/",
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/idb/",
    "icons/",
]


def shell_pages() -> list[str]:
    return [
        reverse("field:home"),
        *[reverse("field:create", args=[slug]) for slug in KINDS],
        reverse("field:offline-data"),
        reverse("javascript-catalog"),
    ]


def shell_static() -> list[str]:
    """The static URLs of the shell (hashed names under the manifest storage)."""
    names = []
    for entry in SHELL_STATIC:
        if entry.endswith("/"):
            folder = finders.find(entry.rstrip("/"))
            if folder:
                names += sorted(
                    f"{entry}{path.relative_to(folder).as_posix()}"
                    for path in Path(folder).rglob("*")
                    if path.is_file() and path.suffix in SHELL_SUFFIXES
                )
        elif finders.find(entry):
            names.append(entry)
    return [static(name) for name in names]


def offline_version(precache: list[str]) -> str:
    """Changes when the setting or any precached file changes: a new worker then takes over."""
    digest = hashlib.sha256(settings.FIELD_OFFLINE_VERSION.encode())
    for url in precache:
        digest.update(url.encode())
    sw = finders.find("js/sw.js")
    if sw:
        digest.update(Path(sw).read_bytes())
    return f"{settings.FIELD_OFFLINE_VERSION}-{digest.hexdigest()[:12]}"


@require_GET
def service_worker(request):
    source = finders.find("js/sw.js")
    body = Path(source).read_text() if source else ""
    precache = [*shell_pages(), *shell_static()]
    version = json.dumps(offline_version(precache))
    head = f"const FIELD_VERSION = {version}; const PRECACHE = {json.dumps(precache)};\n"
    response = HttpResponse(head + body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:home")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    body = {
        "name": _("haiti_esc — field entry"),
        "short_name": _("ESC field"),
        "start_url": reverse("field:home"),
        "scope": reverse("field:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d3b66",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("icons/field-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/field-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@never_cache
@login_required_or_401(json_only=True)
@require_GET
def csrf(request):
    return JsonResponse({"csrf_token": get_token(request), "user": request.user.pk})


@never_cache
@login_required_or_401(json_only=True)
@require_GET
def offline_data(request):
    if not access.may_enter_field_data(request.user):
        return JsonResponse({"detail": _("Only field staff record field data.")}, status=403)
    return JsonResponse(selectors.offline_lists(request.user), json_dumps_params={"ensure_ascii": False})
