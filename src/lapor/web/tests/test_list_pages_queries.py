"""List pages run a constant number of queries, however many reports they show."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from .helpers import routed_to_dept


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_inbox_and_public_list_query_counts_do_not_grow(net, client):
    client.force_login(net.user("dept_admin"))
    for i in range(2):
        routed_to_dept(net, title=f"Laporan {i}")
    small = (_count(client, "/petugas/"), _count(client, "/laporan/"))
    for i in range(12):
        routed_to_dept(net, title=f"Laporan lagi {i}")
    large = (_count(client, "/petugas/"), _count(client, "/laporan/"))
    assert large == small
