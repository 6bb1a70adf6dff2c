"""The demo's simulated transitions are decided by lifecycle.py's table, like the services': the
demo cannot do what the services refuse, and a changed target state changes the demo too."""

from __future__ import annotations

import pytest

from lapor.demo import sim
from lapor.reports import lifecycle as lc


@pytest.fixture(autouse=True)
def fresh_cache():
    sim._TARGETS.clear()
    yield
    sim._TARGETS.clear()


def test_a_simulated_transition_takes_the_tables_target():
    assert sim._table_target(lc.State.SUBMITTED, lc.Action.ROUTE, lc.PLATFORM_ADMIN, False) == lc.State.ROUTED
    assert sim._table_target(lc.State.FOLLOWED_UP, lc.Action.REPLY, lc.REPORTER, False) == lc.State.IN_PROGRESS


def test_the_demo_refuses_what_the_services_refuse():
    with pytest.raises(lc.TransitionNotAllowed):  # a reporter cannot route
        sim._table_target(lc.State.SUBMITTED, lc.Action.ROUTE, lc.REPORTER, False)
    with pytest.raises(lc.TransitionNotAllowed):  # postponing needs a reason
        sim._table_target(lc.State.ROUTED, lc.Action.POSTPONE, lc.AGENCY_ADMIN, False)


def test_a_changed_rule_changes_the_demo(monkeypatch):
    changed = dict(lc.TRANSITIONS)
    changed[lc.Action.REPLY] = lc._t([lc.State.FOLLOWED_UP], lc.State.ROUTED, {lc.REPORTER})
    monkeypatch.setattr(lc, "TRANSITIONS", changed)
    assert sim._table_target(lc.State.FOLLOWED_UP, lc.Action.REPLY, lc.REPORTER, False) == lc.State.ROUTED
