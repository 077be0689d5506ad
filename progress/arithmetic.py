"""Progress arithmetic: pure functions over typed inputs, no ORM.

This is the only module that computes progress. `progress.selectors.progress_actuals`
gathers the actual values; `progress.services.progress_recompute` stores what this module
computes as snapshots; views, tasks, commands, admin and API read the snapshots.
"""

from __future__ import annotations

import datetime
import enum
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from programs.rules import AGE_BANDS

ZERO = Decimal("0")
HUNDRED = Decimal("100")
#: How far back the pace is measured for a forecast.
PACE_WINDOW = datetime.timedelta(days=90)
#: A project forecast to finish within this share of its duration after its end is "at risk".
AT_RISK_MARGIN = Decimal("0.10")


class Status(enum.StrEnum):
    REACHED = "reached"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_STARTED = "not_started"
    #: An ended project's target that its final result fell short of.
    NOT_REACHED = "not_reached"


@dataclass(frozen=True)
class Actual:
    """One indicator's actual value for one project, with its breakdowns."""

    total: Decimal = ZERO
    breakdown: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def as_json(self) -> dict[str, dict[str, str]]:
        return {
            dimension: {key: str(value) for key, value in sorted(values.items())}
            for dimension, values in sorted(self.breakdown.items())
        }


@dataclass(frozen=True)
class HistoryPoint:
    day: datetime.date
    actual: Decimal


@dataclass(frozen=True)
class Progress:
    actual: Decimal
    target: Decimal | None
    percent: Decimal | None
    remaining: Decimal | None
    expected_by_now: Decimal | None
    forecast_date: datetime.date | None
    status: Status


def percent(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """Actual as a percentage of target, two decimals; above 100 when exceeded, never capped."""
    if target is None or target <= 0:
        return None
    return (actual * HUNDRED / target).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def remaining(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """What is left to reach the target; zero once it is reached."""
    if target is None:
        return None
    return max(target - actual, ZERO)


def expected_by(
    day: datetime.date, target: Decimal | None, start: datetime.date, end: datetime.date
) -> Decimal | None:
    """The straight path from zero at the start to the target at the end, on `day`."""
    if target is None or end <= start:
        return None
    elapsed = min(max((day - start).days, 0), (end - start).days)
    return (target * elapsed / (end - start).days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def forecast_date(
    history: list[HistoryPoint], target: Decimal | None, start: datetime.date
) -> datetime.date | None:
    """The day the target is reached at the current pace, or None if there is no pace.

    The pace is the growth over the last 90 days of history; when the history has no growth
    in that window, the average pace since the project's start.
    """
    if target is None or not history:
        return None
    points = sorted(history, key=lambda point: point.day)
    latest = points[-1]
    if latest.actual >= target:
        reached = next(point for point in points if point.actual >= target)
        return reached.day
    window = [point for point in points if point.day >= latest.day - PACE_WINDOW]
    first = window[0]
    days = (latest.day - first.day).days
    growth = latest.actual - first.actual
    if days <= 0 or growth <= 0:
        days = (latest.day - start).days
        growth = latest.actual
    if days <= 0 or growth <= 0:
        return None
    days_needed = math.ceil((target - latest.actual) * days / growth)
    try:
        return latest.day + datetime.timedelta(days=days_needed)
    except OverflowError:
        return None


def status(
    actual: Decimal,
    target: Decimal | None,
    forecast: datetime.date | None,
    start: datetime.date,
    end: datetime.date,
) -> Status:
    """Reached; on track (forecast by the end date); at risk (within 10 % of the duration
    after it); off track (later, or no pace at all); not started (nothing yet, nor expected)."""
    if target is not None and actual >= target:
        return Status.REACHED
    if forecast is None:
        return Status.NOT_STARTED if actual == 0 else Status.OFF_TRACK
    if forecast <= end:
        return Status.ON_TRACK
    margin = datetime.timedelta(days=int((end - start).days * AT_RISK_MARGIN))
    return Status.AT_RISK if forecast <= end + margin else Status.OFF_TRACK


def progress(
    *,
    actual: Decimal,
    target: Decimal | None,
    history: list[HistoryPoint],
    today: datetime.date,
    start: datetime.date,
    end: datetime.date,
) -> Progress:
    """Everything the dashboard shows for one target, from its actual value and history.

    Once the project's end date has passed, the figures are its final result: reached or not
    reached, no forecast, and "expected by now" is the target itself.
    """
    if ended(today, end):
        return Progress(
            actual=actual,
            target=target,
            percent=percent(actual, target),
            remaining=remaining(actual, target),
            expected_by_now=target,
            forecast_date=None,
            status=Status.REACHED if target is not None and actual >= target else Status.NOT_REACHED,
        )
    points = [*history, HistoryPoint(today, actual)]
    forecast = forecast_date(points, target, start)
    return Progress(
        actual=actual,
        target=target,
        percent=percent(actual, target),
        remaining=remaining(actual, target),
        expected_by_now=expected_by(today, target, start, end),
        forecast_date=forecast,
        status=status(actual, target, forecast, start, end),
    )


def ended(today: datetime.date, end: datetime.date) -> bool:
    """The project's end date has passed: its figures are final."""
    return today > end


@dataclass(frozen=True)
class PeriodSpan:
    code: str
    start: datetime.date
    end: datetime.date


def quarters(start: datetime.date, end: datetime.date) -> list[PeriodSpan]:
    """The calendar quarters from `start` to `end`, the first and last cut at those dates:
    1 April 2014 to 31 March 2016 gives 2014-Q2 … 2016-Q1."""
    spans = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while True:
        first = datetime.date(year, 3 * quarter - 2, 1)
        if first > end:
            return spans
        next_first = datetime.date(year + quarter // 4, 3 * (quarter % 4) + 1, 1)
        last = next_first - datetime.timedelta(days=1)
        spans.append(PeriodSpan(f"{year}-Q{quarter}", max(first, start), min(last, end)))
        year, quarter = next_first.year, quarter % 4 + 1


def cumulative(values: list[Decimal]) -> list[Decimal]:
    """Running totals: the cumulative actual at each period's end from the actuals in them."""
    total, result = ZERO, []
    for value in values:
        total += value
        result.append(total)
    return result


def changed_by(current: Decimal, approved: Decimal) -> Decimal:
    """How much a figure moved since it was approved (signed)."""
    return current - approved


def age_band(age: int) -> str | None:
    """The label of the age band holding `age` ("18–24"), or None."""
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}–{high}"
    return None


def add_to(breakdown: dict[str, dict[str, Decimal]], dimension: str, key: str, value: Decimal) -> None:
    """Accumulate `value` under breakdown[dimension][key]."""
    values = breakdown.setdefault(dimension, {})
    values[key] = values.get(key, ZERO) + value
