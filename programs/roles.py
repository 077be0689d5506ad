"""The three roles and their permissions, applied by a data migration and `sync_roles`.

Field staff enter field records for their neighbourhoods (scoping is per object, see
`NeighbourhoodAssignment`); ILO managers read everything, set targets and review field
records; administrators manage everything, including personal data.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

FIELD_STAFF = "CVR field staff"
ILO_MANAGERS = "ILO managers"
ADMINISTRATORS = "Administrators"
#: The roles' names as people read them (the groups' names are the English ones above).
LABELS = {
    FIELD_STAFF: _("CVR field staff"),
    ILO_MANAGERS: _("ILO managers"),
    ADMINISTRATORS: _("Administrators"),
}


def role_label(name: str) -> str:
    """A role's name in the reader's language; another group's name as it is."""
    return str(LABELS.get(name, name))


#: Models whose records field staff enter and managers review.
FIELD_RECORDS = [
    ("fora", "forumsession"),
    ("enterprises", "business"),
    ("enterprises", "escservice"),
    ("enterprises", "job"),
    ("rehab", "workrecord"),
]
#: Entered alongside field records, without review of their own.
FIELD_DETAILS = [
    ("fora", "structurepriority"),
    ("fora", "beneficiaryselection"),
    ("beneficiaries", "beneficiary"),
]
APPS = ["programs", "beneficiaries", "fora", "enterprises", "rehab", "progress"]
#: Apps of the libraries whose admin only administrators use: schedules, lockouts, API tokens.
ADMIN_APPS = ["django_celery_beat", "axes", "authtoken", "otp_totp", "otp_static"]
#: Kept from everyone but administrators: who looked at whose data, one-time form tokens.
ADMIN_ONLY = {("programs", "accessaudit"), ("programs", "formsubmission")}


def role_permissions(
    models: list[tuple[str, str]], admin_models: list[tuple[str, str]] = ()
) -> dict[str, set[tuple[str, str]]]:
    """Map each role to (app_label, codename) pairs, given every (app_label, model) pair of the
    programme's apps and of the libraries only administrators manage."""
    view_all = {(app, f"view_{model}") for app, model in models if (app, model) not in ADMIN_ONLY}
    field = {
        (app, f"{action}_{model}")
        for app, model in FIELD_RECORDS + FIELD_DETAILS
        for action in ("add", "change")
    }
    review = {(app, "review") for app, _model in FIELD_RECORDS}
    everything = {
        (app, f"{action}_{model}")
        for app, model in [*models, *admin_models]
        for action in ("add", "change", "delete", "view")
    }
    gates = {
        "use": ("programs", "use_programme"),
        "enter": ("programs", "enter_field_data"),
        "review": ("programs", "review_field_records"),
        "all": ("programs", "see_all_neighbourhoods"),
        # Signing in takes a code from an authenticator app (accounts/second_factor.py).
        "second_factor": ("accounts", "require_second_factor"),
    }
    return {
        FIELD_STAFF: view_all | field | {gates["use"], gates["enter"]},
        ILO_MANAGERS: view_all
        | {gates["use"], gates["review"], gates["all"], gates["second_factor"]}
        | review
        | {("programs", "add_target"), ("programs", "change_target")}
        | {("programs", "add_targetsplit"), ("programs", "change_targetsplit")},
        ADMINISTRATORS: everything
        | {gates["use"], gates["review"], gates["all"], gates["second_factor"]}
        | review
        | {("beneficiaries", "view_personal_data")}
        # Who holds which access, unused accounts, second factors reset (/accounts/access-review/).
        | {("accounts", "review_access"), ("accounts", "view_accesschange")}
        | {("auth", f"{a}_{m}") for a in ("add", "change", "view") for m in ("user", "group")},
    }


def sync_roles(apps) -> None:
    """Create the groups and give each exactly its permissions (idempotent).

    `apps` is the migration state's registry or the global one; it is left as found.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)  # migration stubs lack it
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    models = list(ContentType.objects.filter(app_label__in=APPS).values_list("app_label", "model"))
    admin_models = list(
        ContentType.objects.filter(app_label__in=ADMIN_APPS).values_list("app_label", "model")
    )
    # One (app, codename) may name several permissions: "review" exists on each field record.
    by_key = defaultdict(list)
    for permission in Permission.objects.select_related("content_type"):
        by_key[(permission.content_type.app_label, permission.codename)].append(permission)
    for name, keys in role_permissions(models, admin_models).items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([permission for key in keys for permission in by_key.get(key, [])])
