"""Every error body has a machine ``code`` and a human ``message`` in the request's language."""

from __future__ import annotations

import logging

from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lapor.core.errors import DomainError

log = logging.getLogger(__name__)


def _body(code: str, message, detail=None) -> dict:
    body = {"code": code, "message": str(message)}
    if detail is not None:
        body["detail"] = detail
    return body


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, _body(exc.code, _(str(exc.message)), exc.detail), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        detail = [
            {"loc": [str(p) for p in err.get("loc", [])], "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors
        ]
        return api.create_response(
            request, _body("validation_failed", _("Data yang dikirim tidak valid."), detail), status=422
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(request, _body("unauthenticated", _("Silakan masuk terlebih dahulu.")), status=401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, _body("not_found", _("Data tidak ditemukan.")), status=404)

    @api.exception_handler(OverflowError)  # SQLite: an integer beyond 64 bits in a filter or path
    @api.exception_handler(DataError)  # PostgreSQL: numeric value out of range and the like
    def out_of_range(request, exc):
        log.info("refused out-of-range input on %s: %s", request.path, exc)
        return api.create_response(
            request, _body("out_of_range", _("Nilai di luar jangkauan yang diizinkan.")), status=400
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        message = str(exc)
        if message.startswith("Cannot parse request body"):  # Ninja's words, in English only
            message = _("Badan permintaan tidak dapat dibaca.")
        return api.create_response(request, _body("http_error", message), status=exc.status_code)
