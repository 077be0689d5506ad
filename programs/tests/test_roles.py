"""The three roles: created by the data migration, checked through `has_perm` on real users."""

import django.apps
import pytest
from django.contrib.auth.models import Group, Permission

from conftest import make_user
from programs import roles

pytestmark = pytest.mark.django_db

#: Field records: entered by field staff, reviewed by managers.
FIELD_RECORD_MODELS = [
    ("fora", "forumsession"),
    ("enterprises", "business"),
    ("enterprises", "escservice"),
    ("enterprises", "job"),
    ("rehab", "workrecord"),
]
FIELD_STAFF_MODELS = [*FIELD_RECORD_MODELS, ("beneficiaries", "beneficiary")]
ALL_APP_MODELS = [
    (app, model.__name__.lower())
    for app in roles.APPS
    for model in django.apps.apps.get_app_config(app).get_models()
]


@pytest.fixture(autouse=True)
def app_registry_restored():
    """Put back what `sync_roles` may change on the real app configs, whatever a test finds."""
    saved = {config: config.models_module for config in django.apps.apps.get_app_configs()}
    yield
    for config, models_module in saved.items():
        config.models_module = models_module


def member_of(django_user_model, group_name: str, **extra):
    """A fresh user in `group_name`, refetched so that no permission cache hides a change."""
    user = make_user(f"user-{group_name}", group_name, **extra)
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def field_staff(django_user_model):
    return member_of(django_user_model, roles.FIELD_STAFF)


@pytest.fixture
def manager(django_user_model):
    return member_of(django_user_model, roles.ILO_MANAGERS, is_staff=True)


@pytest.fixture
def administrator_user(django_user_model):
    return member_of(django_user_model, roles.ADMINISTRATORS, is_staff=True)


def group_permissions() -> dict[str, set[tuple[str, str, str]]]:
    return {
        group.name: set(
            group.permissions.values_list("content_type__app_label", "content_type__model", "codename")
        )
        for group in Group.objects.all()
    }


def test_the_three_groups_exist_after_migrations():
    names = set(Group.objects.values_list("name", flat=True))

    assert {roles.FIELD_STAFF, roles.ILO_MANAGERS, roles.ADMINISTRATORS} <= names


def test_every_group_has_permissions_after_migrations():
    for name in (roles.FIELD_STAFF, roles.ILO_MANAGERS, roles.ADMINISTRATORS):
        assert Group.objects.get(name=name).permissions.exists(), name


@pytest.mark.parametrize(("app", "model"), FIELD_STAFF_MODELS, ids=lambda v: v)
def test_field_staff_can_add_and_change_field_records(field_staff, app, model):
    assert field_staff.has_perm(f"{app}.add_{model}")
    assert field_staff.has_perm(f"{app}.change_{model}")
    assert field_staff.has_perm(f"{app}.view_{model}")


def test_field_staff_cannot_delete_anything(field_staff):
    deletable = [f"{app}.delete_{model}" for app, model in ALL_APP_MODELS]
    deletable += ["auth.delete_user", "auth.delete_group"]

    assert [perm for perm in deletable if field_staff.has_perm(perm)] == []
    assert [
        perm for perm in field_staff.get_all_permissions() if perm.split(".")[1].startswith("delete_")
    ] == []


def test_field_staff_cannot_review_field_records(field_staff):
    for app in ("fora", "enterprises", "rehab"):
        assert not field_staff.has_perm(f"{app}.review")


def test_field_staff_cannot_see_personal_data(field_staff):
    assert not field_staff.has_perm("beneficiaries.view_personal_data")


def test_field_staff_cannot_set_targets(field_staff):
    assert not field_staff.has_perm("programs.add_target")
    assert not field_staff.has_perm("programs.change_target")


@pytest.mark.parametrize(("app", "model"), FIELD_RECORD_MODELS, ids=lambda v: v)
def test_managers_review_but_do_not_enter_field_records(manager, app, model):
    assert manager.has_perm(f"{app}.review")
    assert manager.has_perm(f"{app}.view_{model}")
    assert not manager.has_perm(f"{app}.add_{model}")
    assert not manager.has_perm(f"{app}.change_{model}")
    assert not manager.has_perm(f"{app}.delete_{model}")


def test_managers_set_targets(manager):
    assert manager.has_perm("programs.add_target")
    assert manager.has_perm("programs.change_target")
    assert manager.has_perm("programs.add_targetsplit")
    assert manager.has_perm("programs.change_targetsplit")


def test_managers_cannot_see_personal_data_nor_delete(manager):
    assert not manager.has_perm("beneficiaries.view_personal_data")
    assert [perm for perm in manager.get_all_permissions() if perm.split(".")[1].startswith("delete_")] == []


def test_managers_read_every_model_of_the_programme_but_the_administrators_own(manager):
    readable = [(app, model) for app, model in ALL_APP_MODELS if (app, model) not in roles.ADMIN_ONLY]

    assert [f"{app}.{model}" for app, model in readable if not manager.has_perm(f"{app}.view_{model}")] == []


@pytest.mark.parametrize(("app", "model"), sorted(roles.ADMIN_ONLY), ids=lambda v: v)
def test_only_administrators_see_the_administrators_own_models(
    field_staff, manager, administrator_user, app, model
):
    assert not field_staff.has_perm(f"{app}.view_{model}")
    assert not manager.has_perm(f"{app}.view_{model}")
    assert administrator_user.has_perm(f"{app}.view_{model}")


def test_administrators_see_personal_data(administrator_user):
    assert administrator_user.has_perm("beneficiaries.view_personal_data")


def test_administrators_may_delete_every_model_of_the_programme(administrator_user):
    missing = [
        f"{app}.delete_{model}"
        for app, model in ALL_APP_MODELS
        if not administrator_user.has_perm(f"{app}.delete_{model}")
    ]

    assert missing == []


def test_administrators_review_and_manage_users(administrator_user):
    for app in ("fora", "enterprises", "rehab"):
        assert administrator_user.has_perm(f"{app}.review")
    assert administrator_user.has_perm("auth.add_user")
    assert administrator_user.has_perm("auth.change_group")


def test_a_permission_removed_from_a_group_is_gone_for_its_refetched_member(django_user_model, field_staff):
    """Guards the fixtures: a refetched user answers from the database, not from a stale cache."""
    assert field_staff.has_perm("rehab.add_workrecord")  # fills this instance's cache
    group = Group.objects.get(name=roles.FIELD_STAFF)
    group.permissions.remove(
        Permission.objects.get(content_type__app_label="rehab", codename="add_workrecord")
    )

    assert field_staff.has_perm("rehab.add_workrecord")
    assert not django_user_model.objects.get(pk=field_staff.pk).has_perm("rehab.add_workrecord")


def test_sync_roles_twice_leaves_the_same_permissions():
    roles.sync_roles(django.apps.apps)
    once = group_permissions()
    roles.sync_roles(django.apps.apps)
    twice = group_permissions()

    assert twice == once
    assert all(once[name] for name in (roles.FIELD_STAFF, roles.ILO_MANAGERS, roles.ADMINISTRATORS))


def test_groups_after_migrations_hold_what_sync_roles_gives():
    """Every model added by a later migration is covered by the roles (a re-sync adds nothing)."""
    after_migrations = group_permissions()

    roles.sync_roles(django.apps.apps)

    assert group_permissions() == after_migrations


def test_sync_roles_restores_permissions_removed_by_hand():
    roles.sync_roles(django.apps.apps)
    group = Group.objects.get(name=roles.ILO_MANAGERS)
    expected = set(group.permissions.all())
    group.permissions.clear()

    roles.sync_roles(django.apps.apps)

    assert set(group.permissions.all()) == expected


def test_sync_roles_leaves_the_app_registry_as_it_found_it():
    """`sync_roles` is called with the real registry too; it must not unset `models_module`,
    which the post_migrate signal (permissions, content types) and `dumpdata` rely on."""
    before = {config.label: config.models_module for config in django.apps.apps.get_app_configs()}

    roles.sync_roles(django.apps.apps)

    after = {config.label: config.models_module for config in django.apps.apps.get_app_configs()}
    assert after == before
