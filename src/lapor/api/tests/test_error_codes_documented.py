"""Issue 16: every error code an endpoint can answer is listed in docs/api.md. The codes are read
from the source (``code="…"`` on any error, and the handlers' own in api/errors.py), so a new code
fails here until it is documented."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
DOCS = SRC.parents[1] / "docs" / "api.md"


def _text(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def codes_in_source() -> set[str]:
    """``code="…"`` given to any call, ``{"code": "…"}`` in a body, ``code = "…"`` on an error class,
    and the first argument of the API handlers' ``_body``/``_refuse``/``error_response``."""
    found = set()
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                found.update(_text(kw.value) for kw in node.keywords if kw.arg == "code")
                name = getattr(node.func, "id", "")
                if name in ("_body", "_refuse") and node.args:
                    found.add(_text(node.args[-2] if name == "_refuse" and len(node.args) >= 3 else node.args[0]))
            elif isinstance(node, ast.Dict):
                found.update(_text(v) for k, v in zip(node.keys, node.values) if k is not None and _text(k) == "code")
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == "code" for t in stmt.targets):
                        found.add(_text(stmt.value))
    found.discard(None)
    return {c for c in found if c.replace("_", "").isalpha() and c.islower()}


def test_every_error_code_is_in_the_api_docs():
    from lapor.web.views.errors import TITLES  # the default codes of error_response (400, 405, 500 …)

    docs = DOCS.read_text()
    codes = codes_in_source() | {code for code, _title, _message in TITLES.values()}
    assert len(codes) > 50
    missing = sorted(c for c in codes if f"`{c}`" not in docs)
    assert not missing, f"document these error codes in docs/api.md (the table under 'Error codes'): {missing}"
