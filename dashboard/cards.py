"""How the board presents a target: its card, labelled breakdowns, its status in words and the
data its trend chart draws. No queries here: everything comes from the snapshots and project
facts that `dashboard.selectors` read.

Percent, expected by now, forecast and status were computed by the progress engine
(`progress.arithmetic`, through `progress.services.progress_recompute`) and stored in the
snapshots; they are only read here (a field-staff card's percent of its share of the target is
the engine's `percent` too).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Sex
from fora.models import StructureKind
from programs.models import Project, Target
from progress import arithmetic as progress
from progress.models import ProgressSnapshot
from progress.services import AFTER_END

from .scope import Scope

Indicator = Target.Indicator

DIMENSION_LABELS: dict[str, Promise] = {
    "neighbourhood": gettext_lazy("By neighbourhood"),
    "sex": gettext_lazy("By sex"),
    "age_band": gettext_lazy("By age band (age on the job's start date)"),
    "kind": gettext_lazy("By kind of structure"),
}
#: Breakdown dimension → the drill-down filter that selects one of its rows.
DIMENSION_FILTERS = {"neighbourhood": "neighbourhood", "sex": "sex", "age_band": "age_band", "kind": "kind"}
UNIT_LABELS: dict[str, Promise] = {
    Indicator.BUSINESSES: gettext_lazy("businesses"),
    Indicator.YOUTH_JOBS: gettext_lazy("youth jobs"),
    Indicator.REHABILITATED_AREA: gettext_lazy("m²"),
}


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    value: Decimal
    filter_name: str
    filter_value: str


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    label: str
    rows: list[BreakdownRow]


@dataclass
class TargetCard:
    """One target as the page shows it, read from its latest snapshot."""

    target: Target
    scope: Scope
    snapshot: ProgressSnapshot | None
    actual: Decimal | None
    target_value: Decimal | None
    percent: Decimal | None
    breakdowns: list[Breakdown] = field(default_factory=list)
    history: list[tuple[datetime.date, Decimal]] = field(default_factory=list)
    end_date: datetime.date | None = None
    start_date: datetime.date | None = None

    @property
    def indicator(self) -> str:
        return self.target.indicator

    @property
    def label(self) -> str:
        return self.target.get_indicator_display()

    @property
    def unit(self) -> str:
        return str(UNIT_LABELS[self.target.indicator])

    @property
    def project_wide(self) -> bool:
        return self.scope.everything

    @property
    def bar_percent(self) -> Decimal:
        """How much of the bar to fill: the percent, shown full when the target is exceeded."""
        if self.percent is None:
            return Decimal(0)
        return min(self.percent, Decimal(100))

    @property
    def expected_percent(self) -> Decimal | None:
        """Where "expected by now" falls on the bar (the progress module's percent)."""
        if not self.project_wide or self.snapshot is None or self.snapshot.expected_by_now is None:
            return None
        value = progress.percent(self.snapshot.expected_by_now, self.snapshot.target_value)
        return None if value is None else min(value, Decimal(100))

    @property
    def status(self) -> str | None:
        return self.snapshot.status if self.snapshot and self.project_wide else None

    @property
    def status_label(self) -> str:
        return ProgressSnapshot.Status(self.status).label if self.status else ""

    @property
    def ended(self) -> bool:
        """The project's end date has passed: the snapshot holds the final result."""
        return (
            self.end_date is not None
            and self.snapshot is not None
            and progress.ended(timezone.localdate(), self.end_date)
        )

    @property
    def ended_text(self) -> str:
        """ "Ended on 31 March 2016: 9 of 16 businesses (56 %)", for those who see everything."""
        if not self.ended or not self.project_wide or self.target_value is None:
            return ""
        rounded = None if self.percent is None else self.percent.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        values = {
            "end": date_format(self.end_date),
            "actual": number_format(self.actual.normalize()),
            "target": number_format(self.target_value.normalize()),
            "unit": self.unit,
            "percent": "—" if rounded is None else number_format(rounded),
        }
        return _("Ended on %(end)s: %(actual)s of %(target)s %(unit)s (%(percent)s %%)") % values

    @property
    def after_end(self) -> Decimal | None:
        """What records dated after the end date would add: shown apart, not counted."""
        if not self.snapshot or not self.project_wide:
            return None
        value = self.snapshot.breakdown.get(AFTER_END, {}).get("total")
        return Decimal(value) if value else None

    @property
    def explanation(self) -> str:
        return status_explanation(self) if self.status else ""

    @property
    def chart(self) -> dict:
        return trend_chart(self)

    @property
    def chart_id(self) -> str:
        return f"trend-data-{self.target.pk}"


def target_card(
    target: Target,
    scope: Scope,
    snapshot: ProgressSnapshot | None,
    history: list[tuple[datetime.date, Decimal]],
    split: Decimal | None,
    project: Project,
    hood_ids: dict[str, int],
) -> TargetCard:
    """The card of a target: the snapshot's figures for those who see everything, the sum of the
    scope's neighbourhoods against their share of the target (`split`) for field staff."""
    if snapshot is None:
        actual = target_value = percent = None
    elif scope.everything:
        actual, target_value, percent = snapshot.actual, snapshot.target_value, snapshot.percent
    else:
        by_hood = snapshot.breakdown.get("neighbourhood", {})
        actual = sum((Decimal(v) for k, v in by_hood.items() if k in scope.names), Decimal(0))
        target_value = split
        percent = progress.percent(actual, split) if split is not None else None
    return TargetCard(
        target=target,
        scope=scope,
        snapshot=snapshot,
        actual=actual,
        target_value=target_value,
        percent=percent,
        breakdowns=breakdowns(snapshot, scope, hood_ids) if snapshot else [],
        history=history,
        start_date=project.start_date,
        end_date=project.end_date,
    )


def breakdowns(snapshot: ProgressSnapshot, scope: Scope, hood_ids: dict[str, int]) -> list[Breakdown]:
    """The snapshot's breakdown JSON as labelled rows; field staff get their neighbourhoods only
    (the other dimensions are project-wide and cannot be split by neighbourhood)."""
    result = []
    for dimension in ("neighbourhood", "sex", "age_band", "kind"):
        values = snapshot.breakdown.get(dimension)
        if values is None or (dimension != "neighbourhood" and not scope.everything):
            continue
        rows = []
        for key, value in sorted(values.items()):
            if dimension == "neighbourhood":
                if key not in hood_ids:
                    continue
                label, filter_value = key, str(hood_ids[key])
            elif dimension == "sex":
                label, filter_value = _choice_label(Sex, key), key
            elif dimension == "kind":
                label, filter_value = _choice_label(StructureKind, key), key
            else:
                label, filter_value = key, key
            rows.append(BreakdownRow(key, label, Decimal(value), DIMENSION_FILTERS[dimension], filter_value))
        result.append(Breakdown(dimension, str(DIMENSION_LABELS[dimension]), rows))
    return result


def _choice_label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def status_explanation(card: TargetCard) -> str:
    """The status in plain words, from the snapshot's forecast and the project's end date."""
    snapshot = card.snapshot
    forecast = date_format(snapshot.forecast_date) if snapshot.forecast_date else None
    values = {"forecast": forecast, "end": date_format(card.end_date)}
    pace = _(
        "The pace is the growth over the last 90 days of snapshots, or, when there was none, "
        "the average pace since the project's start."
    )
    if snapshot.status == ProgressSnapshot.Status.NOT_REACHED or (
        snapshot.status == ProgressSnapshot.Status.REACHED and card.ended
    ):
        text = (
            _("The project ended on %(end)s and reached this target: this is its final result.")
            if snapshot.status == ProgressSnapshot.Status.REACHED
            else _("The project ended on %(end)s short of this target: this is its final result.")
        )
        return text % values
    if snapshot.status == ProgressSnapshot.Status.REACHED:
        return (
            _("The target was reached on %(forecast)s.") % values if forecast else _("The target is reached.")
        )
    if snapshot.status == ProgressSnapshot.Status.NOT_STARTED:
        return _("Nothing has been counted yet, so there is no pace to forecast from.")
    if snapshot.status == ProgressSnapshot.Status.ON_TRACK:
        text = _(
            "At the current pace the target is reached on %(forecast)s, on or before the project's "
            "end date (%(end)s)."
        )
    elif snapshot.status == ProgressSnapshot.Status.AT_RISK:
        values["margin"] = f"{(progress.AT_RISK_MARGIN * 100).normalize():f}"
        text = _(
            "At the current pace the target is reached on %(forecast)s: after the project's end date "
            "(%(end)s), but within %(margin)s %% of the project's duration after it."
        )
    elif forecast:
        values["margin"] = f"{(progress.AT_RISK_MARGIN * 100).normalize():f}"
        text = _(
            "At the current pace the target is reached only on %(forecast)s: more than %(margin)s %% "
            "of the project's duration after its end date (%(end)s)."
        )
    else:
        text = _("Nothing was added recently and there is no pace to forecast from.")
    return f"{text % values} {pace}"


def _epoch_ms(day: datetime.date) -> int:
    return int(datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC).timestamp() * 1000)


def trend_chart(card: TargetCard) -> dict:
    """What the trend chart draws: points the snapshots hold and the project's dates.

    Nothing is computed here: the burn-up is the snapshots' actual values, the expected line
    joins 0 at the start to the target at the end date, the forecast joins the latest
    snapshot to the target on the snapshot's forecast date.
    """
    snapshot = card.snapshot
    if snapshot is None or not card.project_wide:
        return {}
    points = card.history
    last_day = points[-1][0] if points else card.start_date
    if card.ended:
        # The final result: the axis ends at the end date, later snapshots only repeat it.
        points = [(day, actual) for day, actual in points if day <= card.end_date]
        if not points or points[-1][0] < card.end_date:
            points.append((card.end_date, snapshot.actual))
        last_day = card.end_date
    x_max = max(card.end_date, last_day)
    forecast = snapshot.forecast_date
    # A forecast farther than the project's duration again after the chart's end is left to the text.
    show_forecast = (
        forecast is not None
        and snapshot.status != ProgressSnapshot.Status.REACHED
        and forecast <= x_max + (card.end_date - card.start_date)
    )
    if show_forecast:
        x_max = max(x_max, forecast)
    return {
        "unit": card.unit,
        "target": float(snapshot.target_value),
        "start": _epoch_ms(card.start_date),
        "end": _epoch_ms(card.end_date),
        "x_max": _epoch_ms(x_max),
        "points": [{"x": _epoch_ms(day), "y": float(actual)} for day, actual in points],
        "forecast": _epoch_ms(forecast) if show_forecast else None,
        "months": [str(MONTHS_3[month]) for month in range(1, 13)],
        "labels": {
            "actual": _("Actual (burn-up)"),
            "target": _("Target"),
            "expected": _("Expected by now (straight path to the end date)"),
            "forecast": _("Forecast at the current pace"),
        },
    }
