"""The Django admin's site with its login form limited as the login page is (per address, 429 with
Retry-After): it is a second door to the same accounts."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig

from .throttling import LoginRateThrottle, throttle_posts


class AdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        return throttle_posts(LoginRateThrottle)(super().login)(request, extra_context)


class AdminConfig(DjangoAdminConfig):
    """In INSTALLED_APPS in place of `django.contrib.admin`."""

    default_site = "accounts.admin_site.AdminSite"
