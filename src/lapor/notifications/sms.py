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


# What a phone shows the same in GSM-7: a single non-GSM character ("…", a curly quote) sends the
# whole text as UCS-2, at 70/67 characters a part instead of 160/153.
GSM7_REPLACEMENTS = {
    "…": "...",
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "–": "-",
    "—": "-",
    "\u00a0": " ",
    "\u2009": " ",
    "•": "-",
    "·": "-",
    "\t": " ",
    "`": "'",
    "´": "'",
}


def sms_gsm7(text: str) -> str:
    """The text in GSM-7 only: common typography replaced, accents dropped where GSM-7 has no
    such letter (á -> a), anything else left out."""
    import unicodedata  # to move: kept while notifications is edited

    out = []
    for ch in text or "":
        if ch in GSM7_BASIC or ch in GSM7_EXTENDED:
            out.append(ch)
        elif ch in GSM7_REPLACEMENTS:
            out.append(GSM7_REPLACEMENTS[ch])
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", ch) if c in GSM7_BASIC))
    return "".join(out)


def sms_fit(head: str, body: str, tail: str, *, max_segments: int) -> str:
    """``head + body + tail`` in GSM-7, the body shortened at a word (with "...") so the whole
    text takes at most ``max_segments`` parts; head and tail (the link, the reply format) are kept."""
    head, body, tail = sms_gsm7(head), sms_gsm7(" ".join((body or "").split())), sms_gsm7(tail)
    if len(sms_segments(head + body + tail)) <= max_segments:
        return head + body + tail
    budget = max(max_segments, 1) * 153 - len(head) - len(tail) - 3
    cut = body[: max(budget, 0)]
    while cut and len(sms_segments(head + cut + "..." + tail)) > max_segments:
        cut = cut[:-1]
    if " " in cut[len(cut) // 2 :]:  # end at a word when one ends in the second half
        cut = cut.rsplit(" ", 1)[0]
    return head + cut.rstrip(" .,;:") + "..." + tail
