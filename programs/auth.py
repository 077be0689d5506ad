"""Login throttling (django-axes) for every login made through a web request, and permission
sets kept in the cache between requests."""

import logging

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

from .versions import CacheVersion

log = logging.getLogger(__name__)
#: A cached set lives this long at most, whatever happens (a change made without signals).
PERMISSIONS_TIMEOUT = 300


class ThrottledLoginBackend(AxesStandaloneBackend):
    """Axes' lockout check; a login without a request (shell, test client) has no address to
    throttle and is passed on to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


#: A number every cached permission set's key carries; bumped by any change that may change one.
PERMISSIONS_VERSION_KEY = "auth:permissions-version"
PERMISSIONS_VERSION = CacheVersion(PERMISSIONS_VERSION_KEY)
#: Its bump, one object: `permissions_changed` queues it once per transaction.
_new_version = PERMISSIONS_VERSION.bump
#: Tables whose rows make a user's permissions (users' groups and permissions, groups' permissions).
PERMISSION_TABLES = frozenset({"auth_user_groups", "auth_user_user_permissions", "auth_group_permissions"})
#: Saves of a user that change no permission (Django's login writes last_login alone).
HARMLESS_USER_FIELDS = frozenset({"last_login", "password", "email", "first_name", "last_name"})


class CachedPermissionBackend(ModelBackend):
    """Django's ModelBackend with each user's permission sets kept in the cache between requests.

    Every page asks `has_perm` (the roles behind each door, the second factor, the menus), and
    Django reads the sets again in each request: two joins, a fifth of a cached dashboard's
    time. Here one cache round trip reads the user's sets with the current version, which any
    change of groups, permissions, memberships or a user's flags bumps (`permissions_changed`),
    so a set is never used after a change; a cache that does not answer is the database."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = self._kept_permissions(user_obj)
        return user_obj._perm_cache

    def _kept_permissions(self, user) -> set[str]:
        key = f"auth:perms:{user.pk}"
        found = _cache_get_many([PERMISSIONS_VERSION_KEY, key])
        version, kept = found.get(PERMISSIONS_VERSION_KEY), found.get(key)
        if version is not None and kept is not None and kept[0] == (version, user.is_superuser):
            user._user_perm_cache, user._group_perm_cache = set(kept[1]), set(kept[2])
        else:
            mine = self._get_permissions(user, None, "user")
            groups = self._get_permissions(user, None, "group")
            version = PERMISSIONS_VERSION.current(found)
            if version is not None:
                _cache_set(key, ((version, user.is_superuser), frozenset(mine), frozenset(groups)))
        return {*user._user_perm_cache, *user._group_perm_cache}


def permissions_changed(sender=None, **kwargs) -> None:
    """Receiver of m2m_changed, post_save, post_delete and post_migrate (ProgramsConfig.ready):
    a new version for every cached permission set, when the change may touch one."""
    meta = getattr(sender, "_meta", None)
    action = kwargs.get("action")
    if action is not None:  # m2m_changed
        if not action.startswith("post_") or meta is None or meta.db_table not in PERMISSION_TABLES:
            return
    elif meta is not None:  # post_save, post_delete
        if meta.label_lower not in {"auth.user", "auth.group", "auth.permission"}:
            return
        fields = kwargs.get("update_fields")
        if meta.label_lower == "auth.user" and fields is not None and set(fields) <= HARMLESS_USER_FIELDS:
            return
    _new_version()
    # Again after the commit: a set read by another request between the two, from data not yet
    # committed to it, is not kept.
    connection = transaction.get_connection(kwargs.get("using"))
    if connection.in_atomic_block and not any(entry[1] is _new_version for entry in connection.run_on_commit):
        transaction.on_commit(_new_version, using=kwargs.get("using"))


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:
        log.warning("cache unreachable: permissions read from the database", exc_info=True)
        return {}


def _cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, timeout=PERMISSIONS_TIMEOUT)
    except Exception:
        log.warning("cache unreachable: permissions not kept", exc_info=True)
