"""Spam and abuse: flag, never silently drop. Flagged reports wait in the triage queue instead
of being routed automatically."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.conf import settings
from django.db.models import Q

from lapor.reports.models import Report

from .models import ReportFlag
from .textsim import tokens

# Insults common in Indonesian and regional languages. Animal words (anjing, babi, monyet) are
# deliberately absent: citizens report stray dogs, pig farms and monkeys.
ABUSIVE_WORDS = frozenset(
    """
bangsat brengsek goblok goblog tolol bajingan kampret keparat jancuk jancok cuk kontol memek ngentot
pantek pukimak lonte bego idiot sinting tai tahi bedebah laknat
""".split()
)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
REPEAT_WINDOW = dt.timedelta(hours=24)


def _same_sender(report: Report) -> Q | None:
    if report.reporter_id:
        return Q(reporter_id=report.reporter_id)
    if report.guest_phone:
        return Q(guest_phone=report.guest_phone)
    if report.guest_email:
        return Q(guest_email=report.guest_email)
    return None


def _fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(re.findall(r"\w+", text.lower())).encode()).hexdigest()


def meaningless(text: str) -> bool:
    words = WORD.findall(text.lower())
    if len(tokens(text)) < 2:
        return True
    letters = sum(len(w) for w in words)
    if letters < 8:
        return True
    # keyboard mashing: long runs of one character, or no vowels at all
    if re.search(r"(.)\1{5,}", text.lower()):
        return True
    return not any(ch in "aiueo" for ch in "".join(words))


def abuse_flags(report: Report) -> list[tuple[str, str]]:
    """The flags of a report about to be written (not yet saved: every earlier report counts)."""
    flags: list[tuple[str, str]] = []
    text = f"{report.title}\n{report.body}"
    if meaningless(report.body):
        flags.append((ReportFlag.Kind.MEANINGLESS, ""))
    bad = sorted({w for w in WORD.findall(text.lower()) if w in ABUSIVE_WORDS})
    if bad:
        flags.append((ReportFlag.Kind.ABUSIVE, ", ".join(bad)[:300]))
    sender = _same_sender(report)
    if sender is not None:
        limit = settings.LAPOR_FLOOD_PER_HOUR
        # one query: the sender's newest reports of the last 24 hours (enough rows to see a flood)
        recent = list(
            Report.objects.filter(sender, submitted_at__gte=report.submitted_at - REPEAT_WINDOW)
            .order_by("-submitted_at")
            .values_list("submitted_at", "body")[: max(50, limit + 1)]
        )
        fingerprint = _fingerprint(report.body)
        if any(_fingerprint(body) == fingerprint for _at, body in recent):
            flags.append((ReportFlag.Kind.REPEATED, ""))
        hour_ago = report.submitted_at - dt.timedelta(hours=1)
        hourly = sum(1 for at, _body in recent if at >= hour_ago)
        if hourly >= limit:
            flags.append((ReportFlag.Kind.FLOOD, f"{hourly + 1} laporan dalam satu jam"))
    return flags


def abuse_flags_save(report: Report, flags: list[tuple[str, str]]) -> list[ReportFlag]:
    """Store flags found by ``abuse_flags`` (report_submit checks before it writes the report)."""
    return ReportFlag.objects.bulk_create(
        [ReportFlag(report=report, kind=kind, detail=detail) for kind, detail in flags]
    )
