"""Small, dependency-free text similarity for duplicate checks: normalised word sets with
Indonesian stop words removed, compared by cosine over binary vectors."""

from __future__ import annotations

import math
import re

STOP = frozenset(
    """
yang di ke dari dan atau dengan untuk pada dalam ini itu ada tidak sudah belum akan saya kami kita mereka
dia ia kami juga sangat mohon tolong pak bu bapak ibu kepada sebagai oleh karena agar supaya bisa dapat
jadi lagi masih hanya sejak saat sampai telah para nya pun lah kah tersebut terima kasih
""".split()
)
TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def tokens(text: str) -> frozenset[str]:
    return frozenset(w for w in TOKEN.findall((text or "").lower()) if w not in STOP)


def cosine(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))
