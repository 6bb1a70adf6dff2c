"""Indonesian phone numbers in one canonical form: +62 followed by the subscriber number.

Validity is Google's libphonenumber's (the ``phonenumbers`` package): a number must be Indonesian
(+62, or 0 for the national prefix) and fall in an allocated mobile block (0811…, 0857…, …) or a
landline area (021…, 0751…), with that block's length. Toll-free, premium and short service numbers
are no one's contact and are refused. ``lokal.parse_phone`` (lokal-id) only warns on an unknown mobile
prefix and checks landlines by length alone, so it is not the check here.
"""

from __future__ import annotations

import re
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType

_NON_DIGITS = re.compile(r"[^\d+]")
_KINDS: dict[int, Literal["mobile", "landline"]] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
}


def _parse(raw: str) -> tuple[str, Literal["mobile", "landline"]] | None:
    """The E.164 form and kind of an Indonesian number written '0812-…', '+62 812 …' or '62812…'."""
    value = _NON_DIGITS.sub("", raw or "")
    if value.startswith("+"):
        value = value[1:]
    if value.startswith("0"):
        value = "62" + value[1:]
    if not value.startswith("62") or not value.isdigit():
        return None
    try:
        number = phonenumbers.parse("+" + value)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(number, "ID"):
        return None
    kind = _KINDS.get(phonenumbers.number_type(number))
    if kind is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind


def phone_normalize(raw: str) -> str | None:
    """'0812-3456-7890', '+62 812 3456 7890', '62812...' -> '+6281234567890'; None if not a phone."""
    parsed = _parse(raw)
    return parsed[0] if parsed else None


def phone_kind(raw: str) -> Literal["mobile", "landline"] | None:
    """'mobile' (can take an SMS or WhatsApp) or 'landline'; None if not a phone."""
    parsed = _parse(raw)
    return parsed[1] if parsed else None


def phone_mask(phone: str) -> str:
    return phone[:5] + "*" * max(len(phone) - 8, 0) + phone[-3:] if phone else ""
