"""Admin for centres, beneficiaries, businesses, services and jobs.

Beneficiaries: import from CSV / XLSX with a preview and a per-row report, export of what the
user may see, suspected duplicates and their merge, consent withdrawal with anonymisation, and
a change history. Phone numbers and dates of birth are shown only to users with the
`enterprises.view_personal_data` permission (`programs.access.may_view_personal_data`).
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Value
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from fora.models import BeneficiarySelection, ForumSession
from programs import access
from programs.admin import ReviewedRecordAdmin
from programs.models import AccessAudit
from programs.progress import AGE_BANDS
from programs.services import audit_access

from . import selectors, services
from .models import Beneficiary, Business, EnterpriseServiceCentre, EscService, Job
from .resources import (
    IMPORT_COLUMNS,
    MASK,
    BeneficiaryExportResource,
    BeneficiaryImportResource,
    import_template_dataset,
    row_problems,
)

PERSONAL_FIELDS = ("phone", "date_of_birth")


def may_see_personal_data(request) -> bool:
    return access.may_view_personal_data(request.user)


@admin.register(EnterpriseServiceCentre)
class EnterpriseServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "neighbourhood", "operator", "opened_on")
    list_filter = ("neighbourhood", "project")
    search_fields = ("name",)
    autocomplete_fields = ("project", "neighbourhood", "operator")


class JobInline(admin.TabularInline):
    model = Job
    fk_name = "business"
    extra = 0
    fields = ("worker", "role", "start_date", "end_date", "is_rehab_work", "site", "review_state")
    readonly_fields = ("review_state",)
    autocomplete_fields = ("worker", "site")


class ReadOnlyInline(admin.TabularInline):
    """Shown for reference; the records are changed on their own pages, where their review
    state, author and progress are kept."""

    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WorkerJobInline(ReadOnlyInline):
    model = Job
    fk_name = "worker"
    fields = ("business", "role", "start_date", "end_date", "is_rehab_work", "site", "review_state")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("jobs")

    def get_queryset(self, request):
        return access.visible(super().get_queryset(request), request.user).select_related("business", "site")


class SelectionInline(ReadOnlyInline):
    model = BeneficiarySelection
    fields = ("session", "reason")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("selections at forum sessions")

    def get_queryset(self, request):
        return access.visible(super().get_queryset(request), request.user).select_related("session__forum")


# --- filters -------------------------------------------------------------------------------------


class AgeBandFilter(admin.SimpleListFilter):
    title = gettext_lazy("age band")
    parameter_name = "age_band"

    def bands(self) -> dict[str, tuple[int | None, int | None]]:
        bands = {"under-15": (None, 14)}
        bands |= {f"{low}-{high}": (low, high) for low, high in AGE_BANDS}
        bands[f"over-{AGE_BANDS[-1][1]}"] = (AGE_BANDS[-1][1] + 1, None)
        return bands

    def lookups(self, request, model_admin):
        labels = {"under-15": _("under 15"), f"over-{AGE_BANDS[-1][1]}": _("over %d") % AGE_BANDS[-1][1]}
        choices = [(key, labels.get(key, key.replace("-", "–"))) for key in self.bands()]
        return [*choices, ("unknown", _("unknown (anonymised)"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unknown":
            return queryset.filter(date_of_birth__isnull=True)
        if value in self.bands():
            low, high = self.bands()[value]
            return queryset.filter(selectors.born_for_age_band(low, high, today=timezone.localdate()))
        return queryset


class SelectedFilter(admin.SimpleListFilter):
    title = gettext_lazy("selected at a forum")
    parameter_name = "selected"

    def lookups(self, request, model_admin):
        sessions = access.visible(ForumSession.objects.select_related("forum"), request.user)
        return [
            ("any", _("at any session")),
            ("none", _("not selected")),
            *[(str(s.pk), str(s)) for s in sessions.order_by("-held_on")[:50]],
        ]

    def queryset(self, request, queryset):
        value = self.value()
        selections = BeneficiarySelection.objects.filter(beneficiary=OuterRef("pk"))
        if value == "any":
            return queryset.filter(Exists(selections))
        if value == "none":
            return queryset.exclude(Exists(selections))
        if value and value.isdigit():
            return queryset.filter(Exists(selections.filter(session_id=int(value))))
        return queryset


class EmployedFilter(admin.SimpleListFilter):
    title = gettext_lazy("employed")
    parameter_name = "employed"

    def lookups(self, request, model_admin):
        return [("now", _("has a job now")), ("ever", _("had a job")), ("never", _("never had a job"))]

    def queryset(self, request, queryset):
        return {
            "now": lambda: queryset.filter(employed_now=True),
            "ever": lambda: queryset.filter(job_count__gt=0),
            "never": lambda: queryset.filter(job_count=0),
        }.get(self.value(), lambda: queryset)()


class ConsentFilter(admin.SimpleListFilter):
    title = gettext_lazy("consent")
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        return [
            ("given", _("given")),
            ("missing", _("not given")),
            ("withdrawn", _("withdrawn")),
            ("anonymised", _("anonymised")),
        ]

    def queryset(self, request, queryset):
        return {
            "given": lambda: queryset.filter(consent_given=True),
            "missing": lambda: queryset.filter(consent_given=False, consent_withdrawn_on__isnull=True),
            "withdrawn": lambda: queryset.filter(consent_withdrawn_on__isnull=False),
            "anonymised": lambda: queryset.filter(anonymised_at__isnull=False),
        }.get(self.value(), lambda: queryset)()


class DuplicateFilter(admin.SimpleListFilter):
    title = gettext_lazy("suspected duplicate")
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(suspected_duplicate=self.value() == "yes")
        return queryset


# --- history ----------------------------------------------------------------------------------------


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

    object_history_list_template = "admin/enterprises/history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# --- beneficiaries --------------------------------------------------------------------------------


@admin.register(Beneficiary)
class BeneficiaryAdmin(ImportMixin, ExportActionMixin, ReadOnlyHistoryAdmin):
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
        SelectedFilter,
        EmployedFilter,
        ConsentFilter,
        DuplicateFilter,
    )
    search_fields = ("code", "first_name", "last_name")
    search_help_text = gettext_lazy("Code, first or last name (and phone, for those allowed to see it).")
    autocomplete_fields = ("neighbourhood",)
    list_select_related = ("neighbourhood",)
    list_per_page = 50
    inlines = [WorkerJobInline, SelectionInline]
    actions = ["merge_selected", "confirm_different_people", "withdraw_consent"]
    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    import_template_name = "admin/enterprises/beneficiary/import.html"
    show_change_form_export = False

    # --- what is shown -------------------------------------------------------------------------

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
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = re.sub(r"\D", "", search_term)
        if may_see_personal_data(request) and len(digits) >= 4 and re.fullmatch(r"[+\d\s]+", search_term):
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
            ((reverse("admin:enterprises_beneficiary_change", args=[p.pk]), str(p)) for p in people),
        )

    @admin.display(description=gettext_lazy("confirmed different from"))
    def confirmed_different(self, obj):
        people = obj.distinct_from.order_by("code")
        return ", ".join(p.code for p in people) or "—"

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryHelper(self.model, historical_record, mask=not may_see_personal_data(request))

    # --- import and export -------------------------------------------------------------------

    def get_import_resource_classes(self, request):
        return [BeneficiaryImportResource]

    def get_export_resource_classes(self, request):
        return [BeneficiaryExportResource]

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def has_import_permission(self, request):
        """Importing shows the data of the rows it updates: it needs the personal-data
        permission as well as adding and changing people."""
        return (
            self.has_add_permission(request)
            and self.has_change_permission(request)
            and may_see_personal_data(request)
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_valid_export_item_pks(self, request):
        """The people an "export selected" may name: those the user may see."""
        return access.visible(Beneficiary.objects.all(), request.user).values_list("pk", flat=True)

    def get_urls(self):
        urls = super().get_urls()
        template = path(
            "import/template.csv",
            self.admin_site.admin_view(self.import_template_view),
            name="enterprises_beneficiary_import_template",
        )
        return [template, *urls]

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(import_template_dataset().export("csv"), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="beneficiaries-template.csv"'
        return response

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        self._add_report(response)
        return response

    def _add_report(self, response):
        context = getattr(response, "context_data", None)
        if context is None:
            return
        context["import_columns"] = IMPORT_COLUMNS
        result = context.get("result")
        if result is None:
            return
        context["problems"] = row_problems(result)
        rows = result.valid_rows()
        context["look_alike_rows"] = sum(1 for r in rows if getattr(r.instance, "import_look_alikes", ""))

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # The preview keeps the instances, so that it can count the suspected duplicates.
        kwargs["retain_instance_in_row_result"] = True
        return kwargs

    def process_dataset(self, dataset, form, request, **kwargs):
        """The confirmed import goes through the same service as every other import."""
        return services.beneficiaries_import(
            dataset=dataset,
            by=request.user,
            file_name=kwargs.get("file_name") or form.cleaned_data.get("original_file_name") or "",
        )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation: nothing was saved.
            for problem in row_problems(result)[:20]:
                messages.error(
                    request,
                    _("Row %(row)s, column %(column)s: %(reason)s")
                    % {"row": problem.row, "column": problem.column or "—", "reason": problem.reason},
                )
            messages.error(request, _("Nothing was imported."))
            return HttpResponseRedirect(reverse("admin:enterprises_beneficiary_import"))
        return super().process_result(result, request)

    # --- access audit -----------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if object_id and may_see_personal_data(request):
            audit_access(
                user=request.user,
                action=AccessAudit.Action.VIEW_PERSONAL_DATA,
                what=f"beneficiary #{object_id}",
                path=request.path,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        audit_access(
            user=request.user,
            action=AccessAudit.Action.EXPORT,
            what=f"beneficiaries ({queryset.count()} rows, personal data: {may_see_personal_data(request)})",
            path=request.path,
        )
        return super().get_export_data(file_format, request, queryset, **kwargs)

    # --- actions ----------------------------------------------------------------------------------

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
                template="admin/enterprises/beneficiary/merge.html",
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
        on = parse_date(request.POST.get("withdrawn_on", "") or "") if request.POST.get("confirm") else None
        if request.POST.get("confirm") != "yes" or on is None:
            return self._action_page(
                request,
                queryset,
                template="admin/enterprises/beneficiary/withdraw_consent.html",
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


@admin.register(Business)
class BusinessAdmin(ReadOnlyHistoryAdmin, ReviewedRecordAdmin):
    list_display = ("name", "owner", "neighbourhood", "size", "status", "formed_on", "review_state")
    list_filter = ("review_state", "status", "size", "neighbourhood", "centre")
    search_fields = ("name", "activity", "owner__code", "owner__last_name")
    date_hierarchy = "formed_on"
    autocomplete_fields = ("owner", "centre", "neighbourhood")
    list_select_related = ("owner", "neighbourhood")
    inlines = [JobInline]


@admin.register(EscService)
class EscServiceAdmin(ReviewedRecordAdmin):
    list_display = ("kind", "centre", "business", "delivered_on", "participants", "review_state")
    list_filter = ("review_state", "kind", "centre")
    search_fields = ("business__name", "notes")
    date_hierarchy = "delivered_on"
    autocomplete_fields = ("centre", "business")
    list_select_related = ("centre", "business")


@admin.register(Job)
class JobAdmin(ReadOnlyHistoryAdmin, ReviewedRecordAdmin):
    list_display = ("role", "worker", "business", "start_date", "end_date", "is_rehab_work", "review_state")
    list_filter = ("review_state", "is_rehab_work", "business__neighbourhood", "worker__sex")
    search_fields = ("role", "worker__code", "worker__last_name", "business__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("business", "worker", "site")
    list_select_related = ("worker", "business")
    readonly_fields = (*ReviewedRecordAdmin.readonly_fields, "worker_age_at_start")
