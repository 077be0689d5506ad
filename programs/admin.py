"""Admin for the partnership, its projects, neighbourhoods, targets and staff assignments."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    AccessAudit,
    FocusArea,
    Neighbourhood,
    NeighbourhoodAssignment,
    Organisation,
    Partnership,
    ProgressSnapshot,
    Project,
    ReviewEvent,
    ReviewState,
    Signatory,
    Target,
    TargetSplit,
)
from .services import progress_mark_stale, progress_recompute, review_set_state


class ReviewedRecordAdmin(admin.ModelAdmin):
    """Shared admin of field records: the review state changes only through the review actions,
    and every change marks the project's progress stale."""

    readonly_fields = (
        "review_state",
        "review_changed_by",
        "review_changed_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    list_filter = ("review_state",)
    actions = ["verify_selected"]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            progress_mark_stale(project_id=obj.progress_project_id)

    def delete_model(self, request, obj):
        with transaction.atomic():
            project_id = obj.progress_project_id
            super().delete_model(request, obj)
            progress_mark_stale(project_id=project_id)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            project_ids = {obj.progress_project_id for obj in queryset}
            super().delete_queryset(request, queryset)
            for project_id in sorted(project_ids):
                progress_mark_stale(project_id=project_id)

    @admin.action(description=_("Verify the selected submitted records"), permissions=["review"])
    def verify_selected(self, request, queryset):
        verified = 0
        for record in queryset.filter(review_state=ReviewState.SUBMITTED):
            review_set_state(record=record, to_state=ReviewState.VERIFIED, by=request.user)
            verified += 1
        skipped = queryset.count() - verified
        self.message_user(
            request,
            _("%(verified)d verified; %(skipped)d skipped (only submitted records can be verified).")
            % {"verified": verified, "skipped": skipped},
            messages.SUCCESS if verified else messages.WARNING,
        )

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.review")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "kind", "parent", "iati_identifier")
    list_filter = ("kind",)
    search_fields = ("name", "acronym", "iati_identifier")
    autocomplete_fields = ("parent",)


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ("title", "instrument", "signed_on", "place")
    list_filter = ("instrument", "focus_areas")
    search_fields = ("title", "summary")
    date_hierarchy = "signed_on"
    filter_horizontal = ("parties", "focus_areas")
    inlines = [SignatoryInline]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "country", "latitude", "longitude")
    list_filter = ("city", "country")
    search_fields = ("name", "city")


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "partnership", "launched_on", "start_date", "end_date", "status")
    list_filter = ("status", "partnership", "neighbourhoods")
    search_fields = ("title", "title_fr", "code")
    autocomplete_fields = ("partnership",)
    filter_horizontal = ("implementing_units", "neighbourhoods")
    inlines = [TargetInline]
    actions = ["recompute_progress"]

    @admin.action(description=_("Recompute progress of the selected projects"), permissions=["view"])
    def recompute_progress(self, request, queryset):
        snapshots = progress_recompute(
            project_ids=list(queryset.values_list("pk", flat=True)), reason="admin"
        )
        count = len(snapshots)
        self.message_user(
            request, ngettext("%(count)d new snapshot.", "%(count)d new snapshots.", count) % {"count": count}
        )


class TargetSplitInline(admin.TabularInline):
    model = TargetSplit
    extra = 0
    autocomplete_fields = ("neighbourhood",)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("project", "indicator", "value", "unit", "due_date", "youth_min_age", "youth_max_age")
    list_filter = ("indicator", "project")
    search_fields = ("project__title",)
    autocomplete_fields = ("project",)
    inlines = [TargetSplitInline]


@admin.register(NeighbourhoodAssignment)
class NeighbourhoodAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "neighbourhood")
    list_filter = ("neighbourhood",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "neighbourhood__name")
    autocomplete_fields = ("user", "neighbourhood")
    list_select_related = ("user", "neighbourhood")


class NeighbourhoodAssignmentInline(admin.TabularInline):
    model = NeighbourhoodAssignment
    extra = 0
    autocomplete_fields = ("neighbourhood",)
    verbose_name_plural = _("assigned neighbourhoods")


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """The user admin, with the neighbourhoods a field staff member is assigned to."""

    inlines = [NeighbourhoodAssignmentInline]
    list_filter = (*UserAdmin.list_filter, "neighbourhood_assignments__neighbourhood")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the system only: shown, never added or edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProgressSnapshot)
class ProgressSnapshotAdmin(ReadOnlyAdmin):
    list_display = (
        "target",
        "as_of",
        "actual",
        "target_value",
        "percent",
        "status",
        "forecast_date",
        "reason",
    )
    list_filter = ("status", "reason", "target__indicator", "target__project")
    search_fields = ("target__project__title",)
    date_hierarchy = "as_of"
    list_select_related = ("target__project",)


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ("content_type", "object_id", "from_state", "to_state", "by", "at", "comment")
    list_filter = ("to_state", "content_type")
    search_fields = ("comment", "by__username")
    date_hierarchy = "at"
    list_select_related = ("content_type", "by")


@admin.register(AccessAudit)
class AccessAuditAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "action", "what", "path")
    list_filter = ("action",)
    search_fields = ("username", "what")
    date_hierarchy = "at"

    def has_delete_permission(self, request, obj=None):
        return False
