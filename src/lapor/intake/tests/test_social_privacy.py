"""The social-media queue is scoped, and a post made into an anonymous report never names its author:
not in the queue (handle, post id, link) for anyone, platform operators included, not in the public text
(the post's words could be searched on the network), not in a public reply under the post."""

import gzip

import pytest

from lapor.intake.models import SocialDraft
from lapor.intake.social import social_convert, social_ingest
from lapor.notifications.models import OutboxMessage
from lapor.reports import services as s
from lapor.reports.models import Report
from lapor.reports.schemas import SOCIAL_BODY_HIDDEN, SOCIAL_TITLE_HIDDEN

POST = "@LAPOR1708 petugas kelurahan minta uang 50 ribu buat surat pengantar, parah #pungli"


def _draft(handle: str, post_id: str, text: str = POST) -> SocialDraft:
    [draft] = social_ingest(
        network="x",
        payload={
            "tweet_create_events": [
                {"id_str": post_id, "text": text, "user": {"id_str": post_id, "screen_name": handle}}
            ]
        },
    )
    return draft


def _converted(net, handle, post_id, agency, *, anonymous, title="", region="13.74.02.1001") -> Report:
    draft = _draft(handle, post_id)
    report = social_convert(
        draft_id=draft.pk, staff=net.user("platform"), title=title, is_anonymous=anonymous, region_code=region
    )
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=agency)
    return report


def test_the_queue_is_scoped_and_hides_the_author_of_an_anonymous_report(net, api):
    anonymous = _converted(net, "pelapor_rahasia", "1900000000000000001", net.dept, anonymous=True)
    named = _converted(net, "warga_terbuka", "1900000000000000002", net.other_dept, anonymous=False, region="13.71")
    _draft("belum_dipilah", "1900000000000000003")

    platform = api.get("/api/intake/social", {"status": "converted"}, user=net.user("platform")).json()
    # platform operators too reach an anonymous reporter only through the audited reveal
    assert {d["author_handle"] for d in platform} == {"[disamarkan]", "warga_terbuka"}
    assert not any("1900000000000000001" in d["url"] for d in platform)

    res = api.get("/api/intake/social", {"status": "converted"}, user=net.user("liaison"))
    assert res.status_code == 200
    [mine] = res.json()
    assert mine["tracking_id"] == anonymous.tracking_id
    text = res.content.decode()
    assert "pelapor_rahasia" not in text and "1900000000000000001" not in text and "warga_terbuka" not in text
    assert named.tracking_id not in text

    [theirs] = api.get("/api/intake/social", {"status": "converted"}, user=net.user("other_liaison")).json()
    assert theirs["tracking_id"] == named.tracking_id and theirs["author_handle"] == "warga_terbuka"

    for key in ("liaison", "dept_admin", "other_admin"):  # new posts belong to no agency yet
        assert api.get("/api/intake/social", {"status": "new"}, user=net.user(key)).json() == []
    for key in ("unit_staff", "overseer", "reporter"):
        assert api.get("/api/intake/social", {"status": "converted"}, user=net.user(key)).status_code == 403


def test_only_platform_operators_convert_posts(net, api):
    draft = _draft("belum_dipilah", "1900000000000000004")
    for key in ("liaison", "dept_admin"):
        res = api.post(f"/api/intake/social/{draft.pk}/convert", {"title": "Pungli"}, user=net.user(key))
        assert res.status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize("title", ["", "Pungutan liar surat pengantar di kelurahan"])
def test_the_public_never_reads_the_post_of_an_anonymous_social_report(net, api, client, title):
    from lapor.analytics.opendata import opendata_build

    report = _converted(net, "pelapor_rahasia", "1900000000000000005", net.city, anonymous=True, title=title)
    assert report.body == POST.strip()
    public = api.get(f"/api/public/reports/{report.tracking_id}").json()
    assert public["body"] == SOCIAL_BODY_HIDDEN
    assert public["title"] == (title or SOCIAL_TITLE_HIDDEN)  # a title written by staff is kept, a copied one not
    surfaces = {
        "list": api.get("/api/public/reports").content.decode(),
        "page": client.get(f"/lacak/{report.tracking_id}/").content.decode(),
        "open311": client.get(f"/open311/v2/requests/{report.tracking_id}.json").content.decode(),
        "opendata": gzip.open(opendata_build()["path"], "rt").read(),
    }
    for name, text in surfaces.items():
        assert report.tracking_id in text, name
        assert "minta uang 50 ribu" not in text and "pelapor_rahasia" not in text, name


def test_a_named_social_report_is_public_as_written(net, api):
    report = _converted(net, "warga_terbuka", "1900000000000000006", net.city, anonymous=False)
    assert api.get(f"/api/public/reports/{report.tracking_id}").json()["body"] == POST.strip()


def test_no_public_reply_ties_the_post_to_an_anonymous_report(net, settings):
    settings.LAPOR_SOCIAL_REPLY_URLS = {"x": "https://relay.example/x"}
    anonymous = _converted(net, "pelapor_rahasia", "1900000000000000007", net.city, anonymous=True)
    named = _converted(net, "warga_terbuka", "1900000000000000008", net.city, anonymous=False)
    replies = {m.report_id: m.payload["text"] for m in OutboxMessage.objects.filter(channel="webhook")}
    assert anonymous.tracking_id not in replies[anonymous.pk]
    assert named.tracking_id in replies[named.pk]
