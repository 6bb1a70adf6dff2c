"""The scheduler of `lapor serve` derives when each job last ran from what it left behind, so a
restart does not run the daily full roll-up (or open data, PDFs, retraining) again (issue 15)."""

import datetime as dt
import os
import time

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from lapor.analytics.models import RollupRun
from lapor.core import scheduler as sched

ROLLUPS = {
    name: entry
    for name, entry in django_settings.CELERY_BEAT_SCHEDULE.items()
    if name in ("analytics-refresh", "analytics-refresh-full")
}


@pytest.fixture
def rollup_jobs_only(settings):
    settings.CELERY_BEAT_SCHEDULE = dict(ROLLUPS)


def _run(full: bool, hours_ago: float) -> RollupRun:
    started = timezone.now() - dt.timedelta(hours=hours_ago)
    return RollupRun.objects.create(started_at=started, finished_at=started + dt.timedelta(minutes=1), full=full)


def test_the_daily_schedule_has_the_jobs_audited():
    # the jobs whose last run is derived: if one is renamed, this must follow
    for name in sched.EVIDENCE:
        assert name in django_settings.CELERY_BEAT_SCHEDULE, name


def test_a_recent_full_refresh_is_not_run_again_at_start(db, rollup_jobs_only):
    _run(full=True, hours_ago=3)
    scheduler = sched.Scheduler()
    plan = scheduler.plan()
    assert plan["analytics-refresh-full"]["due"] is False
    assert plan["analytics-refresh"]["due"] is True  # the cheap incremental one runs soon after start
    ran = scheduler.tick()
    assert ran == ["analytics-refresh"]
    assert RollupRun.objects.filter(full=True).count() == 1
    assert RollupRun.objects.filter(full=False, finished_at__isnull=False).count() == 1


def test_an_old_full_refresh_is_run(db, rollup_jobs_only):
    _run(full=True, hours_ago=30)
    _run(full=False, hours_ago=0.1)  # a recent incremental one does not stand in for the daily full
    scheduler = sched.Scheduler()
    assert scheduler.plan()["analytics-refresh"]["due"] is False
    assert scheduler.tick() == ["analytics-refresh-full"]
    assert RollupRun.objects.filter(full=True).count() == 2


def test_fresh_data_one_full_refresh_not_two(db, rollup_jobs_only):
    # no run at all: the incremental refresh is a full one, and the full job sees it just before it runs
    scheduler = sched.Scheduler()
    assert all(row["due"] for row in scheduler.plan().values())
    assert scheduler.tick() == ["analytics-refresh"]
    assert RollupRun.objects.filter(full=True).count() == 1
    assert sched.Scheduler().tick() == []  # a restart right after: nothing due


def test_files_and_the_state_file_count_as_evidence(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LAPOR_OPENDATA_DIR = tmp_path / "opendata"
    settings.CELERY_BEAT_SCHEDULE = {
        "analytics-opendata": {"task": "lapor.analytics.tasks.opendata", "schedule": 86400},
        "notifications-daily": {"task": "lapor.notifications.tasks.daily", "schedule": 3600.0},
    }
    plan = sched.Scheduler().plan()
    assert plan["analytics-opendata"]["due"] and plan["notifications-daily"]["due"]

    from lapor.analytics.opendata import opendata_path

    path = opendata_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    assert sched.Scheduler().plan()["analytics-opendata"]["due"] is False
    old = time.time() - 2 * 86400
    os.utime(path, (old, old))
    assert sched.Scheduler().plan()["analytics-opendata"]["due"] is True

    scheduler = sched.Scheduler()
    assert set(scheduler.tick()) == {"analytics-opendata", "notifications-daily"}
    assert sched.state_path().exists()
    # a restart: the state file says the hourly job ran a moment ago, the file says open data did
    assert not any(row["due"] for row in sched.Scheduler().plan().values())


def test_models_directory_is_the_retrain_evidence(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CELERY_BEAT_SCHEDULE = {"routing-retrain": {"task": "lapor.routing.tasks.retrain", "schedule": 7 * 86400}}
    assert sched.Scheduler().plan()["routing-retrain"]["due"] is True
    for label in ("agency", "topic"):
        (tmp_path / "models" / label).mkdir(parents=True)
        (tmp_path / "models" / label / "CURRENT").write_text("v1")
    assert sched.Scheduler().plan()["routing-retrain"]["due"] is False
