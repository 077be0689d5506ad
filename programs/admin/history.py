"""Shared admin helpers for models with a history: read-only history, personal data masked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ..ids import parse_id
from ..masking import MASK, PERSONAL_FIELDS


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The "Changes" column of the history page, with personal data masked."""

    def __init__(self, *args, mask: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.mask = mask

    def prepare_delta_change_value(self, change, value):
        if self.mask and change.field in PERSONAL_FIELDS and value not in (None, ""):
            return MASK
        return super().prepare_delta_change_value(change, value)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """The history shows who changed what and when; it does not revert (a revert would bypass
    the services that keep progress, reviews and anonymisation right)."""

    object_history_list_template = "admin/history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        if parse_id(object_id) is None:  # "²" or a NUL: simple-history's query would fail on it
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        if parse_id(object_id) is None or parse_id(version_id) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
