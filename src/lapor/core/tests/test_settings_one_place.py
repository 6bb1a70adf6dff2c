"""Every setting and every periodic job lives in settings.py, and docs/architecture.md names them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2]  # src/lapor
DOC = SRC.parents[1] / "docs" / "architecture.md"
# these only name the settings module, or hand the environment on to a child process
MAY_TOUCH_ENVIRON = {"cli.py", "wsgi.py", "celery.py", "core/management/commands/serve.py"}


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/tests/" in f"/{rel}" or rel in ("settings.py", "conftest.py") or "/migrations/" in f"/{rel}":
            continue
        yield rel, path.read_text()


def test_no_module_but_settings_reads_the_environment():
    readers = [
        rel
        for rel, text in _modules()
        if rel not in MAY_TOUCH_ENVIRON and re.search(r"\bos\.(environ|getenv)\b|\bgetenv\(", text)
    ]
    assert readers == []


def test_no_app_config_adds_jobs_or_edits_settings():
    offenders = []
    for rel, text in _modules():
        if not rel.endswith("apps.py"):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and node.name == "ready":
                body = ast.unparse(node)
                if "CELERY_BEAT_SCHEDULE" in body or re.search(r"settings\.\w+\s*=", body) or "setdefault" in body:
                    offenders.append(rel)
    assert offenders == []


def test_every_job_and_every_variable_is_in_the_architecture_table():
    doc = DOC.read_text()
    table = doc[doc.index("## Configuration: every setting and every periodic job") :]
    assert [job for job in settings.CELERY_BEAT_SCHEDULE if f"| {job} |" not in table] == []
    assert "intake-imap-poll" in table
    names = set(
        re.findall(r"""(?:env_\w+|environ\.get|environ\[)\(?["'](\w+)["']""", (SRC / "settings.py").read_text())
    )
    assert names, "the pattern found no variable in settings.py"
    assert sorted(name for name in names if f"`{name}`" not in table) == []
