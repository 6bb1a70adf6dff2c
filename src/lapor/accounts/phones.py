"""Indonesian phone numbers in one canonical form: +62 followed by the subscriber number."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"[^\d+]")


def phone_normalize(raw: str) -> str | None:
    """'0812-3456-7890', '+62 812 3456 7890', '62812...' -> '+6281234567890'; None if not a phone."""
    value = _NON_DIGITS.sub("", raw or "")
    if value.startswith("+"):
        value = value[1:]
    if value.startswith("0"):
        value = "62" + value[1:]
    if not value.startswith("62") or not value.isdigit():
        return None
    if not 10 <= len(value) <= 15:
        return None
    return "+" + value


def phone_mask(phone: str) -> str:
    return phone[:5] + "*" * max(len(phone) - 8, 0) + phone[-3:] if phone else ""
