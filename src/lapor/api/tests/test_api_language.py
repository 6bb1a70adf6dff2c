"""Error messages follow Accept-Language: Bahasa Indonesia by default, English on request."""

from lapor.accounts.testing import submission_data


def test_error_message_in_indonesian_by_default(api, db):
    res = api.get("/api/reports/ABCD-EFGH", lang="id")
    assert res.status_code == 404 and res.json() == {"code": "not_found", "message": "Laporan tidak ditemukan."}


def test_error_message_in_english(api, db):
    res = api.get("/api/reports/ABCD-EFGH", lang="en")
    assert res.json() == {"code": "not_found", "message": "Report not found."}
    res = api.get("/api/reports", lang="en")
    assert res.json()["message"] == "Please sign in first."


def test_state_machine_refusals_are_translated(api, net):
    tid = api.post("/api/reports", submission_data(), user=net.user("reporter")).json()["tracking_id"]
    id_msg = api.post(f"/api/reports/{tid}/follow-up", {"body": "x"}, user=net.user("platform"), lang="id").json()
    en_msg = api.post(f"/api/reports/{tid}/follow-up", {"body": "x"}, user=net.user("platform"), lang="en").json()
    assert id_msg["code"] == en_msg["code"] == "role_not_allowed"
    assert id_msg["message"] != en_msg["message"] and en_msg["message"].isascii()
