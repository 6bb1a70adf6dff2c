#!/usr/bin/env python
"""The answer checker (reports/answers.py) measured: precision and recall of each flag on the
hand-labelled set (reports/tests/answer_cases.py), and how often each flag fires on the follow-ups
of a database (the demo data, or a deployment's own), with the ratings and reopen rates of flagged
and unflagged answers side by side.

    PYTHONPATH=src LAPOR_DATA_DIR=var .venv/bin/python bench/answer_quality.py [--db] [--limit N]

Without ``--db`` only the labelled set is scored (no database needed beyond settings).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import django  # noqa: E402

django.setup()

from lapor.reports.answers import BOILERPLATE, NOT_CONCRETE, OFF_TOPIC, SHORT, answer_rate  # noqa: E402
from lapor.reports.tests.answer_cases import CASES, HELDOUT  # noqa: E402

FLAGS = (SHORT, BOILERPLATE, NOT_CONCRETE, OFF_TOPIC)


def labelled_scores(cases) -> dict:
    tp, fp, fn, wrong = Counter(), Counter(), Counter(), []
    for name, report_text, answer, expected, earlier in cases:
        got = set(answer_rate(body=answer, report_text=report_text, earlier=earlier).flags)
        for flag in FLAGS:
            tp[flag] += flag in got and flag in expected
            fp[flag] += flag in got and flag not in expected
            fn[flag] += flag not in got and flag in expected
        if got != expected:
            wrong.append({"case": name, "expected": sorted(expected), "got": sorted(got)})
    out = {"cases": len(cases), "exact": len(cases) - len(wrong), "per_flag": {}, "wrong": wrong}
    for flag in FLAGS:
        flagged, actual = tp[flag] + fp[flag], tp[flag] + fn[flag]
        out["per_flag"][flag] = {
            "precision": round(tp[flag] / flagged, 3) if flagged else None,
            "recall": round(tp[flag] / actual, 3) if actual else None,
            "flagged": flagged,
            "labelled": actual,
        }
    any_tp = sum(1 for _, r, a, e, earlier in cases if e and answer_rate(body=a, report_text=r, earlier=earlier).flags)
    any_flagged = sum(1 for _, r, a, e, earlier in cases if answer_rate(body=a, report_text=r, earlier=earlier).flags)
    out["any_flag_precision"] = round(any_tp / any_flagged, 3) if any_flagged else None
    return out


def database_scores(limit: int) -> dict:
    from lapor.reports.answers import answer_check
    from lapor.reports.models import Message

    messages = (
        Message.objects.filter(kind=Message.Kind.FOLLOW_UP)
        .select_related("report", "report__topic", "report__agency")
        .order_by("-created_at")[:limit]
    )
    counts, by_flagged = Counter(), {True: Counter(), False: Counter()}
    for message in messages:
        check = answer_check(report=message.report, body=message.body)
        counts.update(check.flags)
        group = by_flagged[bool(check.flags)]
        group["answers"] += 1
        if message.report.rating is not None:
            group["rated"] += 1
            group["rating_sum"] += message.report.rating
        group["reopened"] += message.report.reopen_count > 0
    n = sum(g["answers"] for g in by_flagged.values())
    side = {
        ("flagged" if k else "unflagged"): {
            "answers": g["answers"],
            "mean_rating": round(g["rating_sum"] / g["rated"], 2) if g["rated"] else None,
            "reopen_rate": round(g["reopened"] / g["answers"], 3) if g["answers"] else None,
        }
        for k, g in by_flagged.items()
    }
    return {"answers": n, "flag_rate": {f: round(counts[f] / n, 3) if n else None for f in FLAGS}, "side_by_side": side}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", action="store_true", help="also score the follow-ups in the database")
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args()
    result = {"tuned_on": labelled_scores(CASES), "held_out": labelled_scores(HELDOUT)}
    if args.db:
        result["database"] = database_scores(args.limit)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
