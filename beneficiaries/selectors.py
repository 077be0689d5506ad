"""Reads of beneficiaries: visibility, look-alikes (suspected duplicates), employment, age bands.

Permission scoping goes through `programs.access`, so the admin, the exports and the import
see the same people.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from programs import access
from programs.lookups import AnyOf  # noqa: F401 - the import resource reads it from here

from .models import PHONE_KEY_DIGITS, Beneficiary, name_key_expression, phone_key_expression


def beneficiaries_visible_to(user) -> QuerySet[Beneficiary]:
    """The beneficiaries `user` may see (all for managers and administrators)."""
    return access.visible(Beneficiary.objects.all(), user)


def normal_code(code: str) -> str:
    """A code as typed or as the search box fills it ("ba-0001 Marie …") → "BA-0001"."""
    return code.strip().upper().split(" ")[0] if code.strip() else ""


def beneficiary_by_code(code: str, *, user) -> Beneficiary | None:
    """The person with this code among those `user` may see, or None."""
    return beneficiaries_visible_to(user).filter(code=normal_code(code)).first()


def beneficiaries_by_codes(codes, *, user) -> tuple[list[Beneficiary], list[str]]:
    """The people with these codes that `user` may see, in the order given (each once), and the
    codes that name no one of theirs."""
    wanted = list(dict.fromkeys(c for c in (normal_code(code) for code in codes) if c))
    people = {b.code: b for b in beneficiaries_visible_to(user).filter(code__in=wanted)}
    return [people[c] for c in wanted if c in people], [c for c in wanted if c not in people]


def name_key(first_name: str, last_name: str) -> str:
    """The key two spellings of one name share: trimmed, lower case (as `models.name_key_expression`)."""
    return f"{first_name.strip()} {last_name.strip()}".lower()


def phone_key(phone: str) -> str:
    """The last digits of a phone number (as `models.phone_key_expression`); '' when there is none."""
    # str.replace, not a regular expression: an import computes this twice per row.
    return (phone or "").replace(" ", "").replace("+", "")[-PHONE_KEY_DIGITS:]


def with_look_alike_keys(queryset: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    # The expressions of the model's indexes, so that PostgreSQL can use them.
    return queryset.annotate(_name_key=name_key_expression(), _phone_key=phone_key_expression())


def _confirmed_distinct(outer_pk, inner_pk) -> Exists:
    through = Beneficiary.distinct_from.through
    return Exists(through.objects.filter(from_beneficiary=outer_pk, to_beneficiary=inner_pk))


def with_duplicate_flag(queryset: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """Annotate `suspected_duplicate`: another person (not anonymised, not confirmed different)
    has the same name and date of birth, or the same phone number."""
    others = (
        with_look_alike_keys(Beneficiary.objects.filter(anonymised_at__isnull=True))
        .exclude(pk=OuterRef("pk"))
        .exclude(_confirmed_distinct(OuterRef(OuterRef("pk")), OuterRef("pk")))
    )
    same_name = others.filter(_name_key=OuterRef("_name_key"), date_of_birth=OuterRef("date_of_birth"))
    same_phone = others.filter(_phone_key=OuterRef("_phone_key")).exclude(_phone_key="")
    # Two EXISTS, not one with an OR: each probes its own index and stops at the first match
    # (with the OR, PostgreSQL scanned every person for each row of the page: 11 s at 100,000).
    # An anonymised person has no name, date of birth or phone left, so never matches.
    return with_look_alike_keys(queryset).annotate(suspected_duplicate=Exists(same_name) | Exists(same_phone))


def look_alikes(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    phone: str,
    exclude: Beneficiary | None = None,
) -> QuerySet[Beneficiary]:
    """People who may be the person described: same name and date of birth, or same phone."""
    condition = Q()
    if date_of_birth is not None and (first_name or last_name):
        condition |= Q(_name_key=name_key(first_name, last_name), date_of_birth=date_of_birth)
    if phone_key(phone):
        condition |= Q(_phone_key=phone_key(phone))
    if not condition:
        return Beneficiary.objects.none()
    people = with_look_alike_keys(Beneficiary.objects.filter(anonymised_at__isnull=True)).filter(condition)
    if exclude is not None and exclude.pk:
        people = people.exclude(pk=exclude.pk).exclude(distinct_from=exclude)
    elif exclude is not None:
        people = people.exclude(code=exclude.code)
    return people.order_by("code")


def look_alikes_of(beneficiary: Beneficiary) -> QuerySet[Beneficiary]:
    """The suspected duplicates of one person."""
    if beneficiary.anonymised_at:
        return Beneficiary.objects.none()
    return look_alikes(
        first_name=beneficiary.first_name,
        last_name=beneficiary.last_name,
        date_of_birth=beneficiary.date_of_birth,
        phone=beneficiary.phone,
        exclude=beneficiary,
    )


class LookAlikeIndex:
    """The look-alike keys of the people an import file may match, loaded in two queries, for
    checking a whole file without one query per row. Rows added while importing are seen by the
    later rows."""

    def __init__(self):
        self._by_name: dict[tuple[str, datetime.date], set[str]] = defaultdict(set)
        self._by_phone: dict[str, set[str]] = defaultdict(set)
        self._distinct: dict[str, set[str]] = defaultdict(set)

    @classmethod
    def load(cls, described: Iterable[tuple] | None = None) -> LookAlikeIndex:
        """The people who share a key with one of the `described` (code, first name, last name,
        date of birth, phone) tuples, or everyone when None.

        The database compares the keys (`with_look_alike_keys`), so that a file of ten thousand
        rows reads its few hundred look-alikes, not every person recorded; the index then
        compares them again in Python, by the same rule."""
        index = cls()
        people = Beneficiary.objects.filter(anonymised_at__isnull=True)
        pairs = Beneficiary.distinct_from.through.objects.all()
        if described is not None:
            described = list(described)
            # The name key alone narrows enough: this index compares the birth dates, in Python.
            names = {name_key(first, last) for _, first, last, born, _ in described if born is not None}
            phones = {phone_key(phone) for *_, phone in described} - {""}
            wanted = Q(AnyOf(F("_name_key"), names)) | Q(AnyOf(F("_phone_key"), phones))
            people = with_look_alike_keys(people).filter(wanted) if names or phones else people.none()
            pairs = pairs.filter(AnyOf(F("from_beneficiary__code"), {code for code, *_ in described}))
        rows = people.order_by().values_list("code", "first_name", "last_name", "date_of_birth", "phone")
        for person in rows.iterator(chunk_size=2000):
            index.add(*person)
        for one, other in pairs.values_list("from_beneficiary__code", "to_beneficiary__code").iterator(
            chunk_size=2000
        ):
            index._distinct[one].add(other)
        return index

    def add(self, code: str, first_name: str, last_name: str, date_of_birth, phone: str) -> None:
        if date_of_birth is not None:
            self._by_name[(name_key(first_name, last_name), date_of_birth)].add(code)
        if phone_key(phone):
            self._by_phone[phone_key(phone)].add(code)

    def find(self, code: str, first_name: str, last_name: str, date_of_birth, phone: str) -> list[str]:
        """The codes of the people who may be the person described (same rule as
        `with_duplicate_flag`), apart from `code` itself and those confirmed different."""
        found = set()
        if date_of_birth is not None:
            found |= self._by_name.get((name_key(first_name, last_name), date_of_birth), set())
        if phone_key(phone):
            found |= self._by_phone.get(phone_key(phone), set())
        return sorted(found - {code} - self._distinct.get(code, set()))


def with_employment(queryset: QuerySet[Beneficiary], *, today: datetime.date) -> QuerySet[Beneficiary]:
    """Annotate `job_count` (jobs ever recorded, any review state) and `employed_now` (a job
    that has started and not ended on `today`). The jobs are those of the relation `Job.worker`
    declares towards the register: the register imports no floor above it."""
    Job = Beneficiary._meta.get_field("jobs").related_model
    jobs = Job.objects.filter(worker=OuterRef("pk")).order_by().values("worker")
    current = Job.objects.filter(worker=OuterRef("pk"), start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    return queryset.annotate(
        job_count=Coalesce(
            Subquery(jobs.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
        employed_now=Exists(current),
    )


def born_for_age_band(low: int | None, high: int | None, *, today: datetime.date) -> Q:
    """People aged `low` to `high` (completed years) on `today`; None leaves that end open."""
    condition = Q(date_of_birth__isnull=False)
    if low is not None:
        condition &= Q(date_of_birth__lte=_years_before(today, low))
    if high is not None:
        condition &= Q(date_of_birth__gt=_years_before(today, high + 1))
    return condition


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` years earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
