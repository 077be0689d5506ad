"""Traceability: a site from the forum that prioritised it to the work, businesses and jobs on
it; a person from their selection at a forum session to the jobs and businesses that followed.

Every query set goes through `programs.access.visible`; which jobs count is the progress
engine's `counted_youth_jobs`, as on the board.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beneficiaries.models import Beneficiary
from enterprises.models import Business, Job
from fora.models import BeneficiarySelection, ForumSession, StructurePriority
from programs.access import visible
from programs.models import ReviewState
from progress.selectors import counted_youth_jobs
from rehab.models import RehabSite, WorkRecord

from .figures import youth_band

VERIFIED = ReviewState.VERIFIED


@dataclass
class SiteTrace:
    site: RehabSite
    session: ForumSession | None
    ranking: list[StructurePriority]
    work_records: list[WorkRecord]
    verified_area: Decimal
    businesses: list[Business]
    jobs: list[Job]
    counted_job_ids: frozenset[int]


def site_trace(pk: int, user) -> SiteTrace:
    """From the forum that prioritised a site to the work, businesses and jobs on it
    (RehabSite.DoesNotExist when the user may not see it)."""
    site = visible(
        RehabSite.objects.select_related(
            "project", "neighbourhood", "priority__session__forum__neighbourhood", "contractor__owner"
        ),
        user,
    ).get(pk=pk)
    session = site.priority.session if site.priority else None
    ranking = list(session.priorities.select_related("site").order_by("rank")) if session else []
    records = list(
        visible(site.work_records.select_related("review_changed_by", "created_by"), user).order_by(
            "date", "pk"
        )
    )
    jobs = list(
        visible(site.jobs.select_related("worker", "business", "review_changed_by"), user).order_by(
            "start_date", "pk"
        )
    )
    counted = frozenset(
        counted_youth_jobs(site.project_id, youth_band(site.project))
        .filter(site=site)
        .values_list("pk", flat=True)
    )
    businesses = {b.pk: b for b in [site.contractor, *(job.business for job in jobs)] if b is not None}
    return SiteTrace(
        site=site,
        session=session,
        ranking=ranking,
        work_records=records,
        verified_area=sum((r.completed_area_m2 for r in records if r.review_state == VERIFIED), Decimal(0)),
        businesses=list(businesses.values()),
        jobs=jobs,
        counted_job_ids=counted,
    )


@dataclass
class BeneficiaryPath:
    beneficiary: Beneficiary
    selections: list[BeneficiarySelection]
    jobs: list[Job]
    businesses: list[Business]
    counted_job_ids: frozenset[int]


def beneficiary_path(pk: int, user) -> BeneficiaryPath:
    """A person's path: selected at a forum session, then the jobs and businesses that followed
    (Beneficiary.DoesNotExist when the user may not see them)."""
    beneficiary = visible(Beneficiary.objects.select_related("neighbourhood"), user).get(pk=pk)
    selections = list(
        visible(beneficiary.selections.select_related("session__forum", "session__project"), user).order_by(
            "session__held_on"
        )
    )
    jobs = list(
        visible(
            beneficiary.jobs.select_related("business__centre__project", "site", "review_changed_by"), user
        ).order_by("start_date")
    )
    counted: set[int] = set()
    for project in {job.business.centre.project for job in jobs}:
        counted |= set(
            counted_youth_jobs(project.pk, youth_band(project))
            .filter(worker=beneficiary)
            .values_list("pk", flat=True)
        )
    businesses = list(visible(beneficiary.businesses.select_related("centre"), user).order_by("formed_on"))
    return BeneficiaryPath(beneficiary, selections, jobs, businesses, frozenset(counted))
