"""Rooms depend downwards (docs/architecture.md, "Import direction"): no new two-way import loop
between apps. Every import counts, at the top of a module or inside a function; tests and
migrations do not. ``lapor/api/api.py`` is the project's API root (it mounts every app's router,
as ``lapor/urls.py`` mounts every app's pages) and counts as the root, not as the ``api`` app.

TODAY lists the loops that remain, each with the reason it is still there. A new loop fails; a loop
that is gone must leave the list too (so the list only shrinks)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/lapor
ROOT_MODULES = {"api/api.py"}

TODAY: dict[tuple[str, str], str] = {}  # none left (issue #18: docs/architecture.md, "Import direction")
# The rooms from the bottom, as docs/architecture.md's table lists them: a room imports only rooms
# below its own line (a higher one is asked through settings.LAPOR_HOOKS or a signal).
ROOMS = [
    {"core"},
    {"api"},
    {"agencies"},
    {"accounts"},
    {"reports"},
    {"routing", "notifications"},
    {"intake", "analytics", "partners"},
    {"web", "demo"},
]


def _app_of(rel: Path) -> str | None:
    if rel.as_posix() in ROOT_MODULES or len(rel.parts) < 2:
        return None
    return rel.parts[0]


def app_imports() -> dict[str, set[str]]:
    apps = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    edges: dict[str, set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        app = _app_of(rel)
        if app is None or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level:
                package = list(rel.parts[:-1])[: len(rel.parts) - node.level]
                names = [".".join(["lapor", *package, *([node.module] if node.module else [])])]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "lapor" and len(parts) > 1 and parts[1] in apps and parts[1] != app:
                    edges[app].add(parts[1])
    return edges


def two_way_loops() -> set[tuple[str, str]]:
    edges = app_imports()
    return {tuple(sorted((a, b))) for a, targets in edges.items() for b in targets if a in edges.get(b, ())}


def test_no_new_two_way_import_loop_between_apps():
    loops = two_way_loops()
    assert sorted(loops - set(TODAY)) == [], "a new two-way import loop: import downwards (docs/architecture.md)"


def test_the_list_of_todays_loops_only_shrinks():
    assert sorted(set(TODAY) - two_way_loops()) == [], "this loop is gone: take it off TODAY"


def test_every_room_imports_only_rooms_below_it():
    level = {app: n for n, rooms in enumerate(ROOMS) for app in rooms}
    apps = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert sorted(apps - set(level)) == [], "a new app: give it its line in ROOMS and in docs/architecture.md"
    upward = sorted(f"{a} -> {b}" for a, targets in app_imports().items() for b in targets if level[b] >= level[a])
    assert upward == [], "import downwards, or ask the higher room through settings.LAPOR_HOOKS"


def test_core_knows_no_domain_app_at_run_time():
    """core imports no domain app: the error page, the scheduler's evidence, serve's preloads and every
    hook are settings; the test factories (accounts/testing.py), the network builder
    (agencies/network.py) and the setup command (accounts) live in the rooms they build."""
    domain = {"agencies", "accounts", "reports", "routing", "notifications", "intake", "analytics", "partners", "web"}
    offenders = []
    for path in (SRC / "core").rglob("*.py"):
        rel = path.relative_to(SRC / "core").as_posix()
        if rel.startswith("tests/"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            module = node.module if isinstance(node, ast.ImportFrom) and not node.level else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
            offenders += [f"{rel}: {n}" for n in names if n.split(".")[:2][-1] in domain and n.startswith("lapor.")]
    assert offenders == []
