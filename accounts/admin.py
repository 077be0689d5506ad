"""The access changes, read-only: written by the system only."""

from django.contrib import admin

from .models import AccessChange


@admin.register(AccessChange)
class AccessChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "by", "kind", "user", "role", "detail")
    list_filter = ("kind",)
    search_fields = ("user__username", "by__username", "role", "detail")
    date_hierarchy = "at"
    list_select_related = ("user", "by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
