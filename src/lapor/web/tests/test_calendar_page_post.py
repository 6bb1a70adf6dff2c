"""Kalender kerja: staff read the calendar in use for this year and the next; platform operators
change a day from the page."""

import datetime as dt

import pytest
from django.utils import timezone

from lapor.accounts.models import AuditLog
from lapor.accounts.testing import signin_staff
from lapor.reports import deadlines
from lapor.reports.models import CalendarDay


@pytest.fixture(autouse=True)
def _fresh_calendar():
    deadlines.calendar_reset()
    yield
    deadlines.calendar_reset()


def test_staff_see_this_and_next_year_and_only_operators_get_the_form(net, client):
    year = timezone.localtime().year
    signin_staff(client, net.user("liaison"))
    res = client.get("/petugas/kalender/")
    page = res.content.decode()
    assert res.status_code == 200
    assert f"<h2>{year}</h2>" in page and f"<h2>{year + 1}</h2>" in page
    assert "Hari Kemerdekaan Republik Indonesia" in page and "Cuti Bersama" in page
    assert 'name="name"' not in page
    assert (
        client.post("/petugas/kalender/", {"date": f"{year + 1}-07-01", "working": "0", "name": "SKB"}).status_code
        == 403
    )
    assert not CalendarDay.objects.exists()


def test_an_operator_adds_a_day_off_from_the_page(net, client):
    day = dt.date(timezone.localtime().year + 1, 7, 1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    signin_staff(client, net.user("platform"))
    assert 'name="name"' in client.get("/petugas/kalender/").content.decode()
    res = client.post("/petugas/kalender/", {"date": day.isoformat(), "working": "0", "name": "SKB cuti bersama"})
    assert res.status_code == 302
    assert CalendarDay.objects.get(date=day).name == "SKB cuti bersama"
    assert AuditLog.objects.get(action="calendar_day_set").actor == net.user("platform")
    page = client.get("/petugas/kalender/").content.decode()
    assert "SKB cuti bersama" in page
    again = client.post("/petugas/kalender/", {"date": day.isoformat(), "working": "0", "name": "SKB"})
    assert again.status_code == 409 and "sudah hari libur" in again.content.decode()  # the calendar in force
    assert client.post("/petugas/kalender/", {"date": "bukan-tanggal", "working": "0", "name": "x"}).status_code == 400


def test_citizens_are_refused(net, client):
    client.force_login(net.user("reporter"))
    assert client.get("/petugas/kalender/").status_code == 403
