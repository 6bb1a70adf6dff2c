"""A lost database connection answers 503 with Retry-After (never a 500), and nothing is written."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from lapor.core.middleware import DatabaseUnavailableMiddleware
from lapor.accounts.testing import submission_data
from lapor.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection unexpectedly"), InterfaceError("connection already closed")],
)
def test_api_answers_503_with_retry_after_when_the_database_is_lost(net, api, monkeypatch, error):
    def lost(**kwargs):
        raise error

    monkeypatch.setattr("lapor.reports.services.report_submit_once", lost)
    before = Report.objects.count()
    response = api.post("/api/reports", submission_data())
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response.json()["code"] == "service_unavailable"
    assert Report.objects.count() == before


def test_pages_get_a_503_page_and_other_errors_are_left_alone():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/laporan/baru")
    response = middleware.process_exception(request, OperationalError("the database system is shutting down"))
    assert response.status_code == 503 and response["Retry-After"]
    assert b"coba lagi" in response.content
    assert middleware.process_exception(request, ValueError("a bug")) is None
