"""Shared admin of field records: every change goes through the record kind's service, the
same one the field pages and the API call (`programs.review`)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from ..models import ReviewedRecord
from ..review import FieldAccessDenied, field_record_delete, field_record_save, records_verify


class InlineRecordsThroughServices:
    """Field records edited in an inline (a business's jobs, a site's work) are saved and deleted
    through the core save too, not by the formset behind its back."""

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.model, ReviewedRecord):
            return super().save_formset(request, form, formset, change)
        records = formset.save(commit=False)
        try:
            for record in formset.deleted_objects:
                field_record_delete(record=record, by=request.user)
            for record in records:
                field_record_save(record=record, by=request.user, submit=None)
        except FieldAccessDenied as denied:
            raise PermissionDenied(str(denied)) from denied
        formset.save_m2m()


class ReviewedRecordAdmin(InlineRecordsThroughServices, admin.ModelAdmin):
    """The review state changes only through the review actions; a save is an administrator's
    change through `save_service` (the kind's service, `submit=None`), so the model's rules,
    the review history and the progress marking are those of every other door."""

    #: The record kind's service (`job_save`, `work_record_save`, …); the core save by default.
    save_service = staticmethod(field_record_save)
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
        try:
            self.save_service(record=obj, by=request.user, submit=None)
        except FieldAccessDenied as denied:
            raise PermissionDenied(str(denied)) from denied

    def delete_model(self, request, obj):
        field_record_delete(record=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            field_record_delete(record=record, by=request.user)

    @admin.action(description=_("Verify the selected submitted records"), permissions=["review"])
    def verify_selected(self, request, queryset):
        result = records_verify(records=queryset, by=request.user)
        self.message_user(
            request,
            _("%(verified)d verified; %(skipped)d skipped (only submitted records can be verified).")
            % {"verified": result.verified, "skipped": result.refused},
            messages.SUCCESS if result.verified else messages.WARNING,
        )

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.review")


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
