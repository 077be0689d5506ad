"""Admin of the partnership, its projects, neighbourhoods, targets and staff assignments."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from ..models import (
    AccessAudit,
    FocusArea,
    Neighbourhood,
    NeighbourhoodAssignment,
    Organisation,
    Partnership,
    Project,
    ReviewEvent,
    Signatory,
    Target,
    TargetSplit,
)


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
    search_fields = ("title", "title_fr", "title_ht", "code")
    autocomplete_fields = ("partnership",)
    filter_horizontal = ("implementing_units", "neighbourhoods")
    inlines = [TargetInline]


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
