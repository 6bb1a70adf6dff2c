"""A JSON body is checked against the JSON Schema the OpenAPI document shows for it (issue 16),
before Pydantic reads it: the server refuses what the schema refuses.

Pydantic's lax mode took ``"5"`` for an integer, ``0`` for ``false`` and ``0`` for the date
1970-01-01, and Ninja's schemas read any JSON value (``[null, null]``, ``"x"``) as an object with
every field missing. A body that breaks its schema (type, format, enum, length, pattern, required)
is now a 422 ``validation_failed`` naming where, as Pydantic's own refusals are.

NUL is taken out of every string of a JSON body and a query string once the schema has judged them
(the schema decides, on what was sent): it allows NUL, PostgreSQL text cannot hold it, and a login,
region code, export key, peer slug, agency search or queue status holding one was refused as a 400
``out_of_range`` (a DataError) for a valid request.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from ninja.errors import ValidationError
from ninja.params.models import BodyModel, QueryModel
from pydantic import BaseModel

_VALIDATORS: dict[type, Draft202012Validator] = {}


def _validator(model: type) -> Draft202012Validator:
    validator = _VALIDATORS.get(model)
    if validator is None:
        validator = Draft202012Validator(model.model_json_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
        _VALIDATORS[model] = validator
    return validator


def _without_nul(data):
    """``data`` (parsed JSON or a query dict) with NUL taken out of every string value, in place; not
    recursive (a body may nest as deep as the parser allowed)."""
    if isinstance(data, str):
        return data.replace("\x00", "")
    stack = [data]
    while stack:
        item = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        for key, value in list(item.items() if isinstance(item, dict) else enumerate(item)):
            if isinstance(value, str):
                if "\x00" in value:
                    item[key] = value.replace("\x00", "")
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return data


def _resolve(cls, request, api, path_params):
    data = cls.get_request_data(request, api, path_params)
    if data is None:
        return cls()
    errors = [_error(err) for err in _validator(cls).iter_errors(data)]
    if errors:
        raise ValidationError(errors[:20])
    data = cls._map_data_paths(_without_nul(data))
    return cls.model_validate(data, context={"request": request})


def _error(err) -> dict:
    """One refusal, naming where. "Any of" rules (a guest's e-mail or phone) name the fields that
    would satisfy them, never echo the body (jsonschema's message repeats the whole payload)."""
    where = ["body", *map(str, err.absolute_path)]
    if err.validator in ("anyOf", "oneOf") and isinstance(err.validator_value, list):
        fields = [
            name for option in err.validator_value if isinstance(option, dict) for name in option.get("required", [])
        ]
        if fields:
            return {
                "loc": where,
                "type": err.validator,
                "msg": _("Isi salah satu: %(fields)s.") % {"fields": ", ".join(fields)},
            }
        return {"loc": where, "type": err.validator, "msg": _("Data tidak memenuhi aturan mana pun.")}
    return {"loc": where, "msg": err.message[:300], "type": err.validator}


_query_resolve = QueryModel.resolve.__func__


def _model_without_nul(model):
    """A validated query model with NUL taken out of its strings (and of its lists' and nested
    models' strings), after validation: the schema judged what was sent."""
    for name, value in list(model):
        if isinstance(value, str) and "\x00" in value:
            object.__setattr__(model, name, value.replace("\x00", ""))
        elif isinstance(value, list):
            value[:] = [v.replace("\x00", "") if isinstance(v, str) else v for v in value]
        elif isinstance(value, BaseModel):
            _model_without_nul(value)
    return model


def _query_resolve_without_nul(cls, request, api, path_params):
    return _model_without_nul(_query_resolve(cls, request, api, path_params))


def install() -> None:
    BodyModel.resolve = classmethod(_resolve)
    QueryModel.resolve = classmethod(_query_resolve_without_nul)
