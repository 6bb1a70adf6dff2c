"""The public list shares the API's page plan: a forged or foreign cursor is a clear 400, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["?cursor=zzzz", "?cursor=zzzz&q=jalan", "?cursor=WyJ4Il0&q=jalan"])
def test_a_bad_cursor_is_refused_cleanly(client, query):
    response = client.get("/laporan/" + query)
    assert response.status_code == 400
    assert "Kursor" in response.content.decode() or "kursor" in response.content.decode()
