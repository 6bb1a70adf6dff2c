"""Hostile input: Schemathesis generates requests for every operation of /api/openapi.json; none
may answer 5xx, and every answer must match the documented schema.

The suite runs a few cases per operation (marked slow); ``bench/api_fuzz.py`` runs the full
≥1,000-case campaign with LAPOR_FUZZ_EXAMPLES. Half of the cases carry a platform admin's token,
so the staff operations are reached beyond their 401.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from lapor.core import testing
from lapor.wsgi import application

EXAMPLES = int(os.environ.get("LAPOR_FUZZ_EXAMPLES", "4"))
CASES: list[int] = [0]
COUNT_FILE = os.environ.get("LAPOR_FUZZ_COUNT_FILE", "")

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def admin_token(net, monkeypatch):
    # Jobs the fuzz starts (POST /api/analytics/exports) stay queued: their answers are what is checked
    # here, and a job thread beside the cases would share the in-memory SQLite test database, whose
    # shared cache locks whole tables without waiting (the jobs themselves: analytics/tests/test_jobs.py).
    monkeypatch.setattr("lapor.analytics.jobs._submit_here", lambda job_id: None)
    return testing.token_make(net.user("platform"))


@pytest.mark.slow
# Autocommit, as in production: a database error in one case (e.g. an out-of-range integer on
# PostgreSQL) must not leave an aborted test transaction that Django then closes for every later case.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_breaks_its_schema(case, admin_token):
    CASES[0] += 1
    if COUNT_FILE:
        with open(COUNT_FILE, "a") as f:
            f.write(f"{case.operation.label}\n")
    headers = {"Authorization": f"Bearer {admin_token}"} if CASES[0] % 2 else {}
    # Schemathesis's WSGI transport asks for gzip but does not decode it (answers are gzip-compressed).
    headers["Accept-Encoding"] = "identity"
    case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
