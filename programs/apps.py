from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programmes")

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_sync_roles, dispatch_uid="programs.sync_roles")


def _sync_roles(sender, app_config=None, using="default", apps=None, **kwargs):
    """After every migrate, give each role exactly the permissions of `programs.roles`,
    models added since the first migration included."""
    if app_config is None or app_config.label != "programs":
        return
    from django.apps import apps as global_apps

    from .roles import sync_roles

    sync_roles(apps or global_apps)
