from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Target dashboards for ILO managers: reads snapshots, never computes progress."""

    name = "dashboard"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from programs.signals import progress_changed, records_changed

        from . import boards

        # A cache flush is a decoupled side effect: the apps that save never import the dashboard.
        for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
            signal.connect(boards.record_changed, dispatch_uid=f"dashboard-boards-{name}")
        records_changed.connect(boards.record_changed, dispatch_uid="dashboard-boards-bulk")
        # A counted record leaving "verified" (returned, or saved back to draft by the admin).
        progress_changed.connect(boards.record_changed, dispatch_uid="dashboard-boards-progress")
