from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programmes")

    def ready(self):
        from django.contrib.auth.models import Group, Permission, User
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

        from .auth import permissions_changed

        post_migrate.connect(_sync_roles, dispatch_uid="programs.sync_roles")
        post_migrate.connect(permissions_changed, dispatch_uid="programs.permissions_migrated")
        # Only what makes a permission set (a save elsewhere calls nothing); migrations, whose
        # historical models send their own signals, end in post_migrate.
        for model in (User, Group, Permission):
            for name, signal in {"save": post_save, "delete": post_delete}.items():
                signal.connect(
                    permissions_changed, sender=model, dispatch_uid=f"perms_{model.__name__}_{name}"
                )
        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"perms_{through.__name__}")


def _sync_roles(sender, app_config=None, using="default", apps=None, **kwargs):
    """After every migrate, give each role exactly the permissions of `programs.roles`,
    models added since the first migration included."""
    if app_config is None or app_config.label != "programs":
        return
    from django.apps import apps as global_apps

    from .roles import sync_roles

    sync_roles(apps or global_apps)
