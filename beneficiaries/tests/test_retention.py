"""Data retention: people past the period are anonymised by the daily task; the counts stay."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from beneficiaries.models import Beneficiary
from beneficiaries.tasks import anonymise_past_retention
from beneficiaries.tests.factories import BeneficiaryFactory
from enterprises.tests.factories import BusinessFactory, JobFactory
from programs.models import ReviewState, Target
from progress.selectors import progress_actuals

pytestmark = pytest.mark.django_db
VERIFIED = {
    "review_state": ReviewState.VERIFIED,
    "review_changed_at": datetime.datetime(2014, 9, 1, tzinfo=datetime.UTC),
}


def test_people_past_the_retention_period_are_anonymised_and_the_counts_stay(settings):
    settings.DATA_RETENTION_DAYS = 365
    business = BusinessFactory(**VERIFIED)
    hood = business.neighbourhood
    old = JobFactory(
        business=business,
        worker=BeneficiaryFactory(neighbourhood=hood, date_of_birth=datetime.date(1994, 1, 1)),
        start_date=datetime.date(2014, 8, 1),
        end_date=datetime.date(2015, 1, 31),
        **VERIFIED,
    )
    ongoing = JobFactory(
        business=business,
        worker=BeneficiaryFactory(neighbourhood=hood, date_of_birth=datetime.date(1995, 1, 1)),
        start_date=datetime.date(2014, 8, 1),
        **VERIFIED,
    )
    recent = BeneficiaryFactory(neighbourhood=hood)
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Beneficiary.objects.exclude(pk=recent.pk).update(created_at=long_ago)
    project_id = business.centre.project_id
    before = progress_actuals([project_id])[project_id][Target.Indicator.YOUTH_JOBS].total

    assert anonymise_past_retention() == 2  # the old job's worker, and the owner (no job)

    old.worker.refresh_from_db()
    assert old.worker.anonymised_at is not None
    assert (old.worker.last_name, old.worker.phone, old.worker.date_of_birth) == ("", "", None)
    ongoing.worker.refresh_from_db()
    recent.refresh_from_db()
    assert ongoing.worker.anonymised_at is None and recent.anonymised_at is None
    assert (
        progress_actuals([project_id])[project_id][Target.Indicator.YOUTH_JOBS].total == before == Decimal(2)
    )
    assert anonymise_past_retention() == 0


def test_an_admin_export_neutralises_a_formula_in_a_name():
    from beneficiaries.resources import BeneficiaryExportResource
    from conftest import make_user
    from programs import roles

    BeneficiaryFactory(code="BA-9001", first_name='=HYPERLINK("http://evil","x")', last_name="+cmd")
    user = make_user("export-admin", roles.ADMINISTRATORS, is_staff=True)
    csv = BeneficiaryExportResource(user=user).export(Beneficiary.objects.all()).csv
    assert "'=HYPERLINK" in csv and "'+cmd" in csv
    assert ",=HYPERLINK" not in csv and ",+cmd" not in csv
