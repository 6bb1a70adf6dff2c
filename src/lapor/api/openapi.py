"""The OpenAPI schema tells the truth about errors and guests.

Ninja documents the answers an operation declares. Every operation can also answer with the
project's error body ``{code, message, detail}`` (``api/errors.py``): a bad parameter (400), no or
a bad credential (401, where the operation has authentication), not allowed (403), not found
(404), a state-machine refusal (409), a body over the limit (413), a URI or a header over the caps (414,
431, ``core/bodylimit.py``), a body the schema refuses (422), a rate limit (429) and a lost database (503); an operation that takes a body (POST, PUT, PATCH,
DELETE) also a body sent without ``Content-Length`` (411, ``core/bodylimit.py``). Operations that a guest may call (``guest_ok`` among
their authentications) declare an empty security requirement ``{}``: credentials are optional.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from lapor.core.bodylimit import BODY_METHODS

from .auth import guest_ok

ERROR_STATUSES = {
    400: "Bad request: a parameter or field is invalid (`code` says which rule)",
    401: "No or an invalid credential",
    403: "Not allowed for this caller",
    404: "Not found, or not visible to this caller",
    409: "Not possible in the report's current state (`code`: role_not_allowed, wrong_state, reason_required)",
    413: "Request body too large",
    414: "Path and query string too long (`code`: uri_too_long, `detail.max_bytes`)",
    422: "The body or parameters do not match the schema (`code`: validation_failed, `detail`: where)",
    429: "Rate limited; `Retry-After` says when to try again",
    431: "A request header (a cookie) too large (`code`: header_too_large, `detail.max_bytes`)",
    503: "Temporarily unavailable (database); `Retry-After` says when to try again",
}
BODY_ERROR_STATUSES = {411: "A body sent without `Content-Length` (chunked) is refused before it is read"}
ERROR_SCHEMA = {
    "title": "ErrorOut",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "machine code, listed in docs/api.md"},
        "message": {"type": "string", "description": "for people, in the request's language"},
        "detail": {"description": "what and where, when the code needs it (field, errors, …)"},
    },
}


class _Schema(OpenAPISchema):
    def operation_details(self, operation) -> dict:
        result = super().operation_details(operation)
        callbacks = operation.auth_callbacks or []
        if any(cb is guest_ok for cb in callbacks):
            result.setdefault("security", [])
            if {} not in result["security"]:
                result["security"].append({})
        responses = result["responses"]
        statuses = dict(ERROR_STATUSES)
        if set(operation.methods) & BODY_METHODS:
            statuses.update(BODY_ERROR_STATUSES)
        for status, text in sorted(statuses.items()):
            if status == 401 and not callbacks:
                continue
            if status not in responses and str(status) not in responses:
                responses[status] = {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": f"{self.api.openapi_ref_prefix}ErrorOut"}}},
                }
        return result

    def get_components(self) -> dict:
        components = super().get_components()
        components["schemas"].setdefault("ErrorOut", ERROR_SCHEMA)
        return components


class LaporAPI(NinjaAPI):
    openapi_ref_prefix = "#/components/schemas/"

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _Schema(self, path_prefix)
