"""Finding a report by its tracking number (issue #20): with or without the dash, any case; a
wrong number keeps what was typed and says so, never a bare 404 page, and reveals nothing."""

import pytest

from .helpers import report_make, routed_to_dept


@pytest.mark.parametrize("typed", ["{tid}", "{tid_lower}", "{tid_nodash}", " {tid_nodash_lower} "])
def test_the_lookup_and_the_public_list_find_a_report_however_it_is_typed(net, client, typed):
    report, _ = routed_to_dept(net)
    tid = report.tracking_id
    value = typed.format(
        tid=tid, tid_lower=tid.lower(), tid_nodash=tid.replace("-", ""), tid_nodash_lower=tid.replace("-", "").lower()
    )
    for url in ("/lacak/", "/laporan/"):
        res = client.get(url, {"tracking_id" if url == "/lacak/" else "q": value})
        assert res.status_code == 302 and res["Location"] == f"/lacak/{tid}/", url
    res = client.get(f"/lacak/{tid.replace('-', '').lower()}/")
    assert res.status_code == 302 and res["Location"] == f"/lacak/{tid}/"


def test_a_wrong_number_keeps_what_was_typed_and_says_so(net, client):
    res = client.get("/lacak/", {"tracking_id": "zzzz-9999"})
    html = res.content.decode()
    assert res.status_code == 404 and 'data-testid="not-found"' in html
    assert "“zzzz-9999”" in html and 'value="zzzz-9999"' in html
    res = client.get("/lacak/ZZZZ-9999/")
    assert res.status_code == 404 and 'value="ZZZZ-9999"' in res.content.decode()


def test_a_confidential_or_unverified_report_reads_exactly_like_a_wrong_number(net, client):
    hidden, _ = routed_to_dept(net, is_confidential=True)
    unverified, _ = report_make(net)
    for tid in (hidden.tracking_id, unverified.tracking_id):
        res = client.get("/lacak/", {"tracking_id": tid})
        assert res.status_code == 404 and "Kami tidak menemukan laporan publik" in res.content.decode()
        assert client.get("/laporan/", {"q": tid}).status_code == 200  # a search, not a shortcut to it


def test_in_english(net, client):
    client.cookies["django_language"] = "en"
    html = client.get("/lacak/", {"tracking_id": "ZZZZ-9999"}).content.decode()
    assert "We could not find a public report numbered" in html
