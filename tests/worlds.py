"""The test world of two neighbourhoods, Bel Air and Fort National, in one project.

`two_neighbourhoods()` builds it: in each neighbourhood a forum, an ESC, a business (its owner
a person of the neighbourhood), a rehabilitation site of 500 m², and a forum session, a job
and a work record, with a field staff member assigned to that neighbourhood only; ILO managers
and administrators when asked for. The parameters are what the suites need differently (names
carrying a marker, verified records, a record of each kind more). The root conftest's
`two_hoods` fixture is the world with its defaults.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from beneficiaries.tests.factories import BeneficiaryFactory
from conftest import make_user
from enterprises.tests.factories import BusinessFactory, CentreFactory, EscServiceFactory, JobFactory
from fora.tests.factories import ForumFactory, ForumSessionFactory
from programs import roles
from programs.models import ReviewState
from programs.tests.factories import NeighbourhoodFactory, ProjectFactory
from rehab.tests.factories import RehabSiteFactory, WorkRecordFactory

BEL_AIR = "Bel Air"
FORT_NATIONAL = "Fort National"


@dataclass
class Hood:
    """One neighbourhood of the world: its records of each kind and its field staff member.

    With `records=False` only the neighbourhood, the project and the centre are there.
    """

    neighbourhood: object
    project: object
    centre: object
    forum: object = None
    beneficiary: object = None  # the business's owner
    business: object = None
    site: object = None
    session: object = None
    job: object = None
    work: object = None
    staff: object = None
    service: object = None  # with `more_records`
    draft_work: object = None  # with `more_records`


def two_neighbourhoods(
    *,
    project_code: str | None = None,
    records: bool = True,
    marks: Mapping[str, str] | None = None,
    verified_at: datetime.datetime | None = None,
    work_area: Decimal = Decimal("100"),
    more_records: bool = False,
    manager: str | None = None,
    admin: str | None = None,
) -> dict:
    """Bel Air and Fort National in one project; returns a dict: each neighbourhood's `Hood`
    under its name, "project", "partnership", and "manager" / "admin" when named.

    - `project_code`: the project's code (the factory's sequence otherwise).
    - `records`: False for the neighbourhoods, the project and a centre in each only.
    - `marks`: neighbourhood name → a marker put in the name or text of each of its records
      ("Forum FNMARK", beneficiary code "FN-0001", …), to find them on a page.
    - `verified_at`: the business, session, job and work record are verified at that time
      (drafts otherwise).
    - `work_area`: the area of each neighbourhood's work record (of the site's 500 m²).
    - `more_records`: an ESC service to the business and a draft work record of 10 m² besides.
    - `manager`, `admin`: usernames of an ILO manager and an administrator (staff) to make.
    """
    bel_air = NeighbourhoodFactory(name=BEL_AIR)
    fort_national = NeighbourhoodFactory(name=FORT_NATIONAL)
    project_fields = {"code": project_code} if project_code else {}
    project = ProjectFactory(neighbourhoods=[bel_air, fort_national], **project_fields)
    verified = {"review_state": ReviewState.VERIFIED, "review_changed_at": verified_at} if verified_at else {}
    world: dict = {"project": project, "partnership": project.partnership}
    for place in (bel_air, fort_national):
        named = functools.partial(_marked, (marks or {}).get(place.name))
        if not records:
            world[place.name] = Hood(
                place,
                project,
                CentreFactory(project=project, neighbourhood=place, **named(name="ESC {mark}")),
            )
            continue
        forum = ForumFactory(neighbourhood=place, **named(name="Forum {mark}"))
        centre = CentreFactory(project=project, neighbourhood=place, **named(name="ESC {mark}"))
        person = BeneficiaryFactory(
            neighbourhood=place, **named(last_name="Person{mark}", code="{short}-0001")
        )
        business = BusinessFactory(
            centre=centre, neighbourhood=place, owner=person, **named(name="Shop {mark}"), **verified
        )
        site = RehabSiteFactory(
            project=project,
            neighbourhood=place,
            planned_area_m2=Decimal("500"),
            **named(name="Corridor {mark}"),
        )
        hood = Hood(
            place,
            project,
            centre,
            forum=forum,
            beneficiary=person,
            business=business,
            site=site,
            session=ForumSessionFactory(
                project=project, forum=forum, **named(notes="Session {mark}"), **verified
            ),
            job=JobFactory(
                business=business,
                worker__neighbourhood=place,
                **named(worker__last_name="Worker{mark}", role="Role {mark}"),
                **verified,
            ),
        )
        if more_records:
            hood.service = EscServiceFactory(
                business=business,
                centre=centre,
                kind="management_advice",
                delivered_on=datetime.date(2014, 8, 2),
                **named(notes="Advice {mark}"),
            )
        hood.work = WorkRecordFactory(
            site=site, completed_area_m2=work_area, **named(notes="Work {mark}"), **verified
        )
        if more_records:
            hood.draft_work = WorkRecordFactory(
                site=site, completed_area_m2=Decimal("10"), **named(notes="Draft {mark}")
            )
        hood.staff = make_user(f"staff-{place.pk}", roles.FIELD_STAFF, neighbourhoods=[place])
        world[place.name] = hood
    if manager:
        world["manager"] = make_user(manager, roles.ILO_MANAGERS, is_staff=True)
    if admin:
        world["admin"] = make_user(admin, roles.ADMINISTRATORS, is_staff=True)
    return world


def _marked(mark: str | None, **texts: str) -> dict[str, str]:
    """The record's texts with the neighbourhood's marker ({mark}, {short}: its first two
    letters), or none without a marker: the factory's own then."""
    if not mark:
        return {}
    return {key: text.format(mark=mark, short=mark[:2]) for key, text in texts.items()}
