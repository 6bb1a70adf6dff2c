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


def _defined_settings() -> set[str]:
    """The names settings.py assigns at module level, and Django's own defaults."""
    from django.conf import global_settings

    names = {name for name in dir(global_settings) if name.isupper()}
    for node in ast.parse((SRC / "settings.py").read_text()).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _defaults_repeated(text: str, defined: set[str]) -> list[str]:
    """``getattr(settings, "X", default)`` where settings already defines X: a second default."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"):
            continue
        if len(node.args) != 3 or not ast.unparse(node.args[0]).endswith("settings"):
            continue
        name = node.args[1]
        if isinstance(name, ast.Constant) and isinstance(name.value, str) and name.value in defined:
            found.append(f"{name.value} (line {node.lineno})")
    return found


def test_no_module_repeats_a_default_that_settings_defines():
    defined = _defined_settings()
    assert {"LAPOR_PUBLIC_URL", "LAPOR_ROUTING_MIN_COMPARE", "EMAIL_HOST"} <= defined
    # the check finds what it is meant to find, and leaves a name settings.py lacks alone
    sample = 'x = getattr(settings, "LAPOR_PUBLIC_URL", "")\ny = getattr(settings, "LAPOR_NOT_A_SETTING", 1)\n'
    assert _defaults_repeated(sample, defined) == ["LAPOR_PUBLIC_URL (line 1)"]
    offenders = {rel: found for rel, text in _modules() if (found := _defaults_repeated(text, defined))}
    assert offenders == {}
