"""The citizen's rating in a text message, one parser for every door that carries text back (SMS,
WhatsApp, a reply on a social-media thread, an e-mail reply), and one way to apply it.

    NILAI ABCD-1234 4 cepat       keyword, tracking id, score, comment
    NILAI 4                       keyword and score (the report is the one the message answers)
    4                             a score alone (the whole message)
    PUAS [4] [komentar]           satisfied: the score given, else 5
    TIDAK PUAS [2] <alasan>       not satisfied: the report is reopened (once) with the reason;
                                  the score given, else 1

Without the keyword only a whole-message score, or a message starting with PUAS / TIDAK PUAS, is a
rating: "2 lampu masih mati" stays a reply. The keywords are configurable with the SMS ones:
``LAPOR_SMS_KEYWORDS = {"rate": [...]}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from lapor.reports import lifecycle as lc
from lapor.reports.models import Report
from lapor.reports.services import Actor, report_rate_sent

RATE_KEYWORDS = ["NILAI", "RATE"]
TRACKING = re.compile(r"^[0-9A-Z]{4}-?[0-9A-Z]{4}$", re.IGNORECASE)
SATISFIED, NOT_SATISFIED = ("PUAS",), ("TIDAK", "PUAS")
DEFAULT_SCORE = {True: 5, False: 1}  # PUAS / TIDAK PUAS without a number: the ends of the scale


@dataclass(frozen=True)
class Rating:
    score: int
    satisfied: bool = True
    comment: str = ""
    tracking: str = ""  # a tracking id named after the keyword, as written
    keyword: bool = False  # it started with NILAI / RATE


def rate_keywords() -> list[str]:
    return list(settings.LAPOR_SMS_KEYWORDS.get("rate", RATE_KEYWORDS))


def rating_keyword(text: str) -> bool:
    """Does the message start with a rating keyword (a rating, or a malformed one to explain)?"""
    words = (text or "").split()
    return bool(words) and words[0].upper() in rate_keywords()


def _score(word: str) -> int | None:
    return int(word) if word.isdigit() and 1 <= int(word) <= 5 else None


def _verdict(words: list[str]) -> tuple[bool | None, list[str]]:
    upper = [w.upper().strip(".,!") for w in words[:2]]
    if upper[:2] == list(NOT_SATISFIED):
        return False, words[2:]
    if upper[:1] == list(SATISFIED):
        return True, words[1:]
    return None, words


def rating_parse(text: str) -> Rating | None:
    """The rating the message gives, or None when it is no rating."""
    words = (text or "").split()
    keyword = rating_keyword(text)
    tracking = ""
    if keyword:
        words = words[1:]
        if words and TRACKING.match(words[0]) and _score(words[0]) is None:
            tracking, words = words[0], words[1:]
    satisfied, words = _verdict(words)
    score = _score(words[0]) if words else None
    if score is not None:
        words = words[1:]
        if satisfied is None:
            satisfied, words = _verdict(words)
    if score is None and satisfied is None:
        return None
    if not keyword and satisfied is None and words:  # "2 lampu masih mati" is a reply, not a rating
        return None
    satisfied = True if satisfied is None else satisfied
    return Rating(
        score=score or DEFAULT_SCORE[satisfied],
        satisfied=satisfied,
        comment=" ".join(words),
        tracking=tracking,
        keyword=keyword,
    )


def rating_awaited(report: Report) -> bool:
    """Does the report wait for its reporter's rating (an answer to accept, or done and unrated)?"""
    return report.state == lc.State.FOLLOWED_UP or (report.state == lc.State.DONE and report.rating is None)


@transaction.atomic
def rating_give(*, report: Report, actor: Actor, rating: Rating) -> Report:
    """A rating read from a text (reports.services.report_rate_sent: accepted first if it waits)."""
    return report_rate_sent(
        report=report, actor=actor, rating=rating.score, comment=rating.comment, reopen=not rating.satisfied
    )
