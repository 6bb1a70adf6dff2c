"""Personal-data masking for everything public (public pages, open data, Open311) and for agency
views of anonymous reports.

Masks: national ID numbers (NIK/KK, 16 digits, also written with spaces, dots or dashes), phone
numbers (+62…, 62…, 08…, with separators), e-mail addresses, vehicle plates (B 1234 XYZ), and —
when given — the reporter's own name (each word of it of 3+ letters, case-insensitive).
"""
from __future__ import annotations

import re

SEP = r"[\s.\-]?"
# 16 digits with optional single separators between them (NIK/KK).
NIK_RE = re.compile(r"(?<!\d)(?:\d" + SEP + r"){15}\d(?!\d)")
# +62 / 62 / 0 followed by 8 and 7–11 more digits, separators allowed.
PHONE_RE = re.compile(r"(?<![\d+])(?:\+?62|0)" + SEP + r"8(?:" + SEP + r"\d){7,11}(?!\d)")
EMAIL_AT = ("@", "(at)", "[at]")  # every way of writing the "at" that EMAIL_RE knows
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+\s?(?:" + "|".join(map(re.escape, EMAIL_AT)) + r")\s?[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Indonesian plates: 1–2 letters, 1–4 digits, 0–3 letters (B 1234 XYZ, DK1234AB, AB-123-C).
# Address abbreviations (RT 03 RW 05, KM 5, No 12 A) are not plates.
PLATE_RE = re.compile(r"\b(?!(?:RT|RW|KM|NO|RP|JL|GG|HP|WA|TPS|SD|SMP|SMA)\b)[A-Z]{1,2}[\s\-]?\d{1,4}[\s\-]?"
                      r"(?!(?:RT|RW|KM|NO|RP|JL|GG)\b)[A-Z]{1,3}\b")

NIK_MASK = "[NIK disamarkan]"
PHONE_MASK = "[telepon disamarkan]"
EMAIL_MASK = "[email disamarkan]"
PLATE_MASK = "[nopol disamarkan]"
NAME_MASK = "[nama disamarkan]"
_DIGIT = re.compile(r"\d").search


def text_mask(text: str, *, names: list[str] | tuple[str, ...] = ()) -> str:
    """Mask personal data in free text. ``names``: full names to hide (an anonymous reporter's)."""
    if not text:
        return text or ""
    # Most texts hold no e-mail and no digit: skip the patterns that cannot match (the same result)
    if any(at in text for at in EMAIL_AT):
        text = EMAIL_RE.sub(EMAIL_MASK, text)
    if _DIGIT(text):  # NIK, phone numbers and plates all hold a digit
        text = NIK_RE.sub(NIK_MASK, text)
        text = PHONE_RE.sub(PHONE_MASK, text)
        text = PLATE_RE.sub(PLATE_MASK, text)
    words = {w for name in names if name for w in re.findall(r"[^\W\d_]{3,}", name)}
    if words:
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b",
                             re.IGNORECASE)
        text = pattern.sub(NAME_MASK, text)
    return text
