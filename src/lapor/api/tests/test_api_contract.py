"""The API's contract: OpenAPI schema, error bodies, idempotent creation, pagination, query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate

from lapor.accounts.testing import submission_data
from lapor.reports import services as s
from lapor.reports.models import Report


def test_openapi_schema_is_valid_and_lists_the_operations(client):
    res = client.get("/api/openapi.json")
    assert res.status_code == 200
    spec = res.json()
    validate(spec)
    paths = spec["paths"]
    for path in (
        "/api/reports",
        "/api/reports/{tracking_id}/route",
        "/api/reports/{tracking_id}/not-authority",
        "/api/public/reports",
        "/api/agencies",
        "/api/regions",
        "/api/topics",
    ):
        assert path in paths, path


def test_validation_errors_have_code_and_message(api, db):
    res = api.post("/api/reports", {"title": 5})
    assert res.status_code == 422
    body = res.json()
    assert body["code"] == "validation_failed" and body["message"] and body["detail"]


def test_domain_errors_have_code_and_message(api, net):
    res = api.post("/api/reports", submission_data(topic_id=999999), user=net.user("reporter"))
    assert res.status_code == 404  # a well-formed id naming nothing, as in a path (issue 16)
    assert res.json()["code"] == "unknown_topic"
    assert res.json()["detail"]["field"] == "topic_id"


def test_a_submission_reports_every_problem_at_once(api, net):
    """A citizen on a slow phone fixes the whole form in one go: every field's problem in one answer.
    What the schema says (a title with a letter, an e-mail's and a phone's shape) is one 422 listing
    each field; what only the server knows (dates against today, codes naming nothing) one 400."""
    res = api.post(
        "/api/reports",
        {
            "title": "",
            "body": "Isi laporan",
            "guest_email": "bukan-email",
            "guest_phone": "12",
            "incident_date": "2999-01-01",
        },
    )
    assert res.status_code == 422 and res.json()["code"] == "validation_failed"
    fields = {e["loc"][-1] for e in res.json()["detail"]}
    assert fields == {"title", "guest_email", "guest_phone"}
    res = api.post(
        "/api/reports",
        {
            "title": "Lampu mati",
            "body": "Isi laporan",
            "guest_email": "a@warga.id",
            "region_code": "99.99",
            "incident_date": "2999-01-01",
        },
    )
    assert res.status_code == 400
    body = res.json()
    assert body["code"] == "unknown_region" and body["detail"]["field"] == "region_code"  # the first
    assert [(e["field"], e["code"]) for e in body["detail"]["errors"]] == [
        ("region_code", "unknown_region"),
        ("incident_date", "future_date"),
    ]
    english = api.post(
        "/api/reports",
        {
            "title": "Lampu mati",
            "body": "Isi",
            "guest_email": "a@warga.id",
            "region_code": "99.99",
            "incident_date": "2999-01-01",
        },
        lang="en",
    )
    messages = [e["message"] for e in english.json()["detail"]["errors"]]
    assert messages[0] == english.json()["message"]  # in the asker's language
    assert len(messages) == 2 and "future" in messages[1].lower()


def test_staff_endpoints_require_credentials(api, db):
    res = api.get("/api/reports")
    assert res.status_code == 401 and res.json()["code"] == "unauthenticated"


def test_bad_token_is_refused(client, db):
    res = client.get("/api/reports", HTTP_AUTHORIZATION="Bearer lpr_nope_nope")
    assert res.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "x" * 201, "body": "isi", "guest_email": "a@b.example"},
        {"title": "Judul", "body": "isi\x00dengan NUL", "guest_email": "a@b.example", "incident_date": "kemarin"},
        {"title": "Judul", "body": "isi", "guest_phone": "bukan nomor"},
        {"title": "Judul", "body": "isi", "guest_email": "a@b.example", "region_code": "99.99"},
        {"title": "\u202e\u200b", "body": "\U0001f600" * 10, "guest_email": "a@b.example"},
    ],
)
def test_strange_input_gets_a_4xx_never_a_500(api, db, payload):
    res = api.post("/api/reports", payload)
    assert 400 <= res.status_code < 500, res.content
    assert res.json()["code"]


def test_idempotency_key_makes_a_retry_return_the_same_report(api, net):
    data = submission_data(guest_email="warga@example.com")
    first = api.post("/api/reports", data, headers={"Idempotency-Key": "abc-123"})
    again = api.post("/api/reports", data, headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["tracking_id"] == again.json()["tracking_id"]
    assert again.json()["guest_secret"] == first.json()["guest_secret"]
    assert Report.objects.count() == 1
    other = api.post("/api/reports", {**data, "title": "Lain"}, headers={"Idempotency-Key": "abc-123"})
    assert other.status_code == 400 and other.json()["code"] == "idempotency_key_reused"
    assert Report.objects.count() == 1


def test_same_key_from_different_users_is_independent(api, net):
    data = submission_data()
    a = api.post("/api/reports", data, user=net.user("reporter"), headers={"Idempotency-Key": "k1"})
    b = api.post("/api/reports", data, user=net.user("stranger"), headers={"Idempotency-Key": "k1"})
    assert a.json()["tracking_id"] != b.json()["tracking_id"]


def _make_reports(net, n):
    for i in range(n):
        report, _ = s.report_submit(
            submission=s.Submission(
                title=f"Laporan {i}",
                body=f"Jalan berlubang nomor {i} di kelurahan",
                topic_id=net.roads.pk,
                region_code="13.74.02",
            ),
            reporter=net.user("reporter"),
        )


def _queries(api, path, user, params):
    api.get(path, params, user=user)  # warm caches (token row, content types)
    with CaptureQueriesContext(connection) as ctx:
        res = api.get(path, params, user=user)
    assert res.status_code == 200
    return len(ctx.captured_queries), res.json()


@pytest.mark.parametrize(
    "who,path",
    [
        ("liaison", "/api/reports"),
        ("platform", "/api/reports"),
        ("reporter", "/api/reports"),
        (None, "/api/public/reports"),
    ],
)
def test_list_pages_run_a_constant_number_of_queries(api, net, who, path, settings):
    settings.LAPOR_FLOOD_PER_HOUR = 1000
    _make_reports(net, 3)
    small, _ = _queries(api, path, net.user(who) if who else None, {"limit": 2})
    _make_reports(net, 25)
    large, body = _queries(api, path, net.user(who) if who else None, {"limit": 25})
    assert len(body["items"]) == 25
    assert small == large, (small, large)


def test_cursor_pagination_walks_every_report_once(api, net):
    _make_reports(net, 7)
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/reports", params, user=net.user("platform")).json()
        seen += [r["tracking_id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7


def test_a_broken_cursor_is_a_400(api, net):
    res = api.get("/api/reports", {"cursor": "!!!"}, user=net.user("platform"))
    assert res.status_code == 400 and res.json()["code"] == "invalid_cursor"


def test_filters_by_state_topic_and_region(api, net):
    _make_reports(net, 2)
    s.report_submit(
        submission=s.Submission(title="Puskesmas", body="Antre lama", topic_id=net.health_topic.pk),
        reporter=net.user("reporter"),
    )
    get = lambda **p: api.get("/api/reports", p, user=net.user("platform")).json()["items"]
    assert len(get(topic_id=net.infra.pk)) == 2  # subtree of the topic tree
    assert len(get(region_code="13.74")) == 2  # subtree of the region tree
    assert len(get(state=["submitted"])) == 1
    # the schema lists the states (issue 16: as strict as the server), so an unknown one is a 422
    res = api.get("/api/reports", {"state": ["nonsense"]}, user=net.user("platform"))
    assert res.status_code == 422 and res.json()["code"] == "validation_failed"


def test_full_text_search(api, net):
    s.report_submit(
        submission=s.Submission(
            title="Jembatan ambruk", body="Jembatan penghubung desa ambruk diterjang banjir", guest_email="a@b.example"
        )
    )
    s.report_submit(
        submission=s.Submission(title="Sampah", body="Sampah tidak diangkut seminggu", guest_email="a@b.example")
    )
    items = api.get("/api/reports", {"q": "jembatan banjir"}, user=net.user("platform")).json()["items"]
    assert [r["title"] for r in items] == ["Jembatan ambruk"]
    if connection.vendor == "postgresql":  # stemming: "diangkut" matches "angkut" with the Indonesian stemmer
        items = api.get("/api/reports", {"q": "angkut"}, user=net.user("platform")).json()["items"]
        assert [r["title"] for r in items] == ["Sampah"]


def test_agency_subtree_is_one_query(net, django_assert_num_queries):
    from lapor.agencies.selectors import agency_subtree

    with django_assert_num_queries(1):
        names = {a.name for a in agency_subtree(net.city)}
    assert names == {"Pemerintah Kota Padang Panjang", "Dinas PUPR", "Bidang Bina Marga", "Dinas Kesehatan"}


def test_session_auth_needs_csrf(client, net):
    client.force_login(net.user("platform"))
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(net.user("platform"))
    res = strict.post("/api/reports", json.dumps(submission_data()), content_type="application/json")
    assert res.status_code in (401, 403)
    assert client.get("/api/reports").status_code == 200
