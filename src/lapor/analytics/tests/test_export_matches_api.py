"""An export shows each report's reporter exactly as the API's detail shows it to the same person:
both come from the one projection (reports/projection.py). Every role that exports, every kind of
reporter, both formats, inside the request and as a background job."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from lapor.accounts.testing import user_make
from lapor.analytics import jobs
from lapor.reports import services as sv

ROLES = ("overseer", "liaison", "dept_admin", "platform")  # overseer, agency staff, agency admin, platform admin
# Everything a reporter left that must never appear whole in a file for staff.
WHOLE_CONTACTS = ("warga.rt05@lapor.example", "tamu.surel@lapor.example", "081277665544", "+6281277665544")
ANON_NAME = "Kartini Anonimawati"


def _submit(net, reporter=None, **fields):
    sub = sv.Submission(
        title="Lampu jalan mati di simpang tiga",
        body="Lampu jalan di simpang tiga mati sejak sepekan, jalan gelap di malam hari.",
        topic_id=net.roads.pk,
        region_code="13.74.02",
        **fields,
    )
    report, _secret = sv.report_submit(submission=sub, reporter=reporter)
    if report.state == "submitted":
        sv.report_route(report=report, actor=sv.Actor(user=net.user("platform")), agency=net.dept)
    report.refresh_from_db()
    assert report.agency_id == net.dept.pk
    return report


@pytest.fixture
def kinds(net) -> dict:
    citizen = user_make("Warga Terdaftar", email="warga.rt05@lapor.example")
    whistle = user_make(ANON_NAME, email="kartini.anon@lapor.example")
    return {
        "registered": _submit(net, citizen),
        "guest_phone": _submit(net, guest_name="Tamu Telepon", guest_phone="081277665544"),
        "guest_email": _submit(net, guest_name="Tamu Surel", guest_email="tamu.surel@lapor.example"),
        "anonymous": _submit(net, whistle, is_anonymous=True),
        "confidential": _submit(net, citizen, is_confidential=True),
    }


def _xlsx_rows(data: bytes) -> list[dict]:
    """The first sheet of a workbook as dicts (XlsxWriter's constant-memory sheets hold inline strings)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
    table = []
    for row in root.iter(f"{{{ns['m']}}}row"):
        cells: dict[int, str] = {}
        for c in row.findall("m:c", ns):
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            index = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(col))) - 1
            if c.get("t") == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t"))
            elif c.get("t") == "s":
                value = shared[int(c.find("m:v", ns).text)]
            else:
                v = c.find("m:v", ns)
                value = v.text if v is not None else ""
            cells[index] = value
        table.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    header, *body = table
    return [dict(zip(header, r + [""] * (len(header) - len(r)))) for r in body]


def _csv_rows(data: bytes) -> list[dict]:
    # A CSV cell that would start like a formula ("+6281…") carries the guard's leading quote (exports._cell).
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return [{k: re.sub(r"^'(?=[=+\-@])", "", v) for k, v in row.items()} for row in rows]


def _rows(data: bytes, fmt: str) -> list[dict]:
    return _csv_rows(data) if fmt == "csv" else _xlsx_rows(data)


def _query(net, fmt: str) -> dict:
    month = timezone.now().strftime("%Y-%m")
    return {"scope": f"a:{net.dept.pk}", "from": month, "to": month, "format": fmt}


def _sync_api(net, api, client, user, fmt):
    res = api.get("/api/analytics/export", _query(net, fmt), user=user)
    assert res.status_code == 200, res.content[:300]
    return res.content


def _sync_page(net, api, client, user, fmt):
    client.force_login(user)
    res = client.get("/analytics/laporan", _query(net, fmt), HTTP_ACCEPT_LANGUAGE="id")
    assert res.status_code == 200, res.content[:300]
    return res.content


def _job(net, api, client, user, fmt):
    q = _query(net, fmt)
    res = api.post("/api/analytics/exports", q, user=user)
    assert res.status_code == 202, res.content
    job_id = res.json()["id"]
    assert jobs.job_run(job_id) == "done"
    res = api.get(f"/api/analytics/exports/{job_id}/file", user=user)
    assert res.status_code == 200
    return b"".join(res.streaming_content)


DOORS = {"api": _sync_api, "page": _sync_page, "job": _job}


def _api_reporter(api, user, tracking_id: str) -> tuple[str, str]:
    res = api.get(f"/api/reports/{tracking_id}", user=user)
    assert res.status_code == 200, res.content
    who = res.json()["reporter"] or {}
    return who.get("name") or "", who.get("contact") or ""


@pytest.mark.parametrize("door", sorted(DOORS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_export_shows_each_reporter_as_the_api_shows_them_to_the_same_person(net, api, client, kinds, door, fmt):
    for role in ROLES:
        user = net.user(role)
        data = DOORS[door](net, api, client, user, fmt)
        rows = {r["tracking_id"]: r for r in _rows(data, fmt)}
        assert set(rows) == {r.tracking_id for r in kinds.values()}, role
        for kind, report in kinds.items():
            row = rows[report.tracking_id]
            shown = (row["pelapor"], row["kontak_pelapor"])
            assert shown == _api_reporter(api, user, report.tracking_id), (role, kind)
        text = data.decode("utf-8-sig") if fmt == "csv" else str(_xlsx_rows(data))
        # No staff member gets a whole contact or an anonymous reporter's name (reveal only, audited).
        assert not [c for c in WHOLE_CONTACTS if c in text], role
        assert ANON_NAME not in text and "kartini.anon" not in text, role
        anon = rows[kinds["anonymous"].tracking_id]
        assert (anon["pelapor"], anon["kontak_pelapor"]) == ("Anonim", ""), role
        # What each staff member sees of a named reporter: the name, a partly masked contact.
        assert rows[kinds["registered"].tracking_id]["kontak_pelapor"] == "w***@lapor.example", role
        assert rows[kinds["guest_email"].tracking_id]["kontak_pelapor"] == "t***@lapor.example", role
        assert rows[kinds["guest_phone"].tracking_id]["kontak_pelapor"].endswith("544"), role


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_public_scope_export_has_no_confidential_report_and_no_contact(net, api, client, kinds, fmt):
    month = timezone.now().strftime("%Y-%m")
    for role in ROLES:
        user = net.user(role)
        res = api.get("/api/analytics/export", {"scope": "p", "from": month, "to": month, "format": fmt}, user=user)
        assert res.status_code == 200
        rows = _rows(res.content, fmt)
        ids = {r["tracking_id"] for r in rows}
        assert kinds["confidential"].tracking_id not in ids and kinds["registered"].tracking_id in ids, role
        assert all("kontak_pelapor" not in r for r in rows), role
        public = api.get(f"/api/public/reports/{kinds['registered'].tracking_id}").json()
        row = next(r for r in rows if r["tracking_id"] == kinds["registered"].tracking_id)
        assert row["pelapor"] == public["reporter_name"] == "Warga", role
