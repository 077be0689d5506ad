"""The progress arithmetic, without a database."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from progress import arithmetic as progress
from progress.arithmetic import HistoryPoint, Status

START = datetime.date(2014, 4, 1)
END = datetime.date(2016, 3, 31)
D = Decimal


def test_percent_of_a_zero_or_missing_target_is_none():
    assert progress.percent(D("5"), D("0")) is None
    assert progress.percent(D("5"), None) is None


def test_over_achievement_is_shown_above_100_never_capped():
    assert progress.percent(D("20"), D("16")) == D("125.00")
    assert progress.remaining(D("20"), D("16")) == D("0")


def test_decimal_areas_keep_their_precision():
    assert progress.percent(D("1234.56"), D("4000")) == D("30.86")
    assert progress.remaining(D("1234.56"), D("4000")) == D("2765.44")


def test_percent_rounds_half_up_to_two_decimals():
    assert progress.percent(D("1"), D("3")) == D("33.33")
    assert progress.percent(D("2"), D("3")) == D("66.67")


@given(
    actual=st.decimals(min_value=0, max_value=10**6, places=2),
    target=st.decimals(min_value=D("0.01"), max_value=10**6, places=2),
)
def test_percent_and_remaining_agree(actual, target):
    pct = progress.percent(actual, target)
    assert (pct >= 100) == (actual >= target) or abs(actual - target) < target / 10**4
    assert progress.remaining(actual, target) == max(target - actual, 0)


def test_expected_by_now_is_the_straight_path_from_start_to_end():
    assert progress.expected_by(START, D("114"), START, END) == D("0")
    assert progress.expected_by(END, D("114"), START, END) == D("114")
    midway = START + (END - START) / 2
    assert progress.expected_by(midway, D("4000"), START, END) == D("2000")
    assert progress.expected_by(datetime.date(2030, 1, 1), D("16"), START, END) == D("16")


def test_forecast_extends_the_pace_of_the_last_90_days():
    history = [
        HistoryPoint(datetime.date(2015, 1, 1), D("40")),
        HistoryPoint(datetime.date(2015, 1, 31), D("70")),
    ]
    # 30 more in 30 days: 44 more to 114 take 44 days.
    assert progress.forecast_date(history, D("114"), START) == datetime.date(2015, 3, 16)


def test_forecast_without_recent_growth_uses_the_pace_since_the_start():
    history = [
        HistoryPoint(datetime.date(2014, 5, 1), D("8")),
        HistoryPoint(datetime.date(2014, 5, 1), D("8")),
    ]
    # 8 in 30 days since 1 April: 8 more take 30 days.
    assert progress.forecast_date(history, D("16"), START) == datetime.date(2014, 5, 31)


def test_forecast_is_none_without_any_progress_and_the_day_reached_once_reached():
    assert progress.forecast_date([HistoryPoint(datetime.date(2014, 6, 1), D("0"))], D("16"), START) is None
    history = [
        HistoryPoint(datetime.date(2014, 9, 1), D("10")),
        HistoryPoint(datetime.date(2014, 10, 1), D("16")),
        HistoryPoint(datetime.date(2014, 11, 1), D("17")),
    ]
    assert progress.forecast_date(history, D("16"), START) == datetime.date(2014, 10, 1)


def test_status_against_the_end_date():
    assert progress.status(D("16"), D("16"), None, START, END) is Status.REACHED
    assert progress.status(D("5"), D("16"), END, START, END) is Status.ON_TRACK
    assert progress.status(D("5"), D("16"), END + datetime.timedelta(days=30), START, END) is Status.AT_RISK
    assert (
        progress.status(D("5"), D("16"), END + datetime.timedelta(days=200), START, END) is Status.OFF_TRACK
    )
    assert progress.status(D("5"), D("16"), None, START, END) is Status.OFF_TRACK
    assert progress.status(D("0"), D("16"), None, START, END) is Status.NOT_STARTED


def test_progress_combines_everything_for_one_target():
    result = progress.progress(
        actual=D("2000"),
        target=D("4000"),
        history=[HistoryPoint(datetime.date(2014, 10, 1), D("1000"))],
        today=datetime.date(2014, 12, 30),
        start=START,
        end=END,
    )
    assert result.percent == D("50.00")
    assert result.remaining == D("2000")
    # 1,000 m² in the last 90 days: the other 2,000 m² take 180 days.
    assert result.forecast_date == datetime.date(2015, 6, 28)
    assert result.status is Status.ON_TRACK


def test_age_bands():
    assert progress.age_band(15) == "15–17"
    assert progress.age_band(24) == "18–24"
    assert progress.age_band(35) == "30–35"
    assert progress.age_band(36) is None
