"""Answer quality per agency: the share of follow-ups the checker flagged (reports/answers.py), the
reporters' ratings and the reopen rate, side by side; and whether flagged answers really get worse
ratings and more reopens.

Each report counts once, by its first follow-up in the period: that is the answer a reporter rates
or rejects (a rating is given once; "not satisfied" reopens the report once, with the rating).
Only follow-ups the checker has rated (``AnswerRating``) count (``lapor answers backfill`` rates older ones)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Q
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.accounts.selectors import user_grants
from lapor.core.errors import PermissionDenied
from lapor.reports.answers import FLAGS_ALL
from lapor.reports.deadlines import tz
from lapor.reports.models import AnswerRating

from .rollup import month_next

SIDES = ("flagged", "unflagged")


def _bounds(period) -> tuple[dt.datetime, dt.datetime]:
    zone = tz()
    return (
        dt.datetime.combine(period.start, dt.time(), tzinfo=zone),
        dt.datetime.combine(month_next(period.end), dt.time(), tzinfo=zone),
    )


def _scope_q(user: User | None) -> Q | None:
    grants = user_grants(user)
    if not grants:
        raise PermissionDenied(_("Halaman ini hanya untuk petugas."))
    if any(g.path is None for g in grants):
        return None
    q = Q()
    for g in grants:
        q |= Q(message__agency__path__startswith=g.path)
    return q


def _first_answers(user: User | None, period) -> list[tuple]:
    start, end = _bounds(period)
    ratings = AnswerRating.objects.filter(
        message__created_at__gte=start, message__created_at__lt=end, message__agency__isnull=False
    )
    scope = _scope_q(user)
    if scope is not None:
        ratings = ratings.filter(scope)
    rows = ratings.order_by("message__report_id", "message__created_at", "message_id").values_list(
        "message__report_id",
        "message__agency_id",
        "message__agency__name",
        "flags",
        "flagged",
        "message__report__rating",
        "message__report__reopen_count",
    )
    seen, out = set(), []
    for row in rows.iterator(chunk_size=5000):
        if row[0] not in seen:
            seen.add(row[0])
            out.append(row)
    return out


def _side() -> dict:
    return {"answers": 0, "rated": 0, "rating_sum": 0, "reopened": 0}


def _finish(side: dict) -> dict:
    n, rated = side["answers"], side["rated"]
    return {
        "answers": n,
        "rated": rated,
        "mean_rating": round(side["rating_sum"] / rated, 2) if rated else None,
        "reopen_rate": round(side["reopened"] / n, 3) if n else None,
    }


def answer_quality_get(user: User | None, period) -> dict:
    """Per agency in the viewer's scope, worst share of flagged answers first; and the comparison of
    flagged and unflagged answers over the whole scope."""
    agencies: dict[int, dict] = {}
    overall = {side: _side() for side in SIDES}
    flags: Counter = Counter()
    for _report_id, agency_id, name, flag_list, flagged, rating, reopen_count in _first_answers(user, period):
        row = agencies.setdefault(
            agency_id,
            {
                "agency_id": agency_id,
                "name": name,
                "answers": 0,
                "flagged": 0,
                "sides": {side: _side() for side in SIDES},
            },
        )
        flags.update(flag_list or [])
        row["answers"] += 1
        row["flagged"] += flagged
        for side in (
            row["sides"]["flagged" if flagged else "unflagged"],
            overall["flagged" if flagged else "unflagged"],
        ):
            side["answers"] += 1
            side["rated"] += rating is not None
            side["rating_sum"] += rating or 0
            side["reopened"] += (reopen_count or 0) > 0
    rows = []
    for row in agencies.values():
        everyone = {k: row["sides"]["flagged"][k] + row["sides"]["unflagged"][k] for k in _side()}
        rows.append(
            {
                "agency_id": row["agency_id"],
                "name": row["name"],
                "answers": row["answers"],
                "flagged_share": round(row["flagged"] / row["answers"], 3),
                **{k: v for k, v in _finish(everyone).items() if k in ("mean_rating", "reopen_rate")},
                "flagged": _finish(row["sides"]["flagged"]),
                "unflagged": _finish(row["sides"]["unflagged"]),
            }
        )
    rows.sort(key=lambda r: (-r["flagged_share"], r["name"]))
    total = sum(r["answers"] for r in rows)
    return {
        "period": {"from": period.start, "to": period.end},
        "answers": total,
        "flags": [
            {"code": code, "answers": flags[code], "share": round(flags[code] / total, 3) if total else None}
            for code in FLAGS_ALL
        ],
        "flagged": _finish(overall["flagged"]),
        "unflagged": _finish(overall["unflagged"]),
        "agencies": rows,
    }
