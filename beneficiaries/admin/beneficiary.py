"""Admin of the beneficiary register: import from CSV / XLSX with a preview and a per-row report,
export of what the user may see, suspected duplicates and their merge, consent withdrawal with
anonymisation, and a change history. Phone numbers and dates of birth are shown only to users with the
`beneficiaries.view_personal_data` permission (`programs.access.may_view_personal_data`).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from programs.admin import ReadOnlyHistoryAdmin

from ..models import Beneficiary
from .actions import BeneficiaryActionsMixin
from .display import BeneficiaryDisplayMixin
from .filters import AgeBandFilter, ConsentFilter, DuplicateFilter, EmployedFilter
from .spreadsheets import BeneficiarySpreadsheetsMixin


@admin.register(Beneficiary)
class BeneficiaryAdmin(
    BeneficiaryDisplayMixin,
    BeneficiaryActionsMixin,
    BeneficiarySpreadsheetsMixin,
    ReadOnlyHistoryAdmin,
):
    """People the project serves. Phone and date of birth only for users allowed to see personal
    data; everyone else sees them masked, here, in the history and in exports."""

    list_display = (
        "code",
        "name",
        "sex",
        "age",
        "date_of_birth_shown",
        "phone_shown",
        "neighbourhood_name",
        "employment",
        "consent",
        "duplicate_flag",
    )
    list_display_links = ("code", "name")
    list_filter = (
        ("neighbourhood", admin.RelatedOnlyFieldListFilter),
        "sex",
        AgeBandFilter,
        EmployedFilter,
        ConsentFilter,
        DuplicateFilter,
    )
    search_fields = ("code", "first_name", "last_name")
    search_help_text = gettext_lazy("Code, first or last name (and phone, for those allowed to see it).")
    autocomplete_fields = ("neighbourhood",)
    list_select_related = ("neighbourhood",)
    list_per_page = 50
    #: The floors above add theirs (a person's jobs, selections): `extend_beneficiary_admin`.
    inlines = []


def extend_beneficiary_admin(*, inline=None, list_filter=None, after=None) -> None:
    """Let a floor above show its records on a person's page (an inline) or filter people by them
    (`list_filter`, placed after the filter `after`): the register imports none of them."""
    if inline is not None and inline not in BeneficiaryAdmin.inlines:
        BeneficiaryAdmin.inlines = [*BeneficiaryAdmin.inlines, inline]
    if list_filter is not None and list_filter not in BeneficiaryAdmin.list_filter:
        filters = list(BeneficiaryAdmin.list_filter)
        filters.insert(filters.index(after) + 1 if after in filters else len(filters), list_filter)
        BeneficiaryAdmin.list_filter = tuple(filters)
