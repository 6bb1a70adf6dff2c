"""Responses the API renders without pydantic validating them again."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def rendered(request: HttpRequest, body: dict, *, status: int = 200) -> HttpResponse:
    """``body`` as JSON through the API's renderer, skipping ninja's validation of every item against
    the endpoint's response schema (half the CPU of a 20-report page). For bodies built by the
    schemas' ``*_out`` functions, which produce exactly the declared shape (test_list_render.py)."""
    from .api import api  # lapor.api.api imports every router

    return api.create_response(request, body, status=status)
