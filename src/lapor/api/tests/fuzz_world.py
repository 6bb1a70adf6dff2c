"""The world the Schemathesis run works in: the test network, a caller per role, and one real
resource for every path parameter, so staff operations get past their 404 into their workflows.

Each role is a real credential: a bearer token issued as ``POST /api/auth/token`` would, for a
citizen, an agency admin, a platform admin and a partner system's service user (with a report it
filed, so the partner operations run past their 404); the guest sends none.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from lapor.accounts import testing
from lapor.partners.models import Partner
from lapor.partners.partners import partner_report_submit
from lapor.reports import services
from lapor.reports.deadlines import WorkingCalendar
from lapor.reports.models import CalendarDay
from lapor.reports.services import Actor, Submission

ROLES = ("guest", "citizen", "staff", "admin", "partner")
ROLE_USER = {"citizen": "reporter", "staff": "dept_admin", "admin": "platform"}


@dataclass
class FuzzWorld:
    role: str
    headers: dict[str, str]
    # path parameter -> real values to choose from (tracking ids of reports in every state, …)
    values: dict[str, list[str]] = field(default_factory=dict)
    _turn: itertools.count = field(default_factory=itertools.count)

    def pick(self, name: str) -> str | None:
        choices = self.values.get(name)
        if not choices:
            return None
        return choices[next(self._turn) % len(choices)]


def _report(net, *, user=None, title="Lampu jalan mati di gang", **overrides):
    sub = Submission(
        title=title,
        body="Sudah dua minggu lampu jalan mati, gelap dan rawan.",
        guest_email="" if user else "tamu@example.com",
        **overrides,
    )
    report, _secret = services.report_submit(submission=sub, reporter=user)
    return report


def world_make(net, role: str) -> FuzzWorld:
    citizen, admin, dept_admin = net.user("reporter"), net.user("platform"), net.user("dept_admin")
    as_admin, as_dept = Actor(user=admin), Actor(user=dept_admin)
    submitted = _report(net, user=citizen)
    routed = _report(net, user=citizen, title="Trotoar rusak di depan sekolah")
    services.report_route(report=routed, actor=as_admin, agency=net.dept)
    followed = _report(net, user=citizen, title="Saluran air tersumbat")
    services.report_route(report=followed, actor=as_admin, agency=net.dept)
    services.report_follow_up(report=followed, actor=as_dept, body="Sudah kami bersihkan kemarin sore.")
    postponed = _report(net, user=citizen, title="Pohon tumbang menutup jalan")
    services.report_route(report=postponed, actor=as_admin, agency=net.dept)
    services.report_postpone(report=postponed, actor=as_dept, reason="Menunggu anggaran perubahan.")
    guest = _report(net, title="Pungutan liar di kantor kelurahan")
    reports = [submitted, routed, followed, postponed, guest]
    headers = {"Accept-Encoding": "identity"}  # the WSGI transport asks for gzip but does not decode it
    if role in ROLE_USER:
        headers["Authorization"] = f"Bearer {testing.token_make(net.user(ROLE_USER[role]))}"
    if role == "partner":
        system = get_user_model().objects.create_user(full_name="Aplikasi Mitra Uji")
        partner = Partner.objects.create(
            name="Aplikasi Mitra Uji", user=system, webhook_url="https://mitra.example/hook"
        )
        filed = partner_report_submit(
            partner=partner,
            data={"title": "Jalan berlubang di pasar", "body": "Lubang besar, bahaya."},
            external_ref="M-1",
        ).report
        services.report_route(report=filed, actor=as_admin, agency=net.dept)
        reports.append(filed)
        headers["Authorization"] = f"Bearer {testing.token_make(system)}"
    month = timezone.localdate().strftime("%Y-%m")
    # a decree day next year, on a weekday, so DELETE /api/calendar/days/{date} has one to remove
    decree = dt.date(timezone.localdate().year + 1, 6, 10)
    while not WorkingCalendar().is_working_day(decree):
        decree += dt.timedelta(days=1)
    CalendarDay.objects.create(date=decree, name="SKB uji")
    values = {
        "tracking_id": [r.tracking_id for r in reports],
        "agency_id": [str(net.dept.pk), str(net.city.pk)],
        "month": [month, (timezone.localdate() - dt.timedelta(days=40)).strftime("%Y-%m")],
        "date": [decree.isoformat()],
    }
    return FuzzWorld(role=role, headers=headers, values=values)
