"""Admin of centres, businesses, ESC services and jobs; a person's jobs on their register page."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from beneficiaries.admin import extend_beneficiary_admin
from programs import access
from programs.admin import ReadOnlyHistoryAdmin, ReadOnlyInline, ReviewedRecordAdmin

from .models import Business, EnterpriseServiceCentre, EscService, Job
from .services import business_save, esc_service_save, job_save


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


class WorkerJobInline(ReadOnlyInline):
    model = Job
    fk_name = "worker"
    fields = ("business", "role", "start_date", "end_date", "is_rehab_work", "site", "review_state")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("jobs")

    def get_queryset(self, request):
        return access.visible(super().get_queryset(request), request.user).select_related("business", "site")


extend_beneficiary_admin(inline=WorkerJobInline)


@admin.register(Business)
class BusinessAdmin(ReadOnlyHistoryAdmin, ReviewedRecordAdmin):
    save_service = staticmethod(business_save)
    list_display = ("name", "owner", "neighbourhood", "size", "status", "formed_on", "review_state")
    list_filter = ("review_state", "status", "size", "neighbourhood", "centre")
    search_fields = ("name", "activity", "owner__code", "owner__last_name")
    date_hierarchy = "formed_on"
    autocomplete_fields = ("owner", "centre", "neighbourhood")
    list_select_related = ("owner", "neighbourhood")
    inlines = [JobInline]


@admin.register(EscService)
class EscServiceAdmin(ReviewedRecordAdmin):
    save_service = staticmethod(esc_service_save)
    list_display = ("kind", "centre", "business", "delivered_on", "participants", "review_state")
    list_filter = ("review_state", "kind", "centre")
    search_fields = ("business__name", "notes")
    date_hierarchy = "delivered_on"
    autocomplete_fields = ("centre", "business")
    list_select_related = ("centre", "business")


@admin.register(Job)
class JobAdmin(ReadOnlyHistoryAdmin, ReviewedRecordAdmin):
    save_service = staticmethod(job_save)
    list_display = ("role", "worker", "business", "start_date", "end_date", "is_rehab_work", "review_state")
    list_filter = ("review_state", "is_rehab_work", "business__neighbourhood", "worker__sex")
    search_fields = ("role", "worker__code", "worker__last_name", "business__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("business", "worker", "site")
    list_select_related = ("worker", "business")
    readonly_fields = (*ReviewedRecordAdmin.readonly_fields, "worker_age_at_start")
