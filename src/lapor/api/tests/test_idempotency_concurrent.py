"""Concurrent retries with one Idempotency-Key create exactly one report (PostgreSQL)."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from lapor.accounts.testing import submission_data
from lapor.reports.models import Report


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_create_one_report():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL")
    body = json.dumps(submission_data(guest_email="warga@example.com"))
    results, barrier = [], threading.Barrier(6)

    def post():
        client = Client()
        barrier.wait()
        res = client.post("/api/reports", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="same-key")
        results.append((res.status_code, res.json().get("tracking_id")))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Report.objects.count() == 1
    assert {code for code, _ in results} <= {200, 201}
    assert len({tid for _, tid in results}) == 1
