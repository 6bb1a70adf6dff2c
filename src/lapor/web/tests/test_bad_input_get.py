"""Bad input gets a 4xx or is ignored, never a 500."""

import pytest

from .helpers import routed_to_dept

JUNK = {
    "tab": "x",
    "topic": "abc",
    "region": "99.99",
    "channel": "pigeon",
    "status": "nope",
    "overdue": "maybe",
    "q": "\x00' OR 1=1 --",
    "agency": "-1",
    "cursor": "not-a-cursor",
}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/lapor/",
        "/lacak/",
        "/laporan/",
        "/petugas/",
        "/saya/",
        "/saya/pengaturan/",
        "/lacak/%3Cscript%3E/",
        "/petugas/laporan/ZZZZ-ZZZZ/",
        "/lacak/ABCD-1234/k/x/",
    ],
)
def test_junk_query_strings_never_500(net, client, path):
    client.force_login(net.user("platform"))
    res = client.get(path, JUNK)
    assert res.status_code < 500


def test_junk_posts_to_actions_never_500(net, client):
    report, _ = routed_to_dept(net)
    client.force_login(net.user("dept_admin"))
    base = f"/petugas/laporan/{report.tracking_id}"
    for action in (
        "route",
        "forward",
        "dispose",
        "follow_up",
        "note",
        "not_authority",
        "postpone",
        "resume",
        "archive",
        "complete",
        "bogus",
    ):
        res = client.post(
            f"{base}/{action}/",
            {
                f"{action}-agency": "abc",
                f"{action}-unit": "999999",
                f"{action}-archive_reason": "nope",
                f"{action}-body": "x" * 20001,
                f"{action}-duplicate_of": "???",
            },
        )
        assert res.status_code < 500, action
    res = client.post(
        "/lapor/",
        {
            "type": "zzz",
            "title": "x" * 300,
            "incident_date": "2999-01-01",
            "topic": "x",
            "province": "zz",
            "target_agency": "abc",
            "latitude": "91",
            "longitude": "x",
        },
    )
    assert res.status_code == 400
    assert client.post("/petugas/massal/", {"report": ["x"], "bulk_action": "route"}).status_code < 500
