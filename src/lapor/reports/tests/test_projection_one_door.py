"""Privacy goes through one door: the surfaces that show a report to someone (API, pages, exports,
Open311, partners, federation, notifications, intake answers, routing help) never read a report's
personal fields themselves; they ask reports/projection.py. The page side is enforced at run time
(conftest: no stored report reaches a template); this is the code side, read from the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lapor.accounts.models import User
from lapor.reports.projection import REPORTER, STAFF, PUBLIC, ReportView, lens_for, lens_public
from lapor.reports.selectors import report_reporter_visible

SRC = Path(__file__).resolve().parents[2]
PERSONAL = {
    "title",
    "body",
    "address",
    "reporter_name",
    "reporter_contact",
    "guest_name",
    "guest_email",
    "guest_phone",
    "latitude",
    "longitude",
    "original_name",
}
# Where a report is turned into something someone else reads.
SURFACES = [
    "*/api.py",
    "web/views/*.py",
    "analytics/exports.py",
    "analytics/opendata.py",
    "analytics/pdf.py",
    "analytics/views.py",
    "analytics/selectors.py",
    "partners/*.py",
    "notifications/*.py",
    "intake/*.py",
    "routing/api.py",
    "reports/schemas.py",
    "web/selectors.py",
]
# (file, attribute, the line's text fragment): reads that are not a view of the report, each with why.
ALLOWED = {
    ("notifications/notify.py", "guest_email", "report.guest_email"): "the address a reporter's own message goes to",
    ("notifications/notify.py", "guest_phone", "report.guest_phone"): "the number a reporter's own SMS goes to",
    ("intake/sms.py", "guest_phone", "report.guest_phone"): "whose number may act on the report by SMS",
    ("intake/mail.py", "guest_email", "report.guest_email"): "whose address may reply to the report by e-mail",
    (
        "notifications/messages.py",
        "title",
        "title = report.title",
    ): "the reporter's own message; staff kinds go through lens_agency below",
}


def _report_like(node: ast.AST) -> bool:
    """A name that holds a report in this code base: report, r, other, original, ... ."""
    if isinstance(node, ast.Name):
        return node.id in {"report", "r", "other", "original", "rep", "row"} or node.id.endswith("_report")
    if isinstance(node, ast.Attribute):
        return node.attr in {"report", "original"}
    return False


def _reads() -> list[tuple[str, int, str, str]]:
    found = []
    files = sorted({p for pattern in SURFACES for p in SRC.glob(pattern) if "tests" not in p.parts})
    for path in files:
        rel = path.relative_to(SRC).as_posix()
        text = path.read_text()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in PERSONAL
                and isinstance(node.ctx, ast.Load)
                and _report_like(node.value)
            ):
                line = lines[node.lineno - 1]
                if any(f == rel and a == node.attr and frag in line for (f, a, frag) in ALLOWED):
                    continue
                found.append((rel, node.lineno, node.attr, line.strip()))
    return found


def test_no_surface_reads_a_reports_personal_fields_itself():
    found = _reads()
    assert not found, (
        "read the report through reports/projection.py (lens_for / lens_public / lens_agency):\n"
        + "\n".join(f"  {f}:{n} .{a}: {line}" for f, n, a, line in found)
    )


def test_the_check_sees_a_raw_read(tmp_path, monkeypatch):
    """The check itself can fail: a surface that prints report.body is caught."""
    bad = tmp_path / "web" / "views"
    bad.mkdir(parents=True)
    (bad / "leak.py").write_text("def page(report):\n    return report.body\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path)
    assert [(f, a) for f, _n, a, _l in _reads()] == [("web/views/leak.py", "body")]


# --- The rules of the projection ------------------------------------------------------------------

NAME, NIK, PHONE, EMAIL = "Zubaidah Kanarimurni", "3174012345678901", "081234567890", "zubaidah.k@contoh.id"
CANARY_TEXT = f"Saya {NAME}, NIK {NIK}, HP {PHONE}, surel {EMAIL}. Jalan berlubang."


def _report(net, *, anonymous: bool, confidential: bool = False):
    from lapor.reports.services import Submission, report_submit

    citizen = User.objects.create_user(email="zubaidah@contoh.id", password="x" * 12, full_name=NAME)
    report, _secret = report_submit(
        submission=Submission(
            title=f"Jalan rusak, lapor {NAME}",
            body=CANARY_TEXT,
            address=f"Rumah {NAME}, RT 02",
            region_code=None,
            is_anonymous=anonymous,
            is_confidential=confidential,
            latitude=-0.46,
            longitude=100.4,
        ),
        reporter=citizen,
    )
    return report, citizen


def _leaks(text: str) -> list[str]:
    return [c for c in ("Zubaidah", "Kanarimurni", NIK, PHONE, EMAIL) if c in text]


@pytest.mark.django_db
def test_anonymous_report_seen_by_each_audience(net):
    report, citizen = _report(net, anonymous=True)
    staff = lens_for(report, net.users["city_admin"])
    assert staff.audience == STAFF and not staff.reporter_visible
    for value in (staff.title, staff.body, staff.address, str(staff.reporter)):
        assert not _leaks(value), value
    assert staff.reporter == {"name": "Anonim", "contact": None, "is_anonymous": True}
    operator = lens_for(report, net.users["platform"])  # identity only through the audited reveal
    assert not report_reporter_visible(report, net.users["platform"])
    assert not _leaks(operator.body + operator.title + operator.address)
    public = lens_public(report)
    assert public.audience == PUBLIC and public.address == "" and public.location is None
    assert not _leaks(public.title + public.body) and public.public_reporter_name == "Anonim"
    own = lens_for(report, citizen)
    assert own.audience == REPORTER and own.body == CANARY_TEXT and NAME in own.address


@pytest.mark.django_db
def test_named_report_staff_see_it_public_see_it_masked(net):
    report, citizen = _report(net, anonymous=False)
    staff = lens_for(report, net.users["city_admin"])
    assert staff.body == CANARY_TEXT and staff.reporter["name"] == NAME
    public = lens_public(report)
    assert _leaks(public.body) == ["Zubaidah", "Kanarimurni"] or not {NIK, PHONE, EMAIL} & set(_leaks(public.body))
    assert public.public_reporter_name == "Zubaidah"


@pytest.mark.django_db
def test_confidential_report_has_no_public_text(net):
    report, _citizen = _report(net, anonymous=False, confidential=True)
    public = lens_public(report)
    assert public.title == "" and public.body == "" and public.text("anything") == ""


@pytest.mark.django_db
def test_report_view_refuses_unlisted_fields(net):
    report, _citizen = _report(net, anonymous=True)
    view = ReportView(lens_for(report, net.users["liaison"]))
    assert view.tracking_id == report.tracking_id and not _leaks(view.title + view.body + view.address)
    for name in ("guest_email", "guest_phone", "guest_name", "reporter_contact", "reporter_id_secret", "_meta"):
        with pytest.raises(AttributeError):
            getattr(view, name)
    with pytest.raises(AttributeError):
        view.title = "x"
