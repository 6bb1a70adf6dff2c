"""Types that make the OpenAPI schema as strict as the server (issue 16), shared by every router.

Query parameters arrive as text, and Pydantic's lax mode read ``0`` as the date 1970-01-01 and
``yes``/``1``/``on`` as true: here a date is ``YYYY-MM-DD`` and a flag ``true``/``false``, as the
schema says. A required text has a letter or a digit (``NONBLANK``): the services refuse one made
only of spaces, punctuation or control characters (``reports.services._clean_text``). Python's
``\\w`` is Unicode (``str.isalnum`` and ``_``), so ``[^\\W_]`` is exactly that rule.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic.json_schema import JsonDict

NONBLANK = r"[^\W_]"
MONTH = r"^(19[0-9]{2}|[2-8][0-9]{3})-(0[1-9]|1[0-2])$"  # the years analytics counts (1900-8999)
# Django's EmailValidator in one pattern: a dot-atom local part, host labels of at most 63 characters
EMAIL = r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
PHONE = r"^\+?(62|0)([ .-]?[0-9]){8,13}$"  # the shape phone_normalize reads: 0812-3456-7890, +62 812 … (prefixes: its own check)
SCOPE = r"^(n|p|a:[0-9]{1,18}|r:[0-9]{2}(\.[0-9]{2})?)$"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value):
    if isinstance(value, str) and not _DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


def _flag(value):
    if isinstance(value, str):
        if value.lower() not in ("true", "false"):
            raise ValueError("a flag is true or false")
        return value.lower() == "true"
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
QueryFlag = Annotated[bool, BeforeValidator(_flag)]
Month = Annotated[str, Field(pattern=MONTH, description="YYYY-MM")]
Id = Annotated[int, Field(ge=1)]


OPTIONAL_EMAIL = rf"^$|{EMAIL}"
OPTIONAL_PHONE = rf"^$|{PHONE}"
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
# latitude and longitude come together (reports.services: invalid_location)
LOCATION_PAIR: JsonDict = {
    "allOf": [
        {
            "if": {"properties": {"latitude": {"type": "number"}}, "required": ["latitude"]},
            "then": {"properties": {"longitude": {"type": "number"}}, "required": ["longitude"]},
        },
        {
            "if": {"properties": {"longitude": {"type": "number"}}, "required": ["longitude"]},
            "then": {"properties": {"latitude": {"type": "number"}}, "required": ["latitude"]},
        },
    ]
}


def text(max_length: int, description: str | None = None):
    """A required text: at least one letter or digit, at most ``max_length`` characters."""
    return Field(..., min_length=1, max_length=max_length, pattern=NONBLANK, description=description)
