"""Production mode refuses to start without its secrets and turns on the safe defaults; the deploy/
files parse (Docker cannot run on the build machines, so the compose file is checked as YAML)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[4]
DEPLOY = ROOT / "deploy"
PRINT = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='lapor.settings'; django.setup(); "
    "from django.conf import settings as s; "
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.LAPOR_STAFF_2FA, "
    "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
)


def _run(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    base.update({"LAPOR_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT / "src")}, **env)
    return subprocess.run([sys.executable, "-c", PRINT], env=base, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("missing", ["LAPOR_SECRET_KEY", "LAPOR_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    env = {
        "LAPOR_ENV": "production",
        "LAPOR_SECRET_KEY": "x" * 50,
        "LAPOR_ALLOWED_HOSTS": "lapor.example.go.id",
        "LAPOR_DEBUG": "1",
    }
    del env[missing]
    res = _run(tmp_path, **env)
    assert res.returncode != 0 and f"requires {missing}" in res.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    res = _run(tmp_path, LAPOR_ENV="production", LAPOR_SECRET_KEY="pendek", LAPOR_ALLOWED_HOSTS="a.example")
    assert res.returncode != 0 and "at least 32" in res.stderr


def test_production_turns_debug_off_and_cookies_secure_with_hsts(tmp_path):
    res = _run(
        tmp_path,
        LAPOR_ENV="production",
        LAPOR_SECRET_KEY="x" * 50,
        LAPOR_ALLOWED_HOSTS="a.example",
        LAPOR_DEBUG="1",
        LAPOR_STAFF_2FA="0",
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "True", "True", "31536000", "True", "True", "Lax"]


def test_embedded_default_keeps_plain_http_cookies_and_no_hsts(tmp_path):
    res = _run(tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "False", "False", "0", "True", "True", "Lax"]


def test_hsts_and_secure_cookies_on_an_https_request(net, client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    res = client.post("/masuk/", {"login": "budi@warga.example", "password": "rahasia-123"}, secure=True)
    assert res.status_code == 302
    cookie = res.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    page = client.get("/", secure=True)
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page["X-Content-Type-Options"] == "nosniff" and page["Referrer-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in client.get("/")  # never over plain HTTP


def test_the_compose_file_has_every_service_with_a_health_check_and_required_secrets():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15") and services["redis"]["image"].startswith("redis:7")
    for name in ("db", "redis", "web", "worker", "beat"):
        assert services[name]["healthcheck"]["test"], name
    env = services["web"]["environment"]
    assert env["LAPOR_ENV"] == "production"
    for secret in ("LAPOR_SECRET_KEY", "LAPOR_ALLOWED_HOSTS"):
        assert ":?" in env[secret], f"{secret} must be required, not defaulted"
    assert services["worker"]["environment"] == env and services["beat"]["environment"] == env
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_dockerfile_runs_gunicorn_as_a_non_root_user_with_a_health_check():
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "USER lapor" in text and "collectstatic" in text and "/healthz" in text and "gunicorn" in text
