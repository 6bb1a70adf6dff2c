"""Odd inbox parameters are refused or ignored, never a 500 (the 'all' tab now runs the API's list plan)."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", [
    "?tab=all&q=%00jalan", "?tab=all&topic=99999999999999999999999", "?tab=agency&topic=-1", "?tab=all&region=xx%00",
    "?tab=overdue&q=" + "a" * 500, "?tab=nonsense&status=bogus", "?tab=all&channel=pigeon",
])
def test_odd_inbox_parameters_never_fail_the_page(net, client, query):
    client.force_login(net.user("dept_admin"))
    response = client.get("/petugas/" + query)
    assert response.status_code in (200, 400), (query, response.status_code)
