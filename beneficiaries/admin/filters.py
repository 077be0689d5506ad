"""List filters of the beneficiary register (the forum-selection filter is `fora.admin`'s)."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.rules import AGE_BANDS

from .. import selectors


class AgeBandFilter(admin.SimpleListFilter):
    title = gettext_lazy("age band")
    parameter_name = "age_band"

    def bands(self) -> dict[str, tuple[int | None, int | None]]:
        bands = {"under-15": (None, 14)}
        bands |= {f"{low}-{high}": (low, high) for low, high in AGE_BANDS}
        bands[f"over-{AGE_BANDS[-1][1]}"] = (AGE_BANDS[-1][1] + 1, None)
        return bands

    def lookups(self, request, model_admin):
        labels = {"under-15": _("under 15"), f"over-{AGE_BANDS[-1][1]}": _("over %d") % AGE_BANDS[-1][1]}
        choices = [(key, labels.get(key, key.replace("-", "–"))) for key in self.bands()]
        return [*choices, ("unknown", _("unknown (anonymised)"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unknown":
            return queryset.filter(date_of_birth__isnull=True)
        if value in self.bands():
            low, high = self.bands()[value]
            return queryset.filter(selectors.born_for_age_band(low, high, today=timezone.localdate()))
        return queryset


class EmployedFilter(admin.SimpleListFilter):
    title = gettext_lazy("employed")
    parameter_name = "employed"

    def lookups(self, request, model_admin):
        return [("now", _("has a job now")), ("ever", _("had a job")), ("never", _("never had a job"))]

    def queryset(self, request, queryset):
        return {
            "now": lambda: queryset.filter(employed_now=True),
            "ever": lambda: queryset.filter(job_count__gt=0),
            "never": lambda: queryset.filter(job_count=0),
        }.get(self.value(), lambda: queryset)()


class ConsentFilter(admin.SimpleListFilter):
    title = gettext_lazy("consent")
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        return [
            ("given", _("given")),
            ("missing", _("not given")),
            ("withdrawn", _("withdrawn")),
            ("anonymised", _("anonymised")),
        ]

    def queryset(self, request, queryset):
        return {
            "given": lambda: queryset.filter(consent_given=True),
            "missing": lambda: queryset.filter(consent_given=False, consent_withdrawn_on__isnull=True),
            "withdrawn": lambda: queryset.filter(consent_withdrawn_on__isnull=False),
            "anonymised": lambda: queryset.filter(anonymised_at__isnull=False),
        }.get(self.value(), lambda: queryset)()


class DuplicateFilter(admin.SimpleListFilter):
    title = gettext_lazy("suspected duplicate")
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(suspected_duplicate=self.value() == "yes")
        return queryset
