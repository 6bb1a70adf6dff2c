"""An import inside a function says why it is not at the top of its module (issue #18): a heavy
library loaded only when used, the app registry not ready when the module loads, or an import
cycle inside one app. The reason is a ``#`` comment on the import's line (or the line above).
Tests, migrations and the pytest conftest are test code and keep their own imports."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/lapor


def inline_imports_without_reason(source: str) -> list[int]:
    """The line numbers of the function-level imports in ``source`` that give no reason."""
    lines = source.splitlines()
    found: list[int] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, (ast.Import, ast.ImportFrom)):
                own = lines[child.lineno - 1 : child.end_lineno]
                above = lines[child.lineno - 2].strip() if child.lineno > 1 else ""
                if not any("#" in line for line in own) and not above.startswith("#"):
                    found.append(child.lineno)
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse(source), False)
    return found


def source_files() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(SRC).parts) and path.name != "conftest.py"
    ]


def test_every_function_level_import_says_why_it_is_not_at_the_top():
    missing = [
        f"{path.relative_to(SRC)}:{line}"
        for path in source_files()
        for line in inline_imports_without_reason(path.read_text())
    ]
    assert missing == [], "move these imports to the top of their module, or say why they stay: " + ", ".join(missing)


def test_the_check_finds_an_import_without_a_reason():
    source = (
        "import os\n\n\n"
        "def a():\n    from json import dumps\n\n    return dumps\n\n\n"
        "def b():\n    import pikepdf  # heavy: only when cleaning a PDF\n\n    return pikepdf\n\n\n"
        "def c():\n    # cycle: services imports this module\n    from .services import x\n\n    return x\n\n\n"
        "class D:\n    def e(self):\n        import csv\n\n        return csv\n"
    )
    assert inline_imports_without_reason(source) == [5, 25]


def test_the_walk_covers_the_apps_and_leaves_out_test_code():
    files = {path.relative_to(SRC).as_posix() for path in source_files()}
    assert {"reports/services.py", "analytics/pdf.py", "core/management/commands/serve.py"} <= files
    assert not any("/tests/" in name or "/migrations/" in name or name.endswith("conftest.py") for name in files)
