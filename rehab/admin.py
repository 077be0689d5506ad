"""Admin for rehabilitation sites and their work records."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget

from programs.admin import InlineRecordsThroughServices, ReadOnlyHistoryAdmin, ReviewedRecordAdmin

from .forms import PhotoField
from .models import RehabSite, WorkRecord
from .services import work_record_save

#: Photos uploaded in the admin are checked and shrunk as at every other door.
PHOTO_CHECKED = {
    WorkRecord._meta.get_field("photo").__class__: {"form_class": PhotoField, "widget": AdminFileWidget}
}


class WorkRecordInline(admin.TabularInline):
    model = WorkRecord
    formfield_overrides = PHOTO_CHECKED
    extra = 0
    fields = ("date", "completed_area_m2", "photo", "review_state")
    readonly_fields = ("review_state",)


@admin.register(RehabSite)
class RehabSiteAdmin(InlineRecordsThroughServices, admin.ModelAdmin):
    list_display = ("name", "kind", "neighbourhood", "planned_area_m2", "status", "contractor")
    list_filter = ("kind", "status", "neighbourhood", "project")
    search_fields = ("name",)
    autocomplete_fields = ("project", "neighbourhood", "priority", "contractor")
    list_select_related = ("neighbourhood", "contractor")
    inlines = [WorkRecordInline]


@admin.register(WorkRecord)
class WorkRecordAdmin(ReadOnlyHistoryAdmin, ReviewedRecordAdmin):
    save_service = staticmethod(work_record_save)
    formfield_overrides = PHOTO_CHECKED
    list_display = ("site", "date", "completed_area_m2", "review_state", "review_changed_by")
    list_filter = ("review_state", "site__neighbourhood", "site__kind")
    search_fields = ("site__name", "notes")
    date_hierarchy = "date"
    autocomplete_fields = ("site",)
    list_select_related = ("site", "review_changed_by")
