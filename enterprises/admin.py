"""Admin for centres, beneficiaries, businesses, services and jobs."""

from django.contrib import admin

from programs.admin import ReviewedRecordAdmin

from .models import Beneficiary, Business, EnterpriseServiceCentre, EscService, Job

PERSONAL_FIELDS = ("phone", "date_of_birth")


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


class WorkerJobInline(JobInline):
    fk_name = "worker"
    fields = ("business", "role", "start_date", "end_date", "is_rehab_work", "site", "review_state")
    autocomplete_fields = ("business", "site")


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    """Phone and date of birth only for users allowed to see personal data."""

    list_display = ("code", "first_name", "last_name", "sex", "neighbourhood", "consent_given")
    list_filter = ("neighbourhood", "sex", "consent_given")
    search_fields = ("code", "first_name", "last_name")
    autocomplete_fields = ("neighbourhood",)
    list_select_related = ("neighbourhood",)
    inlines = [WorkerJobInline]

    @staticmethod
    def may_see_personal_data(request) -> bool:
        return request.user.has_perm("enterprises.view_personal_data")

    def get_list_display(self, request):
        if self.may_see_personal_data(request):
            return (*self.list_display, *PERSONAL_FIELDS)
        return self.list_display

    def get_search_fields(self, request):
        if self.may_see_personal_data(request):
            return (*self.search_fields, "phone")
        return self.search_fields

    def get_exclude(self, request, obj=None):
        if obj is not None and not self.may_see_personal_data(request):
            return PERSONAL_FIELDS
        return super().get_exclude(request, obj)


@admin.register(Business)
class BusinessAdmin(ReviewedRecordAdmin):
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
class JobAdmin(ReviewedRecordAdmin):
    list_display = ("role", "worker", "business", "start_date", "end_date", "is_rehab_work", "review_state")
    list_filter = ("review_state", "is_rehab_work", "business__neighbourhood", "worker__sex")
    search_fields = ("role", "worker__code", "worker__last_name", "business__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("business", "worker", "site")
    list_select_related = ("worker", "business")
