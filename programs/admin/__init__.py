"""The ground floor's admin, and the helpers the other apps' admins share."""

from .history import MaskedHistoryHelper, ReadOnlyHistoryAdmin
from .programme import ProjectAdmin, ReadOnlyAdmin
from .records import InlineRecordsThroughServices, ReadOnlyInline, ReviewedRecordAdmin

__all__ = [
    "InlineRecordsThroughServices",
    "MaskedHistoryHelper",
    "ProjectAdmin",
    "ReadOnlyAdmin",
    "ReadOnlyHistoryAdmin",
    "ReadOnlyInline",
    "ReviewedRecordAdmin",
]
