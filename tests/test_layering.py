"""The house's floors (docs/architecture.md): each app imports only the floors below it, at module
level and inside functions alike; no cycle between apps; no module longer than it has jobs for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: From the ground up. An app may import the apps of lower floors, and on its own floor only
#: those named in SAME_FLOOR (one way), never one above.
FLOORS = [
    ["programs", "accounts"],
    ["beneficiaries"],
    ["fora", "enterprises", "rehab"],
    ["progress"],
    ["field", "dashboard", "interop", "notifications", "reports"],
    ["demo", "bench"],
]
SAME_FLOOR = {("accounts", "programs"), ("enterprises", "fora"), ("rehab", "fora"), ("rehab", "enterprises")}
PROJECT_APPS = {app for floor in FLOORS for app in floor}
MAX_LINES = 400


def floor_of(app: str) -> int:
    return next(level for level, apps in enumerate(FLOORS) if app in apps)


def project_modules():
    """Every Python module of the project's apps, less tests and migrations."""
    for app in sorted(PROJECT_APPS):
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield app, path


#: Calls that import by name at run time: `import_module("app.x")`, `apps.get_model("app", "Model")`
#: or `get_model("app.Model")`, `__import__("app")`: an import all the same.
DYNAMIC_IMPORTS = {"import_module", "get_model", "__import__"}


def dynamic_import(node: ast.AST) -> str | None:
    """The module or app a call imports by a literal name, or None."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    first = node.args[0]
    if name in DYNAMIC_IMPORTS and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def imported_apps(path: Path) -> set[tuple[str, int]]:
    """(app, line) of every import of another project app, module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif dynamic := dynamic_import(node):
            names = [dynamic]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in PROJECT_APPS:
                found.add((top, node.lineno))
    return found


def app_imports() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for app, path in project_modules():
        for other, line in imported_apps(path):
            if other != app:
                edges.setdefault((app, other), []).append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def test_the_layering_finds_the_imports_it_checks():
    """The checker itself: it sees the field apps importing the ground floor."""
    edges = app_imports()
    assert ("enterprises", "programs") in edges
    assert ("progress", "enterprises") in edges


def test_imports_inside_functions_and_by_name_are_found(tmp_path):
    """The checker sees an import in a function, in a method, and one made by name at run time."""
    module = tmp_path / "module.py"
    module.write_text(
        "import django.apps\n"
        "def count():\n"
        "    from enterprises.models import Job\n"
        "class Counter:\n"
        "    def rows(self):\n"
        "        import rehab.models\n"
        "def late():\n"
        "    return django.apps.apps.get_model('progress', 'ProgressSnapshot')\n"
        "def later():\n"
        "    from importlib import import_module\n"
        "    return import_module('dashboard.selectors')\n"
    )
    assert imported_apps(module) == {("enterprises", 3), ("rehab", 6), ("progress", 8), ("dashboard", 11)}


def test_programs_imports_no_other_app_of_the_project():
    edges = {pair: where for pair, where in app_imports().items() if pair[0] == "programs"}
    assert edges == {}


@pytest.mark.parametrize("app", sorted(PROJECT_APPS))
def test_an_app_imports_only_the_floors_below_it(app):
    upwards = {
        other: where
        for (source, other), where in app_imports().items()
        if source == app
        and (
            floor_of(other) > floor_of(app)
            or (floor_of(other) == floor_of(app) and (app, other) not in SAME_FLOOR)
        )
    }
    assert upwards == {}


def test_no_import_cycle_between_apps():
    graph: dict[str, set[str]] = {}
    for source, other in app_imports():
        graph.setdefault(source, set()).add(other)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(app for app in graph if reaches(app, app, {app}))
    assert cycles == []


def test_no_module_is_longer_than_its_jobs():
    long = {
        str(path.relative_to(ROOT)): lines
        for _app, path in project_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    long |= {
        str(path.relative_to(ROOT)): lines
        for folder in ("haiti_esc", "scripts")
        for path in (ROOT / folder).rglob("*.py")
        if "tests" not in path.parts and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_app_of_the_project_has_its_floor():
    """A new app is checked from its first line: each folder holding an apps.py is on a floor."""
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps - PROJECT_APPS == set()


def test_the_security_scan_covers_every_app():
    """`make test` and `make lint` run bandit over APPS: every app and the project package."""
    makefile = (ROOT / "Makefile").read_text()
    (line,) = [line for line in makefile.splitlines() if line.startswith("APPS :=")]
    scanned = set(line.removeprefix("APPS :=").split())
    assert (PROJECT_APPS | {"haiti_esc"}) - scanned == set()
