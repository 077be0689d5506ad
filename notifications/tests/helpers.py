"""Records waiting for review, returned ones, and the people who hear of them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from programs.models import ReviewState
from programs.review import review_set_state
from rehab.tests.factories import WorkRecordFactory

SUBMITTED_AT = datetime.datetime(2014, 10, 7, 12, tzinfo=datetime.UTC)


def with_address(*users):
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return users


def submitted_work(hood, *, by=None, at=SUBMITTED_AT, area="5"):
    """A work record of `hood`'s site submitted for review by its staff member (or `by`)."""
    return WorkRecordFactory(
        site=hood.site,
        completed_area_m2=Decimal(area),
        review_state=ReviewState.SUBMITTED,
        review_changed_at=at,
        created_by=by or hood.staff,
    )


def returned(record, *, by, comment="The area is larger than the site's; measure it again."):
    return review_set_state(record=record, to_state=ReviewState.RETURNED, by=by, comment=comment)
