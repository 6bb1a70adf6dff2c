"""SMS segmentation: GSM-7 fits 160 characters in one SMS and 153 per part when concatenated
(the UDH takes 7); anything outside GSM-7 goes as UCS-2: 70 alone, 67 per part."""
from __future__ import annotations

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each costs two septets (escape + char)


def sms_is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _cost(ch: str, gsm: bool) -> int:
    if not gsm:
        return 2 if ord(ch) > 0xFFFF else 1  # UTF-16 code units
    return 2 if ch in GSM7_EXTENDED else 1


def sms_segments(text: str) -> list[str]:
    """Split into the parts a gateway sends; never splits an escape pair or a surrogate pair."""
    gsm = sms_is_gsm7(text)
    single, part = (160, 153) if gsm else (70, 67)
    if sum(_cost(ch, gsm) for ch in text) <= single:
        return [text] if text else []
    parts, current, used = [], [], 0
    for ch in text:
        cost = _cost(ch, gsm)
        if used + cost > part:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    if current:
        parts.append("".join(current))
    return parts
