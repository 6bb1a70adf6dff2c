"""Issue 16: every error code an endpoint can answer is listed in docs/api.md. The codes are read
from the source (``code="…"`` on any error, and the handlers' own in api/errors.py), so a new code
fails here until it is documented."""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
DOCS = SRC.parents[1] / "docs" / "api.md"


def codes_in_source() -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg == "code" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    found.add(kw.value.value)
            name = getattr(node.func, "id", "")
            if name == "_body" and node.args and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    return found


def test_every_error_code_is_in_the_api_docs():
    docs = DOCS.read_text()
    codes = codes_in_source()
    assert len(codes) > 50
    missing = sorted(c for c in codes if f"`{c}`" not in docs)
    assert not missing, f"document these error codes in docs/api.md (the table under 'Error codes'): {missing}"
