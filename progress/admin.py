"""Admin of the engine: snapshots (read only), and the recompute action on projects."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programs import admin as programs_admin
from programs.admin import ReadOnlyAdmin
from programs.models import Project

from .models import Milestone, PeriodEvent, PeriodFigure, PeriodNarrative, ProgressSnapshot, ReportingPeriod
from .services import progress_recompute


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


# The project's admin is the ground floor's; the engine adds its action to it.
admin.site.unregister(Project)


@admin.register(Project)
class ProjectAdmin(programs_admin.ProjectAdmin):
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


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("target", "value")


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    """Administrators set custom periods and milestones here; the review happens on the report page."""

    list_display = ("project", "code", "start", "end", "state")
    list_filter = ("state", "project")
    fields = ("project", "code", "start", "end", "state", "submitted_by", "approved_by", "approved_at")
    readonly_fields = ("state", "submitted_by", "approved_by", "approved_at")
    inlines = [MilestoneInline]


@admin.register(PeriodEvent)
class PeriodEventAdmin(ReadOnlyAdmin):
    list_display = ("period", "from_state", "to_state", "by", "at", "reason")
    list_filter = ("to_state",)


@admin.register(PeriodNarrative)
class PeriodNarrativeAdmin(ReadOnlyAdmin):
    list_display = ("period", "target", "updated_by", "updated_at")


@admin.register(PeriodFigure)
class PeriodFigureAdmin(ReadOnlyAdmin):
    list_display = ("period", "target", "actual_in_period", "actual_cumulative", "approved_at")
