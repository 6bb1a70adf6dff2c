"""Prequential evaluation (retrain before each period on everything so far), on synthetic CSVs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lapor.routing.ml.model import CSV_COLUMNS, RoutingModel
from lapor.routing.ml.prequential import period_start, prequential, split_at

from .test_ml_model import FILLERS, PLACES, TOPICS


def drifting_records(days: int = 120, per_day: int = 12, seed: int = 1) -> list[dict]:
    """Synthetic reports from 2022-01-01 on; from 2022-03-01 the "surat" complaints go to a new
    office (the city moved the service): a model trained once on January-February misses them."""
    rng = random.Random(seed)
    keys = sorted(TOPICS)
    out = []
    for d in range(days):
        day = dt.date(2022, 1, 1) + dt.timedelta(days=d)
        for j in range(per_day):
            topic = keys[(d * per_day + j) % len(keys)]
            agency, phrases = TOPICS[topic]
            district, sub = rng.choice(PLACES)
            if topic == "surat" and day >= dt.date(2022, 3, 1):
                agency = "Dinas Pelayanan Terpadu"
            out.append(
                {
                    "id": f"{d}-{j}",
                    "text": " ".join(rng.sample(phrases, 2) + rng.sample(FILLERS, 2)),
                    "agency": agency.replace("{subdistrict}", sub),
                    "topic": topic,
                    "district": district,
                    "subdistrict": sub,
                    "received_at": f"{day.isoformat()} {j % 24:02d}:10:00",
                    "channel": "web",
                }
            )
    return out


def write_csv(path, records):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
        w.writeheader()
        for r in records:
            w.writerow({c: r.get(c, "") for c in CSV_COLUMNS})


def small_model():
    return RoutingModel(use_topic=False, n_jobs=1)


def test_period_starts_are_calendar_months_and_iso_weeks():
    assert period_start(dt.date(2022, 7, 19), "monthly") == dt.date(2022, 7, 1)
    assert period_start(dt.date(2022, 7, 21), "weekly") == dt.date(2022, 7, 18)  # a Monday
    with pytest.raises(ValueError):
        period_start(dt.date(2022, 7, 21), "daily")


def test_split_at_a_date_or_the_median():
    records = drifting_records(days=60, per_day=2)
    history, test = split_at(records, dt.date(2022, 2, 1))
    assert len(history) == 62 and len(test) == 58
    assert max(r["received_at"] for r in history) < min(r["received_at"] for r in test)
    history, test = split_at(records)
    assert len(history) == len(test) == 60


def test_each_period_is_scored_by_a_model_trained_on_everything_before_it():
    records = drifting_records()
    history, test = split_at(records, dt.date(2022, 3, 1))
    models = []

    def make():
        models.append(small_model())
        return models[-1]

    out = prequential(history, test, retrain="monthly", make_model=make)
    assert [p["period"] for p in out["periods"]] == ["2022-03-01", "2022-04-01"]
    first, second = out["periods"]
    assert first["n_train"] == len(history)
    assert second["n_train"] == len(history) + first["n"]  # the history grows with each period
    assert first["n"] + second["n"] == out["n_test"] == len(test)
    # each period's auto-routing threshold is the one its own retrain chose on its held-out slice
    assert [p["threshold_95"] for p in out["periods"]] == [round(m.threshold_95_, 6) for m in models]
    for key in (
        "top1",
        "top3",
        "macro_f1",
        "coverage_at_precision_95",
        "classes",
        "fit_seconds",
        "predict_ms_per_report",
        "heldout_coverage_95",
        "heldout_precision_95",
    ):
        assert key in out


def test_retraining_follows_the_drift_a_single_fit_misses():
    records = drifting_records()
    history, test = split_at(records, dt.date(2022, 3, 1))
    weekly = prequential(history, test, retrain="weekly", make_model=small_model)
    once = small_model().fit(history)
    moved = [r for r in test if r["agency"] == "Dinas Pelayanan Terpadu"]
    assert not any(p[0][0] == "Dinas Pelayanan Terpadu" for p in once.predict_labels(moved, k=1))
    assert all(dt.date.fromisoformat(p["period"]).weekday() == 0 for p in weekly["periods"])
    once_top1 = sum(p[0][0] == r["agency"] for p, r in zip(once.predict_labels(test, k=1), test)) / len(test)
    assert once_top1 < 0.85  # the moved office is missed throughout
    # the retrained models learn the new office as its examples pile up
    assert weekly["periods"][-1]["top1"] > weekly["periods"][0]["top1"]
    assert weekly["top1"] > once_top1


def test_command_prequential_walks_the_second_half_without_the_topic(tmp_path):
    records = drifting_records(days=70, per_day=8)
    write_csv(tmp_path / "a.csv", records)
    out = io.StringIO()
    call_command(
        "routing", "evaluate", "--prequential", "--retrain", "monthly", "--train", str(tmp_path / "a.csv"), stdout=out
    )
    result = json.loads(out.getvalue())
    assert result["inputs"] == ["text", "district", "subdistrict", "channel"]  # the CSV's topic is never read
    assert result["n_history"] == result["n_test"] == len(records) // 2
    assert [p["period"] for p in result["periods"]] == ["2022-02-01", "2022-03-01"]
    assert 0.0 <= result["heldout_coverage_95"] <= 1.0


def test_command_prequential_with_a_test_file(tmp_path):
    records = drifting_records(days=70, per_day=8)
    write_csv(tmp_path / "a.csv", records[:400])
    write_csv(tmp_path / "b.csv", records[400:])
    out = io.StringIO()
    call_command(
        "routing",
        "evaluate",
        "--prequential",
        "--retrain",
        "weekly",
        "--train",
        str(tmp_path / "a.csv"),
        "--test",
        str(tmp_path / "b.csv"),
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["n_history"] == 400 and result["n_test"] == len(records) - 400
    assert result["retrain"] == "weekly" and len(result["periods"]) >= 2


def test_command_needs_a_test_file_unless_prequential(tmp_path):
    write_csv(tmp_path / "a.csv", drifting_records(days=10, per_day=2))
    with pytest.raises(CommandError):
        call_command("routing", "evaluate", "--train", str(tmp_path / "a.csv"), stdout=io.StringIO())
