from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Nothing waits unseen: notifications in the app, digests and reminders by e-mail."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from programs.signals import record_returned

        from .services import notification_record_returned

        # The review workflow (floor 1) says a record went back to its author; it never imports us.
        record_returned.connect(notification_record_returned, dispatch_uid="notifications.record_returned")
