"""The beneficiary admin's actions: merge the records of one person, confirm look-alikes are
different people, withdraw consent and anonymise; each through its service, after a page that
shows the people concerned."""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programs.ids import parse_id
from programs.masking import MASK

from .. import services
from .display import may_see_personal_data


class BeneficiaryActionsMixin:
    """The actions of `BeneficiaryAdmin`."""

    actions = ["merge_selected", "confirm_different_people", "withdraw_consent"]

    def response_action(self, request, queryset):
        """A selection naming something other than ids ("²", a NUL) is refused with a message:
        Django's `pk__in` filter would fail on it (a 500)."""
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        if any(parse_id(pk) is None for pk in selected):
            self.message_user(
                request, _("The selection was not understood: select the people again."), messages.ERROR
            )
            return None
        return super().response_action(request, queryset)

    def _person_rows(self, request, people):
        personal = may_see_personal_data(request)
        return [
            {
                "person": p,
                "date_of_birth": (p.date_of_birth or "—") if personal else MASK,
                "phone": (p.phone or "—") if personal else MASK,
                "jobs": p.jobs.count(),
                "selections": p.selections.count(),
                "businesses": p.businesses.count(),
            }
            for p in people
        ]

    def _action_page(self, request, queryset, *, template, title, action, extra=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "rows": self._person_rows(request, queryset.order_by("code")),
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            **(extra or {}),
        }
        return TemplateResponse(request, template, context)

    # Django offers an action to a user who holds any one of its permissions: each action
    # names one permission method that requires all that the action needs.
    def has_merge_permission(self, request) -> bool:
        """Merging changes the kept record and deletes the others."""
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def has_anonymise_permission(self, request) -> bool:
        """Anonymising cannot be undone: it is for those who answer for personal data."""
        return self.has_change_permission(request) and may_see_personal_data(request)

    @admin.action(description=gettext_lazy("Merge the selected records of one person"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        people = list(queryset.order_by("code"))
        if len(people) < 2:
            self.message_user(request, _("Select at least two records to merge."), messages.WARNING)
            return None
        if request.POST.get("confirm") != "yes":
            return self._action_page(
                request,
                queryset,
                template="admin/beneficiaries/beneficiary/merge.html",
                title=_("Merge the records of one person"),
                action="merge_selected",
            )
        keep = next((p for p in people if str(p.pk) == request.POST.get("keep")), None)
        if keep is None:
            self.message_user(request, _("Choose the record to keep."), messages.ERROR)
            return None
        try:
            summary = services.beneficiary_merge(keep=keep, duplicates=people, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        message = _(
            "%(removed)s merged into %(kept)s: %(jobs)d jobs, %(selections)d selections "
            "(%(joined)d joined with the kept record's) and %(businesses)d businesses moved."
        ) % {
            "removed": ", ".join(summary.removed_codes),
            "kept": summary.kept.code,
            "jobs": summary.jobs_moved,
            "selections": summary.selections_moved + summary.selections_joined,
            "joined": summary.selections_joined,
            "businesses": summary.businesses_moved,
        }
        self.log_change(request, summary.kept, message)
        self.message_user(request, message, messages.SUCCESS)
        return None

    @admin.action(
        description=gettext_lazy("Confirm the selected look-alikes are different people"),
        permissions=["change"],
    )
    def confirm_different_people(self, request, queryset):
        try:
            pairs = services.beneficiaries_confirm_distinct(beneficiaries=list(queryset), by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(n)d pair recorded as different people; it is no longer flagged as a duplicate.",
                "%(n)d pairs recorded as different people; they are no longer flagged as duplicates.",
                pairs,
            )
            % {"n": pairs},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Mark consent withdrawn and anonymise"), permissions=["anonymise"])
    def withdraw_consent(self, request, queryset):
        queryset = queryset.filter(anonymised_at__isnull=True)
        if not queryset.exists():
            self.message_user(request, _("The selected people are already anonymised."), messages.WARNING)
            return None
        today = timezone.localdate()
        on = _day(request.POST.get("withdrawn_on")) if request.POST.get("confirm") else None
        if request.POST.get("confirm") != "yes" or on is None:
            return self._action_page(
                request,
                queryset,
                template="admin/beneficiaries/beneficiary/withdraw_consent.html",
                title=_("Withdraw consent and anonymise"),
                action="withdraw_consent",
                extra={"today": today, "date_error": request.POST.get("confirm") == "yes" and on is None},
            )
        done = []
        for person in queryset.order_by("code"):
            try:
                services.beneficiary_withdraw_consent(beneficiary=person, on=on, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{person.code}: {' '.join(error.messages)}", messages.ERROR)
                continue
            self.log_change(request, person, _("Consent withdrawn on %(day)s; anonymised.") % {"day": on})
            done.append(person.code)
        if done:
            self.message_user(
                request,
                _("Consent withdrawn and personal data removed for %(codes)s.") % {"codes": ", ".join(done)},
                messages.SUCCESS,
            )
        return None


def _day(value) -> datetime.date | None:
    """A date typed as YYYY-MM-DD, or None: also for one that looks like a date but is none
    (2014-02-30, for which `parse_date` raises)."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None
