"""Social media: signed webhooks land as drafts; staff convert or dismiss; nothing public by itself."""

import json
from pathlib import Path

import pytest

from lapor.intake.models import SocialDraft
from lapor.reports.models import Report, ReportEvent

from .helpers import SECRET, signed_post

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.LAPOR_SOCIAL_SECRET = SECRET


def send(client, network, name):
    return signed_post(client, f"/intake/social/{network}", (FIXTURES / name).read_bytes())


@pytest.mark.parametrize(
    "network,name,handle,kind",
    [
        ("x", "x_mention.json", "warga_contoh", "mention"),
        ("x", "x_dm.json", "pengirim_dm", "dm"),
        ("instagram", "instagram_mention.json", "ig_warga", "mention"),
        ("facebook", "facebook_feed.json", "Warga Facebook", "mention"),
    ],
)
def test_each_network_payload_lands_as_a_draft_not_a_report(net, client, network, name, handle, kind):
    res = send(client, network, name)
    assert res.status_code == 200, res.content
    draft = SocialDraft.objects.get()
    assert (draft.author_handle, draft.kind, draft.status) == (handle, kind, "new") and draft.post_id
    assert not Report.objects.exists()
    assert send(client, network, name).status_code == 200 and SocialDraft.objects.count() == 1


def test_staff_convert_a_draft_into_a_social_report(net, client, api):
    send(client, "x", "x_mention.json")
    draft = SocialDraft.objects.get()
    assert api.get("/api/intake/social", user=net.user("reporter")).status_code == 403
    listed = api.get("/api/intake/social", user=net.user("platform")).json()
    assert [d["id"] for d in listed] == [draft.pk]
    res = api.post(f"/api/intake/social/{draft.pk}/convert", {"title": "Lampu jalan mati"}, user=net.user("platform"))
    assert res.status_code == 201, res.content
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    assert report.channel == "social" and report.reporter.full_name.startswith("@warga_contoh")
    event = ReportEvent.objects.get(report=report, kind="submitted")
    assert (
        event.data["social"]["post_id"] == "1800000000000000001" and event.data["entered_by"] == net.user("platform").pk
    )
    again = api.post(f"/api/intake/social/{draft.pk}/convert", {}, user=net.user("platform"))
    assert again.status_code == 409 and Report.objects.count() == 1


def test_staff_dismiss_a_draft(net, client, api):
    send(client, "instagram", "instagram_mention.json")
    draft = SocialDraft.objects.get()
    assert (
        api.post(f"/api/intake/social/{draft.pk}/dismiss", {"reason": "x"}, user=net.user("stranger")).status_code
        == 403
    )
    # posts reach the national account: the platform's operators triage them, not an agency's staff
    assert (
        api.post(f"/api/intake/social/{draft.pk}/dismiss", {"reason": "x"}, user=net.user("dept_admin")).status_code
        == 403
    )
    res = api.post(f"/api/intake/social/{draft.pk}/dismiss", {"reason": "iklan"}, user=net.user("platform"))
    assert res.status_code == 200 and res.json()["status"] == "dismissed"
    assert api.get("/api/intake/social", user=net.user("platform")).json() == []


@pytest.mark.parametrize("case", ["unsigned", "bad_sig", "unknown_network", "not_json", "wrong_shape"])
def test_bad_or_unsigned_social_payloads_are_refused(net, client, case):
    body = (FIXTURES / "instagram_mention.json").read_bytes()
    if case == "unsigned":
        res = client.generic("POST", "/intake/social/x", body, content_type="application/json")
    elif case == "bad_sig":
        res = signed_post(client, "/intake/social/x", body, secret="wrong")
    elif case == "unknown_network":
        res = signed_post(client, "/intake/social/myspace", body)
    elif case == "not_json":
        res = signed_post(client, "/intake/social/x", b"<xml/>")
    else:
        res = signed_post(
            client,
            "/intake/social/instagram",
            json.dumps({"entry": [{"changes": [{"field": "mentions", "value": {}}]}]}).encode(),
        )
    assert 400 <= res.status_code < 500 and res.json()["message"]
    assert not SocialDraft.objects.exists()


def test_a_nul_in_the_queue_status_is_ignored_not_out_of_range(net, client, api):
    """PostgreSQL text cannot hold NUL: a status the schema allows was a 400 out_of_range."""
    send(client, "x", "x_mention.json")
    response = api.get("/api/intake/social?status=new%00", user=net.user("platform"))
    assert response.status_code == 200, response.content
    assert len(response.json()) == 1
