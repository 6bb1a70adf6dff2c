"""The API lists read their pages as ReportRow (values, no model instances) and a scoped viewer's
page through report_visible_q(among=...): both must show exactly what the Report path shows,
masking included (an anonymous reporter's name in the title never reaches agency staff)."""

import itertools

import pytest

from lapor.reports.models import Report
from lapor.reports.schemas import public_report_out, report_out
from lapor.reports.selectors import ReportFilters, report_list_page, report_public_page, report_scope, report_visible_q
from lapor.reports.services import Actor, Submission, report_forward, report_route, report_submit

pytestmark = pytest.mark.django_db

VIEWERS = (
    "platform",
    "city_admin",
    "dept_admin",
    "liaison",
    "unit_staff",
    "health_admin",
    "other_admin",
    "overseer",
    "city_overseer",
    "reporter",
    "stranger",
)


@pytest.fixture
def reports(net):
    platform = Actor(user=net.user("platform"))
    made = []
    # a registered reporter, anonymous, naming themself in the title; routed on arrival, then forwarded
    anonymous, _ = report_submit(
        reporter=net.user("reporter"),
        submission=Submission(
            title="Budi Santoso: jalan rusak di Bukit Surungan",
            body="Hubungi saya di 081234567890, Budi Santoso.",
            topic_id=net.roads.pk,
            region_code="13.74.02.1001",
            is_anonymous=True,
        ),
    )
    made.append(report_forward(report=anonymous, actor=platform, agency=net.health, reason="Salah instansi"))
    # a guest, not anonymous, confidential, routed
    confidential, _ = report_submit(
        submission=Submission(
            title="Pungutan liar di loket",
            body="Petugas meminta uang, saya Siti (siti@example.com).",
            topic_id=net.roads.pk,
            region_code="13.74.02.1001",
            guest_name="Siti Aminah",
            guest_phone="081298765432",
            is_confidential=True,
        )
    )
    made.append(confidential)
    # not routed: no topic, region or agency
    made.append(
        report_submit(
            submission=Submission(
                title="Lampu jalan mati", body="Sudah seminggu mati.", guest_email="warga@example.com"
            )
        )[0]
    )
    # routed by the platform to another city
    other, _ = report_submit(
        reporter=net.user("stranger"),
        submission=Submission(title="Drainase tersumbat", body="Air meluap ke jalan.", region_code="13.74.02.1001"),
    )
    made.append(report_route(report=other, actor=platform, agency=net.other_dept))
    return made


def _light_and_full(page, **kwargs):
    light, light_next = page(**kwargs, light=True)
    full, full_next = page(**kwargs, light=False)
    assert light_next == full_next
    return light, full


@pytest.mark.parametrize("q", ["", "jalan"])
def test_a_page_of_rows_renders_exactly_as_a_page_of_reports(net, reports, q):
    assert any(
        type(row).__name__ == "ReportRow"
        for row in report_public_page(ReportFilters(), cursor=None, limit=20, light=True)[0]
    )
    for name in VIEWERS:
        user = net.user(name)
        for order in ("newest", "relevance"):
            light, full = _light_and_full(
                lambda **kw: report_list_page(user, ReportFilters(q=q), cursor=None, limit=20, order=order, **kw)
            )
            assert [report_out(r, user, with_reporter=False) for r in light] == [
                report_out(r, user, with_reporter=False) for r in full
            ], (name, order)
    light, full = _light_and_full(lambda **kw: report_public_page(ReportFilters(q=q), cursor=None, limit=20, **kw))
    assert [public_report_out(r) for r in light] == [public_report_out(r) for r in full]


def test_staff_never_read_an_anonymous_reporters_name_in_a_page_of_rows(net, reports):
    for name in ("dept_admin", "health_admin", "city_admin", "platform"):
        rows, _next = report_list_page(net.user(name), ReportFilters(), cursor=None, limit=20, light=True)
        texts = repr([report_out(r, net.user(name), with_reporter=False) for r in rows])
        assert "Budi" not in texts and "081234567890" not in texts, name


def test_visible_among_is_report_visible_q_on_those_rows(net, reports):
    ids = sorted(r.pk for r in reports)
    for name in VIEWERS:
        user = net.user(name)
        visible = report_visible_q(user)
        scope = report_scope(user)
        for size in range(len(ids) + 1):
            for among in itertools.combinations(ids, size):
                expected = set(
                    (Report.objects.filter(visible) if visible is not None else Report.objects)
                    .filter(pk__in=among)
                    .values_list("pk", flat=True)
                )
                narrowed = report_visible_q(user, among=list(among))
                got = set(
                    (Report.objects.filter(narrowed) if narrowed is not None else Report.objects)
                    .filter(pk__in=among)
                    .values_list("pk", flat=True)
                )
                assert got == expected, (name, among)
                if scope is not None:
                    assert set(scope.among(list(among)).values_list("pk", flat=True)) == expected, (name, among)
