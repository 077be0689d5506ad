"""Admin for community fora and their sessions; a person's selections on their register page."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.admin import extend_beneficiary_admin
from beneficiaries.admin.filters import AgeBandFilter
from programs import access
from programs.admin import ReadOnlyInline, ReviewedRecordAdmin
from programs.ids import parse_id

from .models import BeneficiarySelection, CommunityForum, ForumSession, StructurePriority
from .services import forum_session_save


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
    save_service = staticmethod(forum_session_save)
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


class SelectionInline(ReadOnlyInline):
    model = BeneficiarySelection
    fields = ("session", "reason")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("selections at forum sessions")

    def get_queryset(self, request):
        return access.visible(super().get_queryset(request), request.user).select_related("session__forum")


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
        if session_id := parse_id(value or ""):
            return queryset.filter(Exists(selections.filter(session_id=session_id)))
        return queryset


extend_beneficiary_admin(inline=SelectionInline, list_filter=SelectedFilter, after=AgeBandFilter)
