"""Reporting periods: quarters, actuals per period through the real selector, ended projects,
and the review of a period (submit, approve, lock, re-open) with its approved figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_user
from enterprises.tests.factories import BusinessFactory, CentreFactory
from programs import roles
from programs.models import ReviewState, Target
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory, TargetFactory
from progress import arithmetic
from progress.models import PeriodEvent, PeriodState, ProgressSnapshot, ReportingPeriod
from progress.period_selectors import period_rows, period_table, records_changed_after_approval
from progress.period_services import (
    milestone_set,
    narrative_save,
    period_transition,
    reporting_periods_ensure,
)
from progress.selectors import progress_actuals
from progress.services import progress_recompute
from rehab.tests.factories import RehabSiteFactory, WorkRecordFactory

pytestmark = pytest.mark.django_db

D = Decimal
START, END = datetime.date(2014, 4, 1), datetime.date(2016, 3, 31)
VERIFIED_AT = datetime.datetime(2016, 6, 1, tzinfo=datetime.UTC)


def verified(**extra):
    return {"review_state": ReviewState.VERIFIED, "review_changed_at": VERIFIED_AT, **extra}


def test_the_demo_dates_give_eight_quarters_from_2014_q2_to_2016_q1():
    spans = arithmetic.quarters(START, END)
    assert [s.code for s in spans] == [
        "2014-Q2", "2014-Q3", "2014-Q4", "2015-Q1", "2015-Q2", "2015-Q3", "2015-Q4", "2016-Q1",
    ]  # fmt: skip
    assert (spans[0].start, spans[0].end) == (START, datetime.date(2014, 6, 30))
    assert (spans[3].start, spans[3].end) == (datetime.date(2015, 1, 1), datetime.date(2015, 3, 31))
    assert spans[-1].end == END


def test_quarters_cut_at_a_start_and_end_inside_a_quarter():
    spans = arithmetic.quarters(datetime.date(2014, 5, 15), datetime.date(2014, 11, 2))
    assert [(s.code, s.start, s.end) for s in spans] == [
        ("2014-Q2", datetime.date(2014, 5, 15), datetime.date(2014, 6, 30)),
        ("2014-Q3", datetime.date(2014, 7, 1), datetime.date(2014, 9, 30)),
        ("2014-Q4", datetime.date(2014, 10, 1), datetime.date(2014, 11, 2)),
    ]


def test_an_ended_project_shows_its_final_result_without_forecast():
    history = [arithmetic.HistoryPoint(datetime.date(2015, 1, 1), D(4))]
    result = arithmetic.progress(
        actual=D(9), target=D(16), history=history, today=datetime.date(2016, 4, 1), start=START, end=END
    )
    assert result.status == arithmetic.Status.NOT_REACHED
    assert result.forecast_date is None
    assert result.expected_by_now == D(16)
    reached = arithmetic.progress(
        actual=D(16), target=D(16), history=[], today=datetime.date(2017, 1, 1), start=START, end=END
    )
    assert reached.status == arithmetic.Status.REACHED and reached.forecast_date is None


def test_periods_are_generated_once_for_a_project_without_them():
    project = ProjectFactory()
    assert reporting_periods_ensure(project_ids=[project.pk]) == 8
    assert reporting_periods_ensure(project_ids=[project.pk]) == 0
    assert ReportingPeriod.objects.filter(project=project).count() == 8


@pytest.fixture
def project():
    project = ProjectFactory(neighbourhoods=[NeighbourhoodFactory(name="Bel Air")])
    TargetFactory(project=project, indicator=Target.Indicator.BUSINESSES, value=D(16))
    TargetFactory(project=project, indicator=Target.Indicator.REHABILITATED_AREA, value=D(4000))
    reporting_periods_ensure(project_ids=[project.pk])
    return project


DATES = st.dates(min_value=datetime.date(2014, 3, 27), max_value=datetime.date(2016, 9, 30))
STATES = st.sampled_from(list(ReviewState.values))
RECORDS = st.lists(
    st.tuples(st.sampled_from(["business", "work"]), DATES, STATES, st.integers(min_value=1, max_value=300)),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=RECORDS)
def test_the_actual_in_each_period_is_the_sum_of_the_records_dated_in_it(project, records):
    """For random records with random dates and review states: each period's actual equals an
    independent sum over the verified records dated in it, and the periods add up to the whole."""
    with transaction.atomic():
        centre = CentreFactory(project=project)
        site = RehabSiteFactory(project=project, planned_area_m2=D(100000))
        for kind, day, state, size in records:
            review = {"review_state": state}
            if state != ReviewState.DRAFT:
                review["review_changed_at"] = VERIFIED_AT
            if kind == "business":
                BusinessFactory(centre=centre, formed_on=day, status="created", **review)
            else:
                WorkRecordFactory(site=site, date=day, completed_area_m2=D(size), **review)
        periods = list(ReportingPeriod.objects.filter(project=project).order_by("end"))
        by_period = progress_actuals([project.pk], by_period=True)[project.pk]
        whole = progress_actuals([project.pk], until_end=True)[project.pk]
        previous_end = None
        for period in periods:
            in_it = [
                (kind, size)
                for kind, day, state, size in records
                if state == ReviewState.VERIFIED
                and day <= period.end
                and (previous_end is None or day > previous_end)
            ]
            assert by_period[period.pk]["businesses"].total == sum(
                1 for kind, _s in in_it if kind == "business"
            )
            assert by_period[period.pk]["rehabilitated_m2"].total == sum(
                size for kind, size in in_it if kind == "work"
            )
            previous_end = period.end
        for indicator in ("businesses", "rehabilitated_m2"):
            assert sum(by_period[p.pk][indicator].total for p in periods) == whole[indicator].total
        after = [r for r in records if r[2] == ReviewState.VERIFIED and r[1] > END]
        late_area = sum(size for kind, _d, _s, size in after if kind == "work")
        assert (by_period.get(None, {}).get("rehabilitated_m2") or arithmetic.Actual()).total == late_area
        transaction.set_rollback(True)


def test_an_ended_project_counts_only_what_is_dated_up_to_its_end(project):
    centre = CentreFactory(project=project)
    for day in (datetime.date(2015, 2, 1), datetime.date(2016, 3, 31), datetime.date(2016, 5, 2)):
        BusinessFactory(centre=centre, formed_on=day, **verified())
    progress_recompute(project_ids=[project.pk])
    snapshot = ProgressSnapshot.objects.filter(
        target__project=project, target__indicator="businesses"
    ).latest()
    assert snapshot.actual == 2
    assert snapshot.status == "not_reached" and snapshot.forecast_date is None
    assert snapshot.expected_by_now == 16
    assert snapshot.breakdown["after_end"] == {"total": "1"}
    table = {t.target.indicator: t for t in period_table(project)}["businesses"]
    assert table.after_end == 1
    assert [r.live_in_period for r in table.rows if r.live_in_period] == [1, 1]
    assert table.rows[-1].live_cumulative == 2


def test_without_a_milestone_the_straight_path_is_shown_and_labelled(project):
    target = project.targets.get(indicator="businesses")
    first, fourth = list(ReportingPeriod.objects.filter(project=project).order_by("end"))[0:4:3]
    manager = make_user("m-milestone", roles.ILO_MANAGERS)
    milestone_set(target=target, period=fourth, value=D(6), by=manager)
    rows = {
        row.period.code: row
        for table, row in [*period_rows(project, first), *period_rows(project, fourth)]
        if table.target == target
    }
    assert rows["2015-Q1"].expected == 6 and not rows["2015-Q1"].uses_straight_path
    assert rows["2014-Q2"].uses_straight_path
    assert rows["2014-Q2"].expected == arithmetic.expected_by(datetime.date(2014, 6, 30), D(16), START, END)


@pytest.fixture
def people():
    return {
        "first": make_user("manager-one", roles.ILO_MANAGERS),
        "second": make_user("manager-two", roles.ILO_MANAGERS),
        "admin": make_user("admin-one", roles.ADMINISTRATORS),
        "staff": make_user("staff-one", roles.FIELD_STAFF),
    }


def _area_period(project):
    return ReportingPeriod.objects.get(project=project, code="2015-Q1")


def test_a_locked_period_keeps_its_approved_figure_and_shows_what_changed_until_reopened(project, people):
    site = RehabSiteFactory(project=project, planned_area_m2=D(1000))
    WorkRecordFactory(site=site, date=datetime.date(2015, 2, 10), completed_area_m2=D(100), **verified())
    late = WorkRecordFactory(
        site=site,
        date=datetime.date(2015, 3, 1),
        completed_area_m2=D(3),
        review_state=ReviewState.SUBMITTED,
        review_changed_at=VERIFIED_AT,
    )
    period = _area_period(project)
    area = project.targets.get(indicator="rehabilitated_m2")
    narrative_save(period=period, target=area, text="Corridor in Bel Air finished.", by=people["first"])
    period_transition(period=period, to_state=PeriodState.IN_REVIEW, by=people["first"])
    period_transition(period=period, to_state=PeriodState.APPROVED, by=people["second"])
    period_transition(period=period, to_state=PeriodState.LOCKED, by=people["second"])
    with pytest.raises(ValidationError):
        narrative_save(period=period, target=area, text="changed", by=people["first"])

    # Verified after the approval: the locked figure stays, the difference is shown.
    from programs.review import review_set_state

    review_set_state(record=late, to_state=ReviewState.VERIFIED, by=people["second"])
    period.refresh_from_db()
    row = dict((t.target.indicator, r) for t, r in period_rows(project, period))["rehabilitated_m2"]
    assert row.actual_in_period == 100
    assert row.live_in_period == 103
    assert row.changed_after_approval == 3
    assert list(records_changed_after_approval(period, "rehabilitated_m2")) == [late]

    with pytest.raises(ValidationError):
        period_transition(period=period, to_state=PeriodState.OPEN, by=people["first"], reason="  ")
    period_transition(period=period, to_state=PeriodState.OPEN, by=people["first"], reason="Late record")
    period.refresh_from_db()
    row = dict((t.target.indicator, r) for t, r in period_rows(project, period))["rehabilitated_m2"]
    assert row.actual_in_period == 103 and row.changed_after_approval == 0
    history = list(PeriodEvent.objects.filter(period=period).values_list("from_state", "to_state", "reason"))
    assert history == [
        ("open", "in_review", ""),
        ("in_review", "approved", ""),
        ("approved", "locked", ""),
        ("locked", "open", "Late record"),
    ]


def test_the_submitter_cannot_approve_and_field_staff_cannot_review(project, people):
    period = _area_period(project)
    with pytest.raises(PermissionDenied):
        period_transition(period=period, to_state=PeriodState.IN_REVIEW, by=people["staff"])
    period_transition(period=period, to_state=PeriodState.IN_REVIEW, by=people["first"])
    with pytest.raises(PermissionDenied):
        period_transition(period=period, to_state=PeriodState.APPROVED, by=people["first"])
    with pytest.raises(PermissionDenied):
        period_transition(period=period, to_state=PeriodState.APPROVED, by=people["staff"])
    period_transition(period=period, to_state=PeriodState.APPROVED, by=people["admin"])
    period.refresh_from_db()
    assert period.state == PeriodState.APPROVED and period.approved_by == people["admin"]
    with pytest.raises(ValidationError):
        period_transition(period=period, to_state=PeriodState.IN_REVIEW, by=people["first"])


def test_a_period_event_reads_its_states_in_the_readers_language(project):
    from django.utils import translation

    period = ReportingPeriod.objects.filter(project=project).first()
    event = PeriodEvent(period=period, from_state=PeriodState.OPEN, to_state=PeriodState.IN_REVIEW)
    with translation.override("ht"):
        assert str(event).endswith("Louvri → An revizyon")
