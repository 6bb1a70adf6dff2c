"""Domain errors. Services raise them; the API and pages turn them into 4xx responses
with a machine code and a message in the user's language."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: Any, *, code: str | None = None, detail: Any = None):
        super().__init__(str(message))
        self.message = message  # often a lazy translation, rendered in the request's language
        if code:
            self.code = code
        self.detail = detail


class ValidationFailed(DomainError):
    status = 400
    code = "validation_failed"


class Unauthenticated(DomainError):
    """Wrong credentials (HTTP 401)."""

    status = 401
    code = "unauthenticated"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class TransitionNotAllowed(DomainError):
    """The state machine refuses: wrong state, wrong role, or missing reason (HTTP 409)."""

    status = 409
    code = "transition_not_allowed"


class Conflict(DomainError):
    status = 409
    code = "conflict"
