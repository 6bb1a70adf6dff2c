"""The role matrix for the overseer (Pengawas): read-only everywhere.

Every write operation of the OpenAPI schema (POST/PUT/PATCH/DELETE) and every URL of the URL
configuration sent a POST — both enumerated here from the schema and the resolver, so a new
endpoint is covered without editing this test — is called as the overseer, signed in with the
second step done (pages, and the API by session) and with an API token. None may succeed: 403 in
the person's language, and no row written anywhere. Only the overseer's own account operations
pass; they are listed below, each with its reason.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from lapor.accounts.readonly import OVERSEER_ALLOWED
from lapor.accounts.testing import signin_staff, submission_data, token_make, totp_code, totp_enrol
from lapor.reports import services as report_services

# The overseer's own account: (method, path as enumerated) -> why it is not a write on anyone else.
OWN_ACCOUNT = {
    ("POST", "/masuk/"): "signing in",
    ("POST", "/masuk/kode/"): "the second sign-in step",
    ("POST", "/masuk/aktifkan/"): "enrolling one's own authenticator",
    ("POST", "/keluar/"): "signing out",
    ("POST", "/i18n/setlang/"): "the page language",
    ("POST", "/saya/pengaturan/"): "own language and notification channels",
    ("POST", "/saya/keamanan/sesi/{session_id}/keluar/"): "signing one of one's own other browsers out",
    ("POST", "/saya/keamanan/sesi/keluar-semua/"): "signing all one's own other browsers out",
    ("POST", "/api/auth/token"): "an API token for oneself (password and two-factor code)",
    ("POST", "/api/notifications/{notification_id}/read"): "marking one's own notification read",
    ("PUT", "/api/notifications/preferences"): "own notification preferences",
}

# Reads that are POSTs: a job that copies what the overseer may already open into a file for them.
READS = {
    ("POST", "/api/analytics/exports"): "a report-export or monthly-PDF job, in the overseer's scope",
    ("POST", "/analytics/ekspor"): "the same job from the report list's buttons",
}
EXEMPT = {**OWN_ACCOUNT, **READS}

SAMPLES = ["json", "1", "x", "x-1"]


def _sample(body: str, name: str, params: dict) -> str:
    words = [w for w in body.split("|") if re.fullmatch(r"[\w-]+", w)]
    for candidate in [params.get(name), *words, *SAMPLES]:
        if candidate and re.fullmatch(body, candidate):
            return candidate
    return "1"


def _regex_sample(regex: str, params: dict) -> str:
    regex = regex.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\A", "")
    out = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", lambda m: _sample(m.group(2), m.group(1), params), regex)
    out = re.sub(r"\(\?:([^()]*)\)\??", lambda m: m.group(1).split("|")[0], out)
    return out.replace("\\", "").replace("?", "").replace("$", "")


def _route_sample(route: str, params: dict) -> str:
    defaults = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001"}
    return re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: params.get(m.group(2)) or defaults.get(m.group(1) or "str", "x"), route
    )


def web_paths(params: dict, resolver=None, prefix: str = ""):
    """Every URL of the URL configuration outside /api/ (the schema covers those), as a path."""
    for p in (resolver or get_resolver()).url_patterns:
        pat = p.pattern
        piece = (
            _route_sample(str(pat), params)
            if isinstance(pat, RoutePattern)
            else _regex_sample(pat.regex.pattern, params)
        )
        if isinstance(p, URLResolver):
            yield from web_paths(params, p, prefix + piece)
        elif not (prefix + piece).startswith("api/"):
            yield "/" + prefix + piece


def api_write_operations() -> list[tuple[str, str]]:
    from lapor.api.api import api

    schema = api.get_openapi_schema()
    return [
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if method in ("post", "put", "patch", "delete")
    ]


def _row_counts() -> dict[str, int]:
    skip = {"sessions.session"}  # the overseer's own session
    return {
        m._meta.label_lower: m.objects.count()
        for m in apps.get_models()
        if m._meta.label_lower not in skip and not m._meta.proxy
    }


@pytest.fixture
def scene(net, client):
    overseer = net.user("overseer")
    overseer.is_staff = True  # even with access to the Django admin
    overseer.save(update_fields=["is_staff"])
    report, _secret = report_services.report_submit(
        submission=report_services.Submission(
            **{
                k: v
                for k, v in submission_data(is_anonymous=True).items()
                if k in ("title", "body", "type", "is_anonymous")
            },
            target_agency_id=net.dept.pk,
        ),
        reporter=net.user("reporter"),
    )
    totp_enrol(overseer)
    assert signin_staff(client, overseer)["Location"] == "/analytics/"  # an overseer reads: the dashboard first
    return {
        "overseer": overseer,
        "report": report,
        "token": token_make(overseer),
        "params": {"tracking_id": report.tracking_id, "agency_id": str(net.dept.pk)},
    }


def _assert_refused(res, where: str):
    assert res.status_code == 403, f"{where}: {res.status_code} {res.content[:200]!r}"
    text = res.content.decode()
    assert "Peran Pengawas hanya dapat melihat" in text, where


def test_every_api_write_operation_refuses_the_overseer_by_token_and_by_session(scene, client):
    from django.test import Client

    operations = api_write_operations()
    assert len(operations) > 30  # the schema was read, not an empty list
    params = scene["params"]
    bearer = Client()
    before = _row_counts()
    exempt_seen = set()
    for method, path in operations:
        if (method, path) in EXEMPT:
            exempt_seen.add((method, path))
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: params.get(m.group(1), "1"), path)
        for who, c, extra in (
            ("token", bearer, {"HTTP_AUTHORIZATION": f"Bearer {scene['token']}"}),
            ("session", client, {}),
        ):
            res = getattr(c, method.lower())(url, "{}", content_type="application/json", **extra)
            _assert_refused(res, f"{who} {method} {path}")
            assert res.json()["code"] == "read_only"
    assert _row_counts() == before  # no row written, by any of them
    assert exempt_seen == {k for k in EXEMPT if k[1].startswith("/api/")}


def test_every_web_url_refuses_a_post_by_the_overseer(scene, client):
    paths = sorted(set(web_paths(scene["params"])))
    assert "/petugas/laporan/{}/x/".format(scene["report"].tracking_id) in paths
    assert any(p.startswith("/admin/reports/") for p in paths) and "/intake/sms" in paths
    before = _row_counts()
    for path in paths:
        if ("POST", path) in EXEMPT or any(re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", own), path) for _m, own in EXEMPT):
            continue
        _assert_refused(client.post(path, {"body": "x", "note": "x"}), f"POST {path}")
    assert _row_counts() == before
    # The overseer's assisted intake (the reported hole) by name, in English for an English reader.
    from django.test import Client

    res = Client().post(
        "/api/intake/assisted",
        "{}",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        HTTP_AUTHORIZATION=f"Bearer {scene['token']}",
    )
    assert res.status_code == 403 and "read-only" in res.json()["message"].lower()


def test_the_exempt_list_is_exactly_the_own_account_operations_and_they_still_work(scene, client):
    assert len(OVERSEER_ALLOWED) == len(EXEMPT)
    for method, path in EXEMPT:
        url = re.sub(r"\{(\w+)\}", "7", path)
        assert any(m == method and pattern.match(url) for m, pattern, _reason in OVERSEER_ALLOWED), (method, path)
    overseer = scene["overseer"]
    assert client.post("/saya/pengaturan/", {"language": "en", "notify_by": ["email"]}).status_code == 302
    overseer.refresh_from_db()
    assert overseer.language == "en"
    res = client.post(
        "/api/auth/token",
        {"login": overseer.email, "password": "rahasia-123", "otp": totp_code(step_offset=1)},
        content_type="application/json",
    )
    assert res.status_code == 200
    assert client.post("/keluar/").status_code == 302 and "_auth_user_id" not in client.session


def test_a_liaison_who_also_oversees_still_acts_as_liaison(net, api):
    from lapor.accounts.models import Role, RoleAssignment

    liaison = net.user("liaison")
    RoleAssignment.objects.create(user=liaison, role=Role.OVERSEER, agency=net.city)
    res = api.post(
        "/api/intake/assisted",
        {**submission_data(), "reporter_name": "Warga Datang", "target_agency_id": net.dept.pk},
        user=liaison,
    )
    assert res.status_code != 403, res.content
