"""Hostile input (issue 16): Schemathesis generates requests for every operation of
/api/openapi.json, with every check it has (``--checks all``), as a guest, a citizen, agency staff,
a platform admin and a partner system. No answer may be a 5xx, break the documented schema, status
or content type, accept what the schema refuses, refuse what it allows, or ignore its authentication.

The suite runs a few cases per operation and role (marked slow); ``bench/api_fuzz.py`` runs the
long campaign with LAPOR_FUZZ_EXAMPLES.
"""

from __future__ import annotations

import base64
import datetime as dt
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.parameters import ParameterLocation

from lapor.api.tests.fuzz_world import ROLES, world_make
from lapor.reports.deadlines import calendar_reset
from lapor.wsgi import application

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
EXAMPLES = int(os.environ.get("LAPOR_FUZZ_EXAMPLES", "3"))
COUNT_FILE = os.environ.get("LAPOR_FUZZ_COUNT_FILE", "")

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())  # the CLI's --checks all

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# The suite runs the examples and fuzzing phases (positive and negative cases); the coverage phase
# (every boundary and every kind of wrong value for every parameter: ~60 cases per operation and
# role) is the long campaign's (bench/api_fuzz.py sets LAPOR_FUZZ_PHASES).
schema.config.phases.update(phases=os.environ.get("LAPOR_FUZZ_PHASES", "examples,fuzzing").split(","))


@pytest.fixture(params=ROLES)
def world(request, net, monkeypatch):
    # Jobs the fuzz starts (POST /api/analytics/exports) stay queued: their answers are checked here.
    monkeypatch.setattr("lapor.analytics.jobs._submit_here", lambda job_id: None)
    # The requests share the test's transaction (as Django's test client does): the request signals
    # must not close its connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world_make(net, request.param)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _period_ordered(values: dict) -> None:
    start, end = values.get("from"), values.get("to")
    if isinstance(start, str) and end is None:  # ``to`` defaults to this month
        values["to"] = end = start
    if isinstance(start, str) and isinstance(end, str):
        if start > end:
            values["from"], values["to"] = end, start
        if int(values["to"][:4]) - int(values["from"][:4]) >= 10:
            values["from"] = values["to"]


def _within_unwritable_rules(case, world) -> None:
    """Rules no OpenAPI schema can state, applied to the cases generated as valid (the refusals
    themselves are tested where each rule lives; docs/api.md lists them):
    - an upload is judged by its bytes (JPEG, PNG, PDF, …; reports/attachments.py): a valid one
      carries a real PNG;
    - a password is not a common one nor like the name (Django's validators);
    - a period's ``from`` is not after its ``to``, at most 10 years apart (analytics);
    - an incident date is neither in the future nor over 10 years back (relative to today);
    - a guest (no credential) filing a report leaves an e-mail or phone number;
    - a phone number is in Indonesia's numbering plan (an allocated prefix at its length);
    - a page ``cursor`` is a token the server handed out (opaque): a valid case starts at page one."""
    meta = case.meta
    if (
        meta is None or meta.generation.mode.is_negative or any(c.mode.is_negative for c in meta.components.values())
    ):  # a case meant to be refused stays as it is
        return
    # copies: the coverage phase builds its cases from shared dicts, a change in place would leak
    body = dict(case.body) if isinstance(case.body, dict) else None
    if body is not None:
        case.body = body
        path = case.operation.path
        if "file" in body and path.endswith("/attachments"):
            body["file"] = PNG
        if "password" in body and path == "/api/accounts":
            body["password"] = "Kuda-Lumping-Sore-7"
        for field in ("guest_phone", "phone", "citizen_phone"):
            if body.get(field):
                body[field] = "0812-3456-7890"
        _period_ordered(body)
        if isinstance(body.get("incident_date"), str):
            body["incident_date"] = dt.date.today().isoformat()
        if (
            path == "/api/reports"
            and case.method == "POST"
            and "Authorization" not in world.headers
            and not body.get("guest_email")
            and not body.get("guest_phone")
        ):
            body["guest_email"] = "warga@example.com"
    if case.query:
        case.query = dict(case.query)
        _period_ordered(case.query)
        case.query.pop("cursor", None)
    # Still a valid case by construction (a PNG is binary, today a date …): Schemathesis must not
    # re-judge it from the replaced containers (it read the PNG's bytes as "not a string").
    for location, container in ((ParameterLocation.BODY, case.body), (ParameterLocation.QUERY, case.query)):
        meta.update_validated_hash(location, case._hash_container(container))
        meta.clear_dirty(location)


def _with_real_resources(case, world) -> None:
    """A valid path gets real resources (a report in some state, an agency, …) on most cases, so
    staff workflows run past their 404; a path generated to be invalid stays as it is."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return
    params = dict(case.path_parameters or {})
    for name in params:
        value = world.pick(name)
        if value is not None:
            params[name] = value
    case.path_parameters = params


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_every_operation_keeps_its_contract_for_every_role(case, world):
    if COUNT_FILE:
        with open(COUNT_FILE, "a") as f:
            f.write(f"{world.role}\t{case.operation.label}\n")
    _with_real_resources(case, world)
    _within_unwritable_rules(case, world)
    # Each case starts from the same world: a route that succeeded does not leave the report routed
    # for the next case, and a database error (PostgreSQL) does not abort the test's transaction.
    savepoint = transaction.savepoint()
    try:
        case.call_and_validate(headers=dict(world.headers), checks=ALL_CHECKS)
    finally:
        transaction.savepoint_rollback(savepoint)
        calendar_reset()  # a decree day the case made is rolled back: not kept in the cached calendar
