"""The working calendar over the API (``/api/calendar``): thin — the same reads and the same write
as the page /petugas/kalender/ (``calendar.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field

from lapor.api.auth import OPTIONAL_AUTH, STAFF_AUTH, request_user
from lapor.api.types import NONBLANK, IsoDate

from .calendar import NAME_MAX, SOURCE_LABELS, calendar_decree_add, calendar_decree_remove, calendar_year
from .deadlines import tz

router = Router(tags=["calendar"])

YEAR_MIN, YEAR_MAX = 2000, 2099  # the years a decree can be about (the holidays package knows them)
DATE_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _in_years(value: dt.date) -> dt.date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(f"a calendar date lies in {YEAR_MIN}-{YEAR_MAX}")
    return value


CalendarDate = Annotated[
    IsoDate,
    AfterValidator(_in_years),
    Field(json_schema_extra={"pattern": DATE_PATTERN}, description=f"YYYY-MM-DD, years {YEAR_MIN}-{YEAR_MAX}"),
]
SourceName = Literal["official", "decree", "setting", "workday"]


class CalendarDayOut(Schema):
    date: dt.date
    name: str
    source: SourceName = Field(
        ...,
        description="official: national holiday or cuti bersama of the holidays package; decree: a day off by "
        "decree (platform operators); setting: LAPOR_LEAVE_DAYS; workday: a substitute working day by decree",
    )
    source_label: str
    working: bool


class CalendarYearOut(Schema):
    year: int
    days: list[CalendarDayOut]


class DeadlinesMovedOut(Schema):
    due_at: int
    completion_due_at: int


class CalendarChangeOut(Schema):
    date: dt.date
    working: bool
    name: str
    deadlines_moved: DeadlinesMovedOut
    reports_moved: int = Field(..., description="open reports whose deadline moved (each got a timeline event)")


class DecreeIn(Schema):
    date: CalendarDate
    working: bool = Field(False, description="false: a day off (cuti bersama); true: a substitute working day")
    name: str = Field(..., min_length=1, max_length=NAME_MAX, pattern=NONBLANK, description="the basis, e.g. SKB no.")


class YearQuery(Schema):
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="default: the current year")


class RemoveQuery(Schema):
    reason: str = Field(..., min_length=1, max_length=NAME_MAX, pattern=NONBLANK, description="the basis of removal")


@router.get("", response=CalendarYearOut, auth=OPTIONAL_AUTH, summary="The working calendar in use for a year")
def calendar_get_year(request, query: Query[YearQuery]):
    year = query.year or timezone.now().astimezone(tz()).year
    days = [
        {
            "date": e.date,
            "name": e.name,
            "source": e.source,
            "source_label": str(SOURCE_LABELS[e.source]),
            "working": e.working,
        }
        for e in calendar_year(year)
    ]
    return {"year": year, "days": days}


@router.post(
    "/days",
    response={201: CalendarChangeOut, 200: CalendarChangeOut},
    auth=STAFF_AUTH,
    summary="Make a date a day off (or a working day) by decree (platform operators)",
)
def calendar_decree_post(request, payload: DecreeIn):
    result = calendar_decree_add(
        day=payload.date, working=payload.working, name=payload.name, actor=request_user(request)
    )
    return Status(201 if result.pop("created") else 200, result)


@router.delete(
    "/days/{date}",
    response=CalendarChangeOut,
    auth=STAFF_AUTH,
    summary="Remove a decree: the date follows the official calendar again (platform operators)",
)
def calendar_decree_delete(request, date: CalendarDate, query: Query[RemoveQuery]):
    return calendar_decree_remove(day=date, reason=query.reason, actor=request_user(request))
