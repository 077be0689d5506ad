"""Admin for community fora and their sessions."""

from django.contrib import admin

from programs.admin import ReviewedRecordAdmin

from .models import BeneficiarySelection, CommunityForum, ForumSession, StructurePriority


@admin.register(CommunityForum)
class CommunityForumAdmin(admin.ModelAdmin):
    list_display = ("name", "neighbourhood")
    list_filter = ("neighbourhood",)
    search_fields = ("name", "local_groups")
    autocomplete_fields = ("neighbourhood",)


class StructurePriorityInline(admin.TabularInline):
    model = StructurePriority
    extra = 0


class BeneficiarySelectionInline(admin.TabularInline):
    model = BeneficiarySelection
    extra = 0
    autocomplete_fields = ("beneficiary",)


@admin.register(ForumSession)
class ForumSessionAdmin(ReviewedRecordAdmin):
    list_display = ("forum", "kind", "held_on", "women", "men", "youth", "review_state")
    list_filter = ("review_state", "kind", "forum__neighbourhood", "project")
    search_fields = ("forum__name", "notes")
    date_hierarchy = "held_on"
    autocomplete_fields = ("forum", "project")
    list_select_related = ("forum",)
    inlines = [StructurePriorityInline, BeneficiarySelectionInline]


@admin.register(StructurePriority)
class StructurePriorityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "rank", "session", "estimated_area_m2")
    list_filter = ("kind", "session__forum__neighbourhood")
    search_fields = ("name", "session__forum__name")
    autocomplete_fields = ("session",)
    list_select_related = ("session__forum",)


@admin.register(BeneficiarySelection)
class BeneficiarySelectionAdmin(admin.ModelAdmin):
    list_display = ("beneficiary", "session", "reason")
    list_filter = ("session__forum__neighbourhood",)
    search_fields = ("beneficiary__code", "beneficiary__last_name", "beneficiary__first_name")
    autocomplete_fields = ("session", "beneficiary")
    list_select_related = ("beneficiary", "session__forum")
