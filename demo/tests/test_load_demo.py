"""`python manage.py load_demo`: the article's facts, partial progress, the same rows however often run."""

import datetime
import io
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings

from demo.loader import DEMO_USERS, PROJECT_CODE
from enterprises.models import Business, EscService, Job
from fora.models import ForumSession
from notifications.models import Notification
from programs.models import FocusArea, Neighbourhood, Partnership, Project, ReviewState, Signatory, Target
from programs.review import review_set_state
from progress.models import Milestone, ProgressSnapshot, ReportingPeriod
from rehab.models import WorkRecord

pytestmark = pytest.mark.django_db

FIELD_RECORD_MODELS = [ForumSession, Business, EscService, Job, WorkRecord]


def load_demo(*, debug: bool) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with override_settings(DEBUG=debug):
        call_command("load_demo", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def database_rows() -> dict[str, dict]:
    """Every row of the demo's apps and of auth.User: primary keys in order and each row serialised."""
    models = [
        m
        for label in ("programs", "beneficiaries", "fora", "enterprises", "rehab", "progress")
        for m in apps.get_app_config(label).get_models()
    ]
    models.append(User)
    rows = {}
    for model in models:
        queryset = model._default_manager.order_by("pk")
        rows[model._meta.label_lower] = {
            "pks": list(queryset.values_list("pk", flat=True)),
            "rows": json.loads(serializers.serialize("json", queryset)),
        }
    return rows


@dataclass
class Load:
    out: str
    err: str
    project: Project


def loaded_once(django_db_blocker, *, debug: bool):
    """Load the demo in a transaction that stays open for a class of tests and is rolled back after.

    Each test runs in a savepoint inside it (as with `TestCase.setUpTestData`): what a test writes,
    a second load included, is undone before the next test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        out, err = load_demo(debug=debug)
        yield Load(out, err, Project.objects.get(code=PROJECT_CODE))
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def with_debug(django_db_setup, django_db_blocker):
    """As `make demo` loads it: DEBUG on, so with the demo users."""
    yield from loaded_once(django_db_blocker, debug=True)


@pytest.fixture(scope="class")
def without_debug(django_db_setup, django_db_blocker):
    yield from loaded_once(django_db_blocker, debug=False)


class TestWithDebug:
    def test_loading_again_leaves_exactly_the_same_rows(self, with_debug):
        before = database_rows()

        out, err = load_demo(debug=True)

        assert database_rows() == before
        assert "created" in with_debug.out
        assert "nothing to create" in out
        assert err == ""

    def test_the_load_fills_the_tables_of_every_app(self, with_debug):
        """So that the comparison of rows compares something."""
        rows = database_rows()
        loaded = [
            "programs.organisation",
            "programs.focusarea",
            "programs.partnership",
            "programs.signatory",
            "programs.neighbourhood",
            "programs.project",
            "programs.target",
            "programs.neighbourhoodassignment",
            "progress.progresssnapshot",
            "fora.communityforum",
            "fora.forumsession",
            "fora.structurepriority",
            "fora.beneficiaryselection",
            "enterprises.enterpriseservicecentre",
            "beneficiaries.beneficiary",
            "enterprises.business",
            "enterprises.escservice",
            "enterprises.job",
            "rehab.rehabsite",
            "rehab.workrecord",
            "auth.user",
        ]

        assert [label for label in loaded if not rows[label]["pks"]] == []

    def test_one_partnership_signed_27_march_2014_by_compte_and_levaggi_witnessed_by_honore(self, with_debug):
        partnership = Partnership.objects.get()

        assert partnership.signed_on == datetime.date(2014, 3, 27)
        assert sorted(partnership.signatories.values_list("name", "role")) == [
            ("Philip Compte", Signatory.Role.SIGNER),
            ("Sandra Honoré", Signatory.Role.WITNESS),
            ("Virgilio Levaggi", Signatory.Role.SIGNER),
        ]
        assert sorted(partnership.parties.values_list("acronym", flat=True)) == ["ILO", "MINUSTAH"]
        assert partnership.focus_areas.count() == 4
        assert FocusArea.objects.count() == 4

    def test_the_project_works_in_bel_air_and_fort_national(self, with_debug):
        project = with_debug.project

        assert sorted(project.neighbourhoods.values_list("name", flat=True)) == ["Bel Air", "Fort National"]
        assert sorted(Neighbourhood.objects.values_list("name", flat=True)) == ["Bel Air", "Fort National"]
        assert project.partnership == Partnership.objects.get()

    def test_the_targets_are_16_businesses_114_youth_jobs_and_4000_square_metres(self, with_debug):
        assert dict(with_debug.project.targets.values_list("indicator", "value")) == {
            Target.Indicator.BUSINESSES: Decimal("16"),
            Target.Indicator.YOUTH_JOBS: Decimal("114"),
            Target.Indicator.REHABILITATED_AREA: Decimal("4000"),
        }

    @pytest.mark.parametrize("model", FIELD_RECORD_MODELS, ids=lambda m: m._meta.label_lower)
    def test_every_kind_of_field_record_has_verified_records(self, with_debug, model):
        assert model.objects.filter(review_state=ReviewState.VERIFIED).exists()

    def test_some_field_records_await_review_and_some_were_returned(self, with_debug):
        states = set()
        for model in FIELD_RECORD_MODELS:
            states |= set(model.objects.values_list("review_state", flat=True))

        assert {ReviewState.VERIFIED, ReviewState.SUBMITTED, ReviewState.RETURNED} <= states

    @pytest.mark.parametrize("model", FIELD_RECORD_MODELS, ids=lambda m: m._meta.label_lower)
    def test_each_record_was_entered_by_its_neighbourhood_s_field_staff(self, with_debug, model):
        authors = {
            (hood, author)
            for hood, author in model.objects.values_list(model.neighbourhood_path, "created_by__username")
        }
        hoods = dict(Neighbourhood.objects.values_list("pk", "name"))
        assert {(hoods[hood], author) for hood, author in authors} <= {
            ("Bel Air", "terrain.belair"),
            ("Fort National", "terrain.fortnational"),
        }

    def test_a_demo_record_returned_by_the_manager_reaches_its_author(self, with_debug):
        job = Job.objects.filter(review_state=ReviewState.SUBMITTED).order_by("pk").first()
        review_set_state(
            record=job,
            to_state=ReviewState.RETURNED,
            by=User.objects.get(username="manager"),
            comment="Dat la?",
        )
        (notice,) = Notification.objects.filter(user=job.created_by)
        assert job.created_by.username.startswith("terrain.") and notice.kind == Notification.Kind.RETURNED

    def test_verified_progress_is_partial_on_every_target(self, with_debug):
        verified_businesses = Business.objects.filter(review_state=ReviewState.VERIFIED).count()
        verified_jobs = Job.objects.filter(review_state=ReviewState.VERIFIED).count()
        verified_area = WorkRecord.objects.filter(review_state=ReviewState.VERIFIED).aggregate(
            total=Sum("completed_area_m2")
        )["total"]

        assert 0 < verified_businesses < 16
        assert 0 < verified_jobs < 114
        assert 0 < verified_area < 4000

    def test_the_latest_snapshots_show_partial_progress(self, with_debug):
        for target in with_debug.project.targets.all():
            latest = ProgressSnapshot.objects.filter(target=target).latest()
            assert 0 < latest.actual < target.value, target.indicator
            assert latest.target_value == target.value

    def test_the_reporting_cycle_is_there_whole_and_iati_publishes_the_approved_periods(self, with_debug):
        from interop import iati  # noqa: PLC0415

        states = dict(ReportingPeriod.objects.filter(project=with_debug.project).values_list("code", "state"))
        assert sorted(code for code, state in states.items() if state == "approved") == ["2014-Q3", "2014-Q4"]
        assert states["2015-Q1"] == "in_review"
        assert sum(state == "open" for state in states.values()) == 5
        assert Milestone.objects.filter(target__project=with_debug.project).count() == 24
        tree = iati.build_activities()
        for indicator in tree.xpath("//iati-activity/result/indicator"):
            periods = indicator.findall("period")
            assert [p.find("period-start").get("iso-date") for p in periods] == ["2014-07-01", "2014-10-01"]
            assert all(p.findtext("actual/comment/narrative") for p in periods)

    def test_one_user_per_role_is_created_and_the_credentials_printed(self, with_debug):
        users = {user.username: user for user in User.objects.prefetch_related("groups")}

        assert sorted(users) == sorted(username for username, *_ in DEMO_USERS)
        roles_given = {group.name for user in users.values() for group in user.groups.all()}
        assert roles_given == {"CVR field staff", "ILO managers", "Administrators"}
        for username, password, group_name, _hoods, is_staff in DEMO_USERS:
            user = users[username]
            assert [g.name for g in user.groups.all()] == [group_name]
            assert user.check_password(password)
            assert user.is_staff is is_staff
            assert not user.is_superuser
            assert username in with_debug.out
            assert password in with_debug.out
        assert with_debug.err == ""

    def test_field_staff_are_assigned_to_their_neighbourhood(self, with_debug):
        assignments = {
            user.username: sorted(
                user.neighbourhood_assignments.values_list("neighbourhood__name", flat=True)
            )
            for user in User.objects.filter(groups__name="CVR field staff")
        }

        assert assignments == {"terrain.belair": ["Bel Air"], "terrain.fortnational": ["Fort National"]}


class TestWithoutDebug:
    def test_no_user_is_created_and_a_warning_is_printed(self, without_debug):
        assert not User.objects.exists()
        assert "DEBUG" in without_debug.err
        assert "not created" in without_debug.err
        for _username, password, *_ in DEMO_USERS:
            assert password not in without_debug.out + without_debug.err

    def test_the_facts_are_loaded_all_the_same(self, without_debug):
        assert Partnership.objects.get().signatories.count() == 3
        assert without_debug.project.targets.count() == 3

    def test_loading_again_leaves_exactly_the_same_rows(self, without_debug):
        before = database_rows()

        out, err = load_demo(debug=False)

        assert database_rows() == before
        assert "nothing to create" in out
        assert "DEBUG" in err


def test_nothing_outlives_the_loads_of_the_classes_above():
    """Guards the class-scoped loads: their transactions were rolled back."""
    assert not Partnership.objects.exists()
    assert not User.objects.exists()
