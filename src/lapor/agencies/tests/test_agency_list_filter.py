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
