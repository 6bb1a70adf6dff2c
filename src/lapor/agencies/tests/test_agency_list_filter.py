"""GET /api/agencies with kind (and no parent) filters instead of failing with a 500."""

import pytest

pytestmark = pytest.mark.django_db


def test_search_by_kind_returns_only_that_kind(net, api):
    response = api.get("/api/agencies", {"kind": "department"})
    assert response.status_code == 200, response.content
    rows = response.json()
    assert rows and {row["kind"] for row in rows} == {"department"}


def test_search_by_kind_and_words(net, api):
    response = api.get("/api/agencies", {"kind": "no-such-kind", "q": "dinas"})
    assert response.status_code == 200
    assert response.json() == []


def test_a_nul_in_a_search_is_ignored_not_out_of_range(net, api):
    """The schema allows any string; PostgreSQL text cannot hold NUL (DataError: 400 out_of_range)."""
    plain = api.get("/api/agencies", {"q": "dinas"}).json()
    response = api.get("/api/agencies", {"q": "din\x00as", "kind": "department\x00"})
    assert response.status_code == 200, response.content
    assert {row["id"] for row in response.json()} <= {row["id"] for row in plain}
    for params in ({"q": "\x00"}, {"parent": "\x00"}):
        response = api.get("/api/regions", params)
        assert response.status_code == 200, (params, response.content)
