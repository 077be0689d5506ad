from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Progress")

    def ready(self):
        from programs.signals import progress_changed

        from .staleness import on_progress_changed

        # A write on a lower floor says what changed; the engine marks those projects stale.
        progress_changed.connect(on_progress_changed, dispatch_uid="progress.on_progress_changed")
