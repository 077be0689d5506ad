"""The pages whose query count must not grow with the data, and how their queries are counted.

Shared by `programs/tests/test_query_counts.py` (small vs 5× data, in `make test`) and the
benchmark (scale 1 vs scale 1000). A page whose URL name does not resolve is not built yet: it is
listed as such instead of measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

#: The families of the issue's ratio 2 ("queries per page"), plus the admin lists.
FAMILIES = ("dashboard", "drill-down", "field list", "review queue", "api list", "export", "admin list")
FIELD_KINDS = ("sessions", "businesses", "jobs", "services", "work")
FIGURES = (
    "businesses",
    "youth_jobs",
    "rehabilitated_m2",
    "forum_sessions",
    "structures",
    "beneficiaries",
    "esc_services",
)


@dataclass(frozen=True)
class Page:
    family: str
    name: str
    url_name: str
    user: str  # "admin", "manager" or "field"
    kwargs: dict = field(default_factory=dict, hash=False, compare=False)
    query: str = ""

    def url(self) -> str | None:
        """The page's URL, or None while its view does not exist."""
        try:
            return reverse(self.url_name, kwargs=self.kwargs) + self.query
        except NoReverseMatch:
            return None


def api_list_url_names() -> list[str]:
    """Every `<namespace>:<basename>-list` route without arguments (DRF routers' list views)."""
    names = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
                walk(entry.url_patterns, inner or namespace)
            elif isinstance(entry, URLPattern) and entry.name and entry.name.endswith("-list"):
                if entry.pattern.regex.groups == 0:
                    names.append(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


def pages(project_pk: int) -> list[Page]:
    """The measured pages; drill-downs and exports are of project `project_pk`."""
    found = [
        Page("dashboard", "dashboard (manager)", "dashboard:index", "manager"),
        Page("dashboard", "dashboard (field staff)", "dashboard:index", "field"),
        Page("review queue", "review queue (manager)", "field:review", "manager"),
        Page("field list", "field home (field staff)", "field:home", "field"),
    ]
    for kind in FIELD_KINDS:
        for user, label in (("admin", "administrator"), ("field", "field staff")):
            found.append(
                Page("field list", f"field list {kind} ({label})", "field:list", user, {"kind_slug": kind})
            )
    found.append(
        Page(
            "field list",
            "field list jobs, submitted (admin)",
            "field:list",
            "admin",
            {"kind_slug": "jobs"},
            "?state=submitted",
        )  # fmt: skip
    )
    for figure in FIGURES:
        found.append(
            Page(
                "drill-down",
                f"drill-down {figure} (manager)",
                "dashboard:figure",
                "manager",
                {"project_pk": project_pk, "figure": figure},
            )  # fmt: skip
        )
    found.append(
        Page(
            "drill-down",
            "drill-down youth_jobs (field staff)",
            "dashboard:figure",
            "field",
            {"project_pk": project_pk, "figure": "youth_jobs"},
        )  # fmt: skip
    )
    found += [
        Page("export", "dashboard export csv (manager)", "dashboard:export", "manager", {"fmt": "csv"}),
        Page(
            "export",
            "drill-down export youth_jobs csv (manager)",
            "dashboard:figure-export",
            "manager",
            {"project_pk": project_pk, "figure": "youth_jobs", "fmt": "csv"},
        ),  # fmt: skip
        Page("export", "IATI activities XML", "interop:iati-activities", "manager"),
        Page(
            "admin list",
            "admin beneficiaries (administrator)",
            "admin:beneficiaries_beneficiary_changelist",
            "admin",
        ),  # fmt: skip
        Page("admin list", "admin jobs (administrator)", "admin:enterprises_job_changelist", "admin"),
    ]
    for name in api_list_url_names():
        found.append(Page("api list", f"API {name} (manager)", name, "manager"))
        found.append(Page("api list", f"API {name} (field staff)", name, "field"))
    return found


def count_queries(client, url: str) -> tuple[int, int]:
    """(status, number of queries) of a GET of `url`, after one warm-up request. Cached dashboard
    boards are invalidated first: the count is that of a page rendered, the worst case."""
    from dashboard import boards

    drain(client.get(url))
    boards.bump()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        drain(response)
    return response.status_code, len(queries)


def drain(response) -> None:
    """Read a streamed body to its end, so that its queries run."""
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass
