"""What the beneficiary admin shows: the list, the fieldsets, the search, the history, and the
phone and date of birth masked for users not allowed to see personal data, whose every view of
them is written to the access audit."""

from __future__ import annotations

import re

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs import access
from programs.admin import MaskedHistoryHelper
from programs.masking import MASK
from programs.models import AccessAudit
from programs.services import audit_access

from .. import selectors


def may_see_personal_data(request) -> bool:
    """Whether the requesting user may see phones and dates of birth."""
    return access.may_view_personal_data(request.user)


class BeneficiaryChangeList(ChangeList):
    """The list, where a filter value that names nothing ("²" where a session id goes, a NUL)
    is a wrong lookup parameter, as Django makes of its own filters' wrong values: the
    unfiltered list is shown (`?e=1`), never an error page. The filters of the floors above
    (`extend_beneficiary_admin`) are held to it too."""

    def get_queryset(self, request, exclude_parameters=None):
        # No text in the database holds a NUL; PostgreSQL refuses one in a query (a ValueError).
        if any("\x00" in value for _name, values in request.GET.lists() for value in values):
            raise IncorrectLookupParameters
        try:
            return super().get_queryset(request, exclude_parameters)
        except ValueError as error:  # int("²"), a date that is no date
            raise IncorrectLookupParameters(error) from error


class BeneficiaryDisplayMixin:
    """The list, the person's page and the history of `BeneficiaryAdmin`."""

    def get_changelist(self, request, **kwargs):
        return BeneficiaryChangeList

    def get_queryset(self, request):
        queryset = access.visible(super().get_queryset(request), request.user)
        queryset = selectors.with_duplicate_flag(queryset)
        queryset = selectors.with_employment(queryset, today=timezone.localdate())
        # Each row carries whether its viewer may see personal data: the display methods get the
        # row, not the request, and the admin object is shared between requests.
        return queryset.annotate(viewer_sees_personal_data=Value(may_see_personal_data(request)))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.viewer = request.user
        return obj

    def get_fieldsets(self, request, obj=None):
        personal = obj is None or may_see_personal_data(request)
        birth = "date_of_birth" if personal else "date_of_birth_shown"
        phone = "phone" if personal else "phone_shown"
        fieldsets = [
            (None, {"fields": ("code", ("first_name", "last_name"), "sex", birth, "neighbourhood", phone)}),
            (
                _("Consent"),
                {"fields": ("consent_given", "consent_date", "consent_withdrawn_on", "anonymised_at")},
            ),
        ]
        if obj is not None:
            fieldsets.append((_("Suspected duplicates"), {"fields": ("look_alikes", "confirmed_different")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "date_of_birth_shown",
            "phone_shown",
            "consent_withdrawn_on",
            "anonymised_at",
            "look_alikes",
            "confirmed_different",
        ]
        if obj is not None:
            readonly.append("code")  # the code identifies the person in every import file
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.anonymised_at is not None:
            return False  # nothing is left to change; a re-entry would undo the anonymisation
        return super().has_change_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")  # no text in the database holds one
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # ASCII digits only: "٣٧١٢" is four digits to `\d`, none of a phone number.
        digits = re.sub(r"[^0-9]", "", search_term)
        if may_see_personal_data(request) and len(digits) >= 4 and re.fullmatch(r"[+0-9\s]+", search_term):
            by_phone = queryset.filter(_phone_key__contains=digits[-selectors.PHONE_KEY_DIGITS :])
            results = results | by_phone
        return results, may_have_duplicates

    @admin.display(description=gettext_lazy("name"), ordering="last_name")
    def name(self, obj):
        return f"{obj.last_name}, {obj.first_name}" if obj.last_name or obj.first_name else "—"

    @admin.display(description=gettext_lazy("neighbourhood"), ordering="neighbourhood__name")
    def neighbourhood_name(self, obj):
        return obj.neighbourhood.name

    @admin.display(description=gettext_lazy("age"), ordering="-date_of_birth")
    def age(self, obj):
        age = obj.age_on(timezone.localdate())
        return "—" if age is None else age

    @admin.display(description=gettext_lazy("date of birth"))
    def date_of_birth_shown(self, obj):
        if obj.date_of_birth is None:
            return "—"
        return obj.date_of_birth if getattr(obj, "viewer_sees_personal_data", False) else MASK

    @admin.display(description=gettext_lazy("phone"))
    def phone_shown(self, obj):
        if not obj.phone:
            return "—"
        if not getattr(obj, "viewer_sees_personal_data", False):
            return MASK
        return obj.phone.replace(" ", "\N{NO-BREAK SPACE}")  # one line per number

    @admin.display(description=gettext_lazy("employment"))
    def employment(self, obj):
        count = getattr(obj, "job_count", None)
        if count is None:
            count = obj.jobs.count()
        if not count:
            return "—"
        if getattr(obj, "employed_now", False):
            return _("employed (%(n)d jobs)") % {"n": count} if count > 1 else _("employed")
        return _("had %(n)d jobs") % {"n": count} if count > 1 else _("had a job")

    @admin.display(description=gettext_lazy("consent"))
    def consent(self, obj):
        if obj.consent_withdrawn_on:
            return _("withdrawn on %(day)s") % {"day": obj.consent_withdrawn_on}
        if obj.consent_given:
            return _("given on %(day)s") % {"day": obj.consent_date}
        return _("not given")

    @admin.display(description=gettext_lazy("suspected duplicate"))
    def duplicate_flag(self, obj):
        """A word where there is something to look at, nothing elsewhere (a column of red
        crosses would hide the few that matter)."""
        return _("suspected") if getattr(obj, "suspected_duplicate", False) else ""

    @admin.display(description=gettext_lazy("look-alikes"))
    def look_alikes(self, obj):
        viewer = getattr(obj, "viewer", None)
        if viewer is None:  # a past version, on the history page
            return "—"
        people = access.visible(selectors.look_alikes_of(obj), viewer)
        if not people:
            return _("None: no one else has this name and date of birth, or this phone.")
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:beneficiaries_beneficiary_change", args=[p.pk]), str(p)) for p in people),
        )

    @admin.display(description=gettext_lazy("confirmed different from"))
    def confirmed_different(self, obj):
        people = obj.distinct_from.order_by("code")
        return ", ".join(p.code for p in people) or "—"

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryHelper(self.model, historical_record, mask=not may_see_personal_data(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if object_id and may_see_personal_data(request):
            audit_access(
                user=request.user,
                action=AccessAudit.Action.VIEW_PERSONAL_DATA,
                what=f"beneficiary #{object_id}",
                path=request.path,
            )
        return super().change_view(request, object_id, form_url, extra_context)
