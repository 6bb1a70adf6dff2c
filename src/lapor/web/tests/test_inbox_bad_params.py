"""Odd inbox parameters are refused or ignored, never a 500 (the 'all' tab now runs the API's list plan)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "?tab=all&q=%00jalan",
        "?tab=all&topic=99999999999999999999999",
        "?tab=agency&topic=-1",
        "?tab=all&region=xx%00",
        "?tab=overdue&q=" + "a" * 500,
        "?tab=nonsense&status=bogus",
        "?tab=all&channel=pigeon",
    ],
)
def test_odd_inbox_parameters_never_fail_the_page(net, client, query):
    client.force_login(net.user("dept_admin"))
    response = client.get("/petugas/" + query)
    assert response.status_code in (200, 400), (query, response.status_code)


@pytest.mark.parametrize("query", ["topic_id=987654", "agency_id=987654", "topic_id=987654&q=jalan", "q=%00jalan"])
def test_unknown_filters_give_an_empty_page_in_every_list_plan(net, api, query):
    from lapor.accounts.testing import submission_data

    api.post(
        "/api/reports", submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001", guest_email="a@example.com")
    )
    for user in (net.user("dept_admin"), net.user("platform"), None):  # scoped plan, national plan, public plan
        path = "/api/reports?" if user else "/api/public/reports?"
        response = api.get(path + query, user=user) if user else api.get(path + query)
        assert response.status_code == 200, (query, user, response.content[:200])
        if "987654" in query:
            assert response.json()["items"] == []
