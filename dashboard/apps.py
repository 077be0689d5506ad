from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Target dashboards for ILO managers: reads snapshots, never computes progress."""

    name = "dashboard"
    verbose_name = _("Dashboards")
