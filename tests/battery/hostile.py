"""What the battery's tests share: the world, hostile values, one rolled-back example, the checks.

The world is `tests.worlds.two_neighbourhoods` with every Fort National record carrying the marker
FNMARK (its people's codes are markers too), a few more Bel Air people (adults free to be hired,
a 16-year-old) and a ranked priority in each session. The tests act as Bel Air's field staff
(and as an ILO manager for reviews): nothing of Fort National may ever come back to them, unless
the request itself carried it (a code typed in, echoed in "No beneficiary has the code …").

Each example runs in a savepoint rolled back at its end (`rolled_back`), so the world is the same
for every example and a refusal is checked against the rows before it: `snapshot` reads every
row of the tables a field write may touch.
"""

from __future__ import annotations

import datetime
import functools
import html
import io
import json
import logging
import math
import os
import struct
import traceback
import uuid
import zlib
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
MARK = "FNMARK"
BEL_AIR, FORT_NATIONAL = "Bel Air", "Fort National"
FIRST_DAY = datetime.date(2014, 4, 1)  # the partnership was signed on 27 March 2014
MAX_ID = 2**63 - 1


def battery(max_examples: int):
    """Hypothesis settings of the battery: bounded, reproducible (derandomized, no example
    database), no deadline (a request on PostgreSQL varies), fixtures made once per test.
    BATTERY_SCALE=10 in the environment tries ten times as many examples (a deeper hunt, by hand)."""
    return settings(
        max_examples=max_examples * int(os.environ.get("BATTERY_SCALE", "1")),
        deadline=None,
        database=None,
        derandomize=True,
        print_blob=False,
        # No "explain" phase: it re-runs a failure many times to comment its parts, which with
        # bodies of 10,000 characters takes longer than finding it.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@contextmanager
def quiet_logs():
    """4xx by the hundred and 403 audits are expected: their log lines are not shown."""
    names = ("django.request", "django.security", "haiti_esc.security", "axes", "django.server")
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def rolled_back():
    """One example: a savepoint inside the test's transaction, always rolled back."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    bel: object
    fort: object
    project: object
    staff: object  # Bel Air's field staff member
    fort_staff: object
    manager: object
    adults: list[str]  # Bel Air codes of adults without a job
    people: list[str]  # every Bel Air code
    other_codes: list[str]  # every Fort National code
    own: dict[str, int]  # what Bel Air's staff may name: key → id
    other: dict[str, int]  # the same of Fort National
    records: dict[str, tuple[object, object]]  # kind slug → (Bel Air record, Fort National record)
    markers: tuple[str, ...]
    strategies: dict = field(default_factory=dict, repr=False)  # made once per world (`per_world`)

    @property
    def own_hoods(self) -> frozenset[int]:
        return frozenset({self.bel.neighbourhood.pk})


def build_world() -> World:
    from beneficiaries.models import Beneficiary
    from beneficiaries.tests.factories import BeneficiaryFactory
    from enterprises.tests.factories import BusinessFactory
    from fora.models import BeneficiarySelection, StructurePriority
    from tests.worlds import two_neighbourhoods

    world = two_neighbourhoods(marks={FORT_NATIONAL: MARK}, more_records=True, manager="battery-manager")
    bel, fort = world[BEL_AIR], world[FORT_NATIONAL]
    adults = [
        BeneficiaryFactory(neighbourhood=bel.neighbourhood, date_of_birth=datetime.date(1990, 1, 1)).code
        for _ in range(3)
    ]
    BeneficiaryFactory(neighbourhood=bel.neighbourhood, date_of_birth=datetime.date(1998, 6, 1))  # 16 in 2014
    closed = BusinessFactory(
        centre=bel.centre, neighbourhood=bel.neighbourhood, owner=bel.beneficiary, status="closed"
    )
    own_priority = StructurePriority.objects.create(
        session=bel.session, rank=1, name="Wall of the market", kind="retaining_wall"
    )
    other_priority = StructurePriority.objects.create(
        session=fort.session, rank=1, name=f"Priority {MARK}", kind="public_space"
    )
    BeneficiarySelection.objects.create(session=fort.session, beneficiary=fort.beneficiary)
    people = list(Beneficiary.objects.filter(neighbourhood=bel.neighbourhood).values_list("code", flat=True))
    other_codes = list(
        Beneficiary.objects.filter(neighbourhood=fort.neighbourhood).values_list("code", flat=True)
    )

    def ids(hood, priority):
        return {
            "forum": hood.forum.pk,
            "project": hood.project.pk,
            "centre": hood.centre.pk,
            "business": hood.business.pk,
            "site": hood.site.pk,
            "neighbourhood": hood.neighbourhood.pk,
            "session": hood.session.pk,
            "job": hood.job.pk,
            "service": hood.service.pk,
            "work": hood.draft_work.pk,
            "priority": priority.pk,
        }

    own = ids(bel, own_priority) | {"closed_business": closed.pk}
    records = {
        "sessions": (bel.session, fort.session),
        "businesses": (bel.business, fort.business),
        "jobs": (bel.job, fort.job),
        "services": (bel.service, fort.service),
        "work": (bel.draft_work, fort.draft_work),
    }
    return World(
        bel=bel,
        fort=fort,
        project=world["project"],
        staff=bel.staff,
        fort_staff=fort.staff,
        manager=world["manager"],
        adults=adults,
        people=people,
        other_codes=other_codes,
        own=own,
        other=ids(fort, other_priority),
        records=records,
        markers=(MARK, *other_codes),
    )


# --- the rows a field write may touch -------------------------------------------------------------


def watched_models():
    from rest_framework.authtoken.models import Token

    from beneficiaries.models import Beneficiary
    from enterprises.models import Business, EscService, Job
    from fora.models import BeneficiarySelection, ForumSession, StructurePriority
    from programs.models import FormSubmission, ReviewEvent
    from rehab.models import WorkRecord

    return (
        ForumSession,
        Business,
        Job,
        EscService,
        WorkRecord,
        FormSubmission,
        StructurePriority,
        BeneficiarySelection,
        ReviewEvent,
        Beneficiary,
        Token,
    )


#: The five record tables, by the kind slugs of the field pages.
RECORD_LABELS = {
    "sessions": "fora.ForumSession",
    "businesses": "enterprises.Business",
    "jobs": "enterprises.Job",
    "services": "enterprises.EscService",
    "work": "rehab.WorkRecord",
}


def snapshot() -> dict[str, dict[str, str]]:
    """A digest of every row of the watched tables, by table and primary key: one query
    (PostgreSQL's md5 of the row), twice per example."""
    from django.db import connection

    models = watched_models()
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s, t.{quote(m._meta.pk.column)}::text, md5(t::text) FROM {quote(m._meta.db_table)} t"  # noqa: S608 - names from the models
        for m in models
    )
    rows: dict[str, dict[str, str]] = {m._meta.label: {} for m in models}
    with connection.cursor() as cursor:
        cursor.execute(sql, [m._meta.label for m in models])
        for label, pk, digest in cursor.fetchall():
            rows[label][pk] = digest
    return rows


@dataclass
class Diff:
    added: dict[str, list] = field(default_factory=dict)
    changed: dict[str, list] = field(default_factory=dict)
    removed: dict[str, list] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        return sum(len(v) for part in (self.added, self.changed, self.removed) for v in part.values())

    def __str__(self) -> str:
        parts = []
        for name, part in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            parts += [f"{name} {label} {pks}" for label, pks in part.items() if pks]
        return "; ".join(parts) or "no write"


def diff(before: dict, after: dict) -> Diff:
    result = Diff()
    for label, rows in after.items():
        old = before[label]
        added = [pk for pk in rows if pk not in old]
        changed = [pk for pk in rows if pk in old and rows[pk] != old[pk]]
        removed = [pk for pk in old if pk not in rows]
        if added:
            result.added[label] = added
        if changed:
            result.changed[label] = changed
        if removed:
            result.removed[label] = removed
    return result


def out_of_scope(change: Diff, hoods: frozenset[int]) -> list[str]:
    """Rows added or changed that are not in `hoods` (a Bel Air user writing Fort National)."""
    from django.apps import apps

    from programs import access

    wrong = []
    for part in (change.added, change.changed):
        for label, pks in part.items():
            model = apps.get_model(label)
            if not hasattr(model, "neighbourhood_path"):
                continue
            for obj in model.objects.filter(pk__in=pks):
                if access.neighbourhood_id_of(obj) not in hoods:
                    wrong.append(f"{label} {obj.pk} (neighbourhood {access.neighbourhood_id_of(obj)})")
    return wrong


def review_states_written(change: Diff) -> set[str]:
    from django.apps import apps

    states = set()
    for part in (change.added, change.changed):
        for label, pks in part.items():
            if label in RECORD_LABELS.values():
                states |= set(
                    apps.get_model(label).objects.filter(pk__in=pks).values_list("review_state", flat=True)
                )
    return states


# --- the figures of a run -----------------------------------------------------------------------


@dataclass
class Tally:
    """What one test's examples met; printed at the end of the module. Reruns while Hypothesis
    shrinks a failure are counted too (a passing run has none)."""

    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: int = 0
    writes_on_refusal: int = 0
    leaks: int = 0
    silent_refusals: int = 0
    out_of_scope: int = 0

    def line(self, name: str) -> str:
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{name}: {self.cases} cases [{codes}]; 5xx {self.server_errors}, writes on refusals "
            f"{self.writes_on_refusal}, leaks {self.leaks}, refusals without a message "
            f"{self.silent_refusals}, writes out of scope {self.out_of_scope}"
        )


TALLIES: dict[str, Tally] = {}


def tally(name: str) -> Tally:
    return TALLIES.setdefault(name, Tally())


def report_tallies(request, prefix: str) -> None:
    """Print the module's figures through pytest's terminal (not captured)."""
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    lines = [t.line(name) for name, t in TALLIES.items() if name.startswith(prefix)]
    if reporter is None or not lines:
        return
    with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(f"battery {line}")


# --- sending, and what a failure says -----------------------------------------------------------


@dataclass
class Exchange:
    method: str
    url: str
    content_type: str
    sent: str  # what the request carried, in full: the body as sent, or the form's fields
    response: object
    shown: str = ""  # the same, shortened, for a reproduction

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def text(self) -> str:
        content = b"" if self.response.streaming else self.response.content
        return content.decode("utf-8", "replace")

    def reproduction(self) -> str:
        return f"{self.method} {self.url} [{self.content_type}] {self.shown or short(self.sent, 600)}"


class ServerError(AssertionError):
    pass


def short(value, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


def describe(data) -> str:
    if isinstance(data, dict):
        return "{" + ", ".join(f"{k!r}: {short(v)}" for k, v in data.items()) + "}"
    return short(data, 600)


def _relative(filename: str) -> str:
    return str(Path(filename).relative_to(ROOT)) if filename.startswith(str(ROOT)) else filename


def where_it_failed(error: BaseException) -> str:
    """The innermost frames of the project's own code (not the libraries'), and the error."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename]
    ours = [f for f in ours if "/tests/battery/" not in f.filename]
    shown = (ours or frames)[-3:]
    lines = [f"{_relative(f.filename)}:{f.lineno} in {f.name}: {f.line}" for f in shown]
    last = frames[-1]
    lines.append(f"raised at {last.filename}:{last.lineno}: {type(error).__name__}: {str(error)[:300]}")
    return "\n  ".join(lines)


def reset_throttles() -> None:
    """Request counts start at zero in each example, as the root conftest's `fresh_throttles`
    does in each test: the examples of one test would otherwise be answered 429 after a few."""
    from django.conf import settings
    from django.core.cache import caches

    cache = caches[settings.THROTTLE_CACHE]
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):  # Redis: our keys only
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


def send(
    name: str, client, method: str, url: str, *, content_type: str, body, sent: str, shown: str = ""
) -> Exchange:
    """Send one request (the throttles' counts at zero); a server error (raised by the view, or
    a 5xx answered) fails the example with its reproduction."""
    counts = tally(name)
    counts.cases += 1
    reset_throttles()
    try:
        if content_type == "multipart":
            response = (
                getattr(client, method.lower())(url, body)
                if method == "POST"
                else client.generic(method, url, *_multipart(body))
            )
        else:
            response = client.generic(method, url, body, content_type=content_type)
    except Exception as error:  # noqa: BLE001 - a server error whatever it is
        counts.statuses[500] += 1
        counts.server_errors += 1
        raise ServerError(
            f"5xx (an exception from the view): {method} {url} [{content_type}] {shown or short(sent, 600)}"
            f"\n  {where_it_failed(error)}"
        ) from error
    exchange = Exchange(method, url, content_type, sent, response, shown)
    counts.statuses[exchange.status] += 1
    if exchange.status >= 500:
        counts.server_errors += 1
        raise ServerError(f"{exchange.status}: {exchange.reproduction()}\n  {exchange.text[:500]}")
    return exchange


def _multipart(body: dict):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return encode_multipart(BOUNDARY, body), MULTIPART_CONTENT


def leaked(exchange: Exchange, markers) -> list[str]:
    """The markers in the answer that the request did not carry itself."""
    answer = exchange.text
    asked = exchange.sent + exchange.url
    return [m for m in markers if m in answer and m not in asked]


def check_no_leak(name: str, exchange: Exchange, markers) -> None:
    found = leaked(exchange, markers)
    if found:
        tally(name).leaks += 1
        at = exchange.text.find(found[0])
        context = exchange.text[max(0, at - 200) : at + 100]
        raise AssertionError(f"leak of {found}: {exchange.reproduction()} → {exchange.status}: …{context}…")


def json_message(exchange: Exchange) -> bool:
    """A JSON answer that says something: a field, non_field_errors or detail message."""
    try:
        body = json.loads(exchange.text)
    except ValueError:
        return False

    def says(value) -> bool:
        if isinstance(value, str):
            return bool(value.strip())
        if isinstance(value, list):
            return any(says(v) for v in value)
        if isinstance(value, dict):
            return any(says(v) for v in value.values())
        return False

    return isinstance(body, dict | list) and says(body)


def check_refusal(name: str, exchange: Exchange, change: Diff, *, said: bool) -> None:
    """A refusal: a message, and not one row written."""
    counts = tally(name)
    if change.writes:
        counts.writes_on_refusal += 1
        raise AssertionError(f"written on a refusal ({exchange.status}: {change}): {exchange.reproduction()}")
    if not said:
        counts.silent_refusals += 1
        answer = exchange.text[:600]
        raise AssertionError(
            f"refused without a message ({exchange.status}): {exchange.reproduction()} → {answer}"
        )


def check_scope(name: str, exchange: Exchange, change: Diff, hoods) -> None:
    wrong = out_of_scope(change, hoods)
    if wrong:
        tally(name).out_of_scope += 1
        raise AssertionError(
            f"written outside the user's neighbourhoods ({wrong}): {exchange.reproduction()}"
        )
    states = review_states_written(change) - {"draft", "submitted"}
    if states:
        tally(name).out_of_scope += 1
        raise AssertionError(f"field staff wrote a record {states}: {exchange.reproduction()}")


def form_errors_said(response) -> tuple[list[str], list[str]]:
    """The errors of the page's form and formset, and those of them the page does not show."""
    context = response.context
    if context is None:
        return [], []
    page = response.content.decode("utf-8", "replace")
    errors: list[str] = []
    form = context.get("form")
    formset = context.get("formset")
    if form is not None:
        for messages in form.errors.values():
            errors += [str(m) for m in messages]
    if formset is not None:
        errors += [str(m) for m in formset.non_form_errors()]
        for subform in formset.forms:
            for messages in subform.errors.values():
                errors += [str(m) for m in messages]
    unsaid = [m for m in errors if html.escape(m) not in page and m not in page]
    return errors, unsaid


def flash_messages(response) -> list[str]:
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]


# --- values ---------------------------------------------------------------------------------------


class Raw(str):
    """A JSON token written as is (1e999999, a 5,000-digit number)."""


def dump(value) -> str:
    """JSON text of `value`, NaN, Infinity, lone surrogates and `Raw` tokens included."""
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # ASCII: a lone surrogate is written \ud800
    if isinstance(value, list | tuple):
        return "[" + ",".join(dump(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def jsonable(value):
    """A valid value as the API takes it: dates and decimals as strings."""
    if isinstance(value, datetime.date | Decimal | uuid.UUID):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def today() -> datetime.date:
    return timezone.localdate()


HOSTILE_NUMBERS = [
    "²",
    "٣",
    "１２",
    "-1",
    "0",
    "-0",
    str(2**31),
    str(2**63),
    str(MAX_ID + 1),
    "9" * 40,
    "9" * 5000,
    "1e3",
    "1E+999999999",
    "1e-999999999",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "0x1A",
    "1_000",
    " 7 ",
    "1,5",
    "١٫٥",
    "0.000000000000000000000001",
    "1" * 30 + ".5",
    "3.14159265358979323846264338327950288",
    "12.345",
    "-0.01",
]
HOSTILE_DATES = [
    "0001-01-01",
    "9999-12-31",
    "2014-02-30",
    "2014-02-29",
    "2014-03-26",
    "2014-13-01",
    "2014-00-10",
    "10000-01-01",
    "-2014-04-01",
    "2014-4-1",
    "01/04/2014",
    "20140401",
    "2014-04-01T25:00:00",
    "2014-04-01\x00",
    "٢٠١٤-٠٤-٠١",
    "today",
]
HOSTILE_TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f\x08",
    "\u202e\u200b\ufeff\u2028",
    "x" * 10_000,
    "é" * 10_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE enterprises_job;--",
    "{{ 7|add:7 }}{% debug %}",
    "%s%n%x",
    "😀" * 300,
    "\r\n" * 200,
    "construction",
    "../../etc/passwd",
]
#: JSON values of every wrong type.
JSON_ODDITIES = [
    None,
    True,
    False,
    0,
    -1,
    2**31,
    2**63,
    -(2**63) - 1,
    10**30,
    1.5,
    -0.0,
    1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    [],
    {},
    [1],
    [[[]]],
    {"id": 1},
    {"$ne": None},
    "\ud800",
    "a\udfffb",
    Raw("1e999999"),
    Raw("-1e999999"),
    Raw("1" * 5000),
    Raw("0.1e-999999"),
]
FORM_EXTRA_KEYS = ["review_state", "created_by", "id", "csrfmiddlewaretoken", "neighbourhood", "pk", "draft"]
API_EXTRA_KEYS = [
    "review_state",
    "review_changed_by",
    "created_by",
    "id",
    "neighbourhood",
    "priorities",
    "pk",
]


@dataclass(frozen=True)
class Spec:
    """A field of a form or a serializer, and how to make valid and hostile values of it."""

    name: str
    type: str  # fk code codes choice date int decimal text bool lat lon photo
    ref: str = ""  # the world key of a foreign key; for a code: "adults" or "people"
    choices: tuple = ()
    lo: object = 0
    hi: object = 50
    max_length: int = 40
    optional: bool = False


def record_specs(kind: str, *, api: bool) -> list[Spec]:
    from enterprises.models import Business, EscService
    from fora.models import ForumSession

    specs = {
        "sessions": [
            Spec("forum", "fk", "forum"),
            Spec("project", "fk", "project"),
            Spec("kind", "choice", choices=tuple(ForumSession.Kind.values)),
            Spec("held_on", "date"),
            Spec("women", "int", lo=0, hi=40),
            Spec("men", "int", lo=0, hi=40),
            Spec("youth", "int", lo=0, hi=20),
            Spec("notes", "text", optional=True),
            Spec("selected_codes", "codes", "people", optional=True),
        ],
        "businesses": [
            Spec("name", "text", max_length=150),
            Spec("owner", "code", "people"),
            Spec("centre", "fk", "centre"),
            Spec("neighbourhood", "fk", "neighbourhood"),
            Spec("size", "choice", choices=tuple(Business.Size.values)),
            Spec("activity", "text", max_length=200),
            Spec("is_construction", "bool"),
            Spec("formed_on", "date"),
            Spec("status", "choice", choices=("planned", "created", "operating")),
        ],
        "jobs": [
            Spec("business", "fk", "business"),
            Spec("worker", "code", "adults"),
            Spec("role", "text", max_length=120),
            Spec("start_date", "date"),
            Spec("end_date", "date", optional=True),
            Spec("is_rehab_work", "bool"),
            Spec("site", "fk", "site", optional=True),
        ],
        "services": [
            Spec("centre", "fk", "centre"),
            Spec("kind", "choice", choices=tuple(EscService.Kind.values)),
            Spec("business", "fk", "business", optional=True),
            Spec("delivered_on", "date"),
            Spec("participants", "int", lo=1, hi=30),
            Spec("notes", "text", optional=True),
        ],
        "work": [
            Spec("site", "fk", "site"),
            Spec("date", "date"),
            Spec("completed_area_m2", "decimal", lo=Decimal("0.01"), hi=Decimal("50")),
            Spec("latitude", "lat", optional=True),
            Spec("longitude", "lon", optional=True),
            Spec("notes", "text", optional=True),
        ],
    }[kind]
    if kind == "work" and not api:
        specs.append(Spec("photo", "photo", optional=True))
    if api:
        specs += [Spec("submit", "bool"), Spec("token", "uuid", optional=True)]
    else:
        specs += [Spec("token", "uuid", optional=True)]
    return specs


OMIT = object()
plain_text = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=30
).filter(lambda s: s.strip() and "\x00" not in s)


def per_world(make):
    """A strategy of (spec, world) made once per world: building them per example is slow."""

    @functools.wraps(make)
    def made(spec: Spec, world: World):
        key = (make.__name__, spec)
        if key not in world.strategies:
            world.strategies[key] = make(spec, world)
        return world.strategies[key]

    return made


@per_world
def valid_value(spec: Spec, world: World):
    """A valid value of the field (a Python value: date, Decimal, bool, id…)."""
    if spec.type == "fk":
        strategy = st.just(world.own[spec.ref])
    elif spec.type == "code":
        strategy = st.sampled_from(world.adults if spec.ref == "adults" else world.people)
    elif spec.type == "codes":
        return st.lists(st.sampled_from(world.people), max_size=3, unique=True)
    elif spec.type == "choice":
        strategy = st.sampled_from(spec.choices)
    elif spec.type == "date":
        strategy = st.dates(FIRST_DAY, today())
    elif spec.type == "int":
        strategy = st.integers(spec.lo, spec.hi)
    elif spec.type == "decimal":
        strategy = st.decimals(spec.lo, spec.hi, places=2)
    elif spec.type == "text":  # blank, not null, when optional
        return st.one_of(st.just(""), plain_text) if spec.optional else plain_text
    elif spec.type == "bool":
        return st.booleans()
    elif spec.type == "uuid":
        strategy = st.uuids()
    elif spec.type == "lat":
        strategy = st.decimals(-90, 90, places=5)
    elif spec.type == "lon":
        strategy = st.decimals(-180, 180, places=5)
    elif spec.type == "photo":
        return st.one_of(
            st.none(), st.just("valid-jpeg").map(lambda _: photo_upload(tiny_jpeg(), "site.jpg"))
        )
    else:
        raise ValueError(spec.type)
    return st.one_of(st.none(), strategy) if spec.optional else strategy


def other_values(spec: Spec, world: World) -> list:
    """The other neighbourhood's ids and codes, and ids of the wrong kind, for this field."""
    if spec.type == "fk":
        wrong = [world.other[spec.ref]] + [v for k, v in world.own.items() if k != spec.ref]
        if spec.ref == "business":
            wrong.insert(1, world.own["closed_business"])
        return wrong
    if spec.type in ("code", "codes"):
        own = world.adults[0]
        return [*world.other_codes, own.lower(), f"  {own} Marie", "BA-" + "0" * 40, "%", "BA-%", "_A-0001"]
    return []


@per_world
def hostile_string(spec: Spec, world: World):
    """A hostile text value for the field (a form field is text)."""
    by_type = {
        "fk": ["0", "-1", str(MAX_ID + 1), "9" * 30, "²", "٣", "1.0", "1e2", " 1", "", "null"],
        "code": ["", "\x00", "BA-0001\x00", "x" * 10_000],
        "codes": ["\n\n", ",,,", "\x00", ",".join(["BA-00001"] * 600), "x" * 10_000],
        "date": HOSTILE_DATES + [(today() + datetime.timedelta(days=1)).isoformat()],
        "int": HOSTILE_NUMBERS,
        "decimal": HOSTILE_NUMBERS + ["0.005", "500.01", "1000000000000.00", "0e0"],
        "lat": HOSTILE_NUMBERS + ["90.000001", "-90.00001", "91", "1e2"],
        "lon": HOSTILE_NUMBERS + ["180.00001", "-181"],
        "choice": ["", "VERIFIED", "verified", "closed", "x" * 10_000, "\x00"],
        "text": HOSTILE_TEXTS,
        "bool": ["maybe", "2", "null", "", "false", "0", "False", "on\x00"],
        "uuid": ["not-a-uuid", "0" * 32, "{12345678-1234-5678-1234-567812345678}", "urn:uuid:1", "\x00", ""],
        "photo": ["not a file", ""],
    }[spec.type]
    others = [str(v) for v in other_values(spec, world)]
    return st.one_of(
        st.sampled_from(others + by_type) if others else st.sampled_from(by_type),
        st.sampled_from(HOSTILE_TEXTS + HOSTILE_NUMBERS + HOSTILE_DATES),
        st.text(max_size=30),
        st.integers().map(str),
        st.binary(max_size=12).map(lambda b: b.decode("latin-1")),
    )


@per_world
def hostile_form_value(spec: Spec, world: World):
    """What a hostile form sends for a field: text, several values, a file, or nothing."""
    single = hostile_string(spec, world)
    return st.one_of(
        single,
        st.just(OMIT),
        st.lists(single, min_size=2, max_size=3),
        hostile_uploads(),
    )


#: Strings only JSON can carry (a lone surrogate, written \ud800) and NUL.
JSON_STRINGS = ["\ud800", "x\udfffy", "\udbff\udfff\ud800", "\x00", "a\x00\ud800"]


@per_world
def hostile_json_value(spec: Spec, world: World):
    others = other_values(spec, world)
    return st.one_of(
        hostile_string(spec, world),
        st.sampled_from(JSON_STRINGS),
        st.just(OMIT),
        st.sampled_from(JSON_ODDITIES + others) if others else st.sampled_from(JSON_ODDITIES),
        st.integers(),
        st.floats(),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda children: (
                st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
            ),
            max_leaves=8,
        ),
        st.lists(hostile_string(spec, world), min_size=1, max_size=3),
    )


def form_text(value):
    """A valid Python value as a form sends it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else OMIT
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "\n".join(value)
    if isinstance(value, SimpleUploadedFile):
        return value
    return str(value)


@st.composite
def form_bodies(draw, specs: list[Spec], world: World):
    """A form's fields: all valid but those of a drawn set, which are hostile or left out; maybe
    a field the form does not have."""
    broken = draw(some_broken([s.name for s in specs]), label="broken")
    body = {}
    for spec in specs:
        value = (
            draw(hostile_form_value(spec, world))
            if spec.name in broken
            else form_text(draw(valid_value(spec, world)))
        )
        if value is not OMIT:
            body[spec.name] = value
    both_or_neither(body, broken, blank="")
    keys = st.one_of(st.sampled_from(FORM_EXTRA_KEYS), st.text(max_size=8))
    extras = draw(st.dictionaries(keys, hostile_string(Spec("x", "text"), world), max_size=2), label="extras")
    return body | extras


@st.composite
def api_bodies(draw, specs: list[Spec], world: World, *, partial: bool = False):
    """A JSON body: valid values but for a drawn set of hostile or missing fields; in a PATCH
    (`partial`) only a drawn subset of the fields; maybe read-only fields (review_state…)."""
    names = [s.name for s in specs]
    kept = set(names) if not partial else draw(st.sets(st.sampled_from(names), min_size=1), label="fields")
    broken = draw(some_broken(names), label="broken")
    body = {}
    for spec in specs:
        if spec.name not in kept:
            continue
        value = (
            draw(hostile_json_value(spec, world))
            if spec.name in broken
            else jsonable(draw(valid_value(spec, world)))
        )
        if value is not OMIT:
            body[spec.name] = value
    both_or_neither(body, broken, blank=None)
    keys = st.one_of(st.sampled_from(API_EXTRA_KEYS), st.sampled_from(JSON_STRINGS), st.text(max_size=8))
    values = st.one_of(
        st.sampled_from(["verified", "returned", "battery-manager", world.other["neighbourhood"]]),
        hostile_json_value(Spec("x", "text"), world).filter(lambda v: v is not OMIT),
    )
    extras = draw(st.dictionaries(keys, values, max_size=2), label="extras")
    return body | extras


def both_or_neither(body: dict, broken, *, blank) -> None:
    """Valid coordinates are a pair: a valid latitude without its longitude is dropped too."""
    if "latitude" in body and not {"latitude", "longitude"} & set(broken):
        if body.get("latitude") == blank or body.get("longitude") == blank:
            body["latitude"] = body["longitude"] = blank


def some_broken(names: list[str]):
    """The fields to break: none half the time (the body valid, its extras alone hostile: they
    reach the service then), else one to three."""
    return st.one_of(st.just(frozenset()), st.frozensets(st.sampled_from(names), min_size=1, max_size=3))


@st.composite
def priorities_formset(draw, world: World, existing=None):
    """The session form's formset of ranked priorities: management form and rows, valid but for
    a drawn set of hostile or missing fields (the other neighbourhood's priority id among them)."""
    from fora.models import StructureKind

    rows = draw(st.integers(0, 3), label="priority rows")
    initial = 1 if existing is not None and rows else 0
    data = {
        "priorities-TOTAL_FORMS": str(rows),
        "priorities-INITIAL_FORMS": str(initial),
        "priorities-MIN_NUM_FORMS": "0",
        "priorities-MAX_NUM_FORMS": "20",
    }
    for i in range(rows):
        data[f"priorities-{i}-rank"] = str(i + 1)
        data[f"priorities-{i}-name"] = draw(plain_text)
        data[f"priorities-{i}-kind"] = draw(st.sampled_from(StructureKind.values))
        data[f"priorities-{i}-estimated_area_m2"] = str(
            draw(st.one_of(st.just(""), st.decimals(1, 500, places=2)))
        )
        data[f"priorities-{i}-id"] = str(existing.pk) if i == 0 and initial else ""
    broken = draw(
        some_broken(sorted(data) + ["priorities-0-DELETE", "priorities-0-id"]),
        label="broken priorities",
    )
    # Beyond max_num (20) but not a thousand: a forged count of a thousand renders a thousand rows
    # (4 MB, seconds; `test_a_forged_count_of_priorities_renders_at_most_twenty_rows`).
    numbers = st.sampled_from(["21", "-1", "²", "", "x", "3", "1e1", "٣", " 2 "])
    ids = st.sampled_from([str(world.other["priority"]), str(world.own["priority"]), "0", "²", "9" * 30, ""])
    for key in sorted(broken):  # a set: its order changes with PYTHONHASHSEED, the draws must not
        if key.endswith(("_FORMS",)):
            value = draw(st.one_of(numbers, st.just(OMIT)))
        elif key.endswith("-id"):
            value = draw(ids)
        elif key.endswith("-rank"):
            value = draw(st.sampled_from(["1", "0", "-1", "65536", "²", "", "1.5"]))
        elif key.endswith("-DELETE"):
            value = draw(st.sampled_from(["on", "x"]))
        else:
            value = draw(
                st.one_of(
                    hostile_string(Spec("x", "decimal" if "area" in key else "text"), world), st.just(OMIT)
                )
            )
        if value is OMIT:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# --- files ----------------------------------------------------------------------------------------


def tiny_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG of only a header claiming `width` × `height` pixels (no pixel data)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def photo_upload(content: bytes, name: str, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def hostile_uploads():
    contents = st.sampled_from(
        [
            b"",
            b"not an image at all",
            tiny_jpeg()[:40],  # truncated
            tiny_jpeg() + b"<?php system($_GET['c']); ?>",
            png_header(100_000, 100_000),  # a bomb by its header
            png_header(0, 0),
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        ]
    )
    names = st.sampled_from(
        ["photo.jpg", "../../etc/passwd", "a" * 300 + ".jpg", "x.php", "noext", ".jpg", "é😀.png"]
    )
    return st.builds(lambda c, n: photo_upload(c, n), contents, names)


def form_sent(data: dict) -> tuple[str, str]:
    """A form's fields in full (what the request carried, for the leak check) and shortened (for
    a reproduction)."""
    fields = {}
    for key, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)
            fields[key] = f"<file {value.name!r} {value.read()[:60]!r}>"
            value.seek(0)
        else:
            fields[key] = value
    return repr(fields), describe(fields)


def urlencoded(data: dict) -> str:
    return urlencode([(k, v) for k, v in data.items() if not isinstance(v, SimpleUploadedFile)], doseq=True)


def set_state(record, state: str) -> None:
    """Put a record in a review state for one example (with its date, as the database asks)."""
    changed_at = None if state == "draft" else timezone.now() - datetime.timedelta(hours=1)
    type(record).objects.filter(pk=record.pk).update(review_state=state, review_changed_at=changed_at)
