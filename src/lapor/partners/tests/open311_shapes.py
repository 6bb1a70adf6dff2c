"""The shapes of GeoReport v2 (https://wiki.open311.org/GeoReport_v2), as a small checker for our
answers in XML and JSON: services, a service definition, service requests, a POST answer, a token,
errors and discovery. ``shape_check(kind, fmt, content)`` parses the answer (an XML answer must be
well-formed) and returns a list of what is wrong; empty means it has the spec's shape.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# root element, item element, {field: kind}; kind: "text", "?text" (may be empty/null), "bool",
# "int", "?number", "?w3c", "w3c", "enum:a|b"
SERVICE = {
    "service_code": "text",
    "service_name": "text",
    "description": "?text",
    "metadata": "bool",
    "type": "enum:realtime|batch|blackbox",
    "keywords": "?text",
    "group": "?text",
}
REQUEST = {
    "service_request_id": "text",
    "status": "enum:open|closed",
    "status_notes": "?text",
    "service_name": "?text",
    "service_code": "?text",
    "description": "?text",
    "agency_responsible": "?text",
    "service_notice": "?text",
    "requested_datetime": "w3c",
    "updated_datetime": "?w3c",
    "expected_datetime": "?w3c",
    "address": "?text",
    "address_id": "?text",
    "zipcode": "?text",
    "lat": "?number",
    "long": "?number",
    "media_url": "?text",
}
CREATED = {"service_request_id": "?text", "token": "?text", "service_notice": "?text", "account_id": "?text"}
TOKEN = {"service_request_id": "?text", "token": "text"}
ERROR = {"code": "int", "description": "text"}
ATTRIBUTE = {
    "variable": "bool",
    "code": "text",
    "datatype": "enum:string|number|datetime|text|singlevaluelist|multivaluelist",
    "required": "bool",
    "datatype_description": "?text",
    "order": "int",
    "description": "text",
}
LISTS = {
    "services": ("services", "service", SERVICE),
    "requests": ("service_requests", "request", REQUEST),
    "created": ("service_requests", "request", CREATED),
    "token": ("service_requests", "request", TOKEN),
    "errors": ("errors", "error", ERROR),
}


def _value_problem(name: str, kind: str, value) -> str | None:
    optional = kind.startswith("?")
    kind = kind.lstrip("?")
    if value is None or value == "":
        return None if optional else f"{name}: missing"
    if kind == "text":
        return None if isinstance(value, str) else f"{name}: not text ({value!r})"
    if kind == "bool":
        return None if value in (True, False, "true", "false") else f"{name}: not a boolean ({value!r})"
    if kind == "int":
        return None if re.fullmatch(r"-?\d+", str(value)) and not isinstance(value, bool) else f"{name}: not an integer"
    if kind == "number":
        try:
            float(value)
        except (TypeError, ValueError):
            return f"{name}: not a number ({value!r})"
        return None if not isinstance(value, bool) else f"{name}: not a number"
    if kind == "w3c":
        return None if isinstance(value, str) and W3C.match(value) else f"{name}: not a W3C datetime ({value!r})"
    if kind.startswith("enum:"):
        return None if value in kind[5:].split("|") else f"{name}: {value!r} not one of {kind[5:]}"
    raise AssertionError(kind)


def _fields_check(where: str, item: dict, fields: dict) -> list[str]:
    problems = [f"{where}: unknown field {key}" for key in item if key not in fields]
    for name, kind in fields.items():
        if name not in item:
            if not kind.startswith("?"):
                problems.append(f"{where}: no {name}")
            continue
        problem = _value_problem(name, kind, item[name])
        if problem:
            problems.append(f"{where}: {problem}")
    return problems


def _xml_item(element: ET.Element) -> dict:
    # an element without children is a value; XML has no null, an empty element stands for it
    return {child.tag: (child.text if child.text is not None else None) for child in element}


def _json_list(kind: str, data) -> list[str]:
    _root, _item, fields = LISTS[kind]
    if not isinstance(data, list):
        return [f"{kind}: a JSON answer is a list, got {type(data).__name__}"]
    problems = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            problems.append(f"{kind}[{i}]: not an object")
            continue
        problems += _fields_check(f"{kind}[{i}]", item, fields)
    return problems


def _xml_list(kind: str, root: ET.Element) -> list[str]:
    root_tag, item_tag, fields = LISTS[kind]
    if root.tag != root_tag:
        return [f"{kind}: root <{root.tag}>, the spec's is <{root_tag}>"]
    problems = [f"{kind}: <{child.tag}> inside <{root_tag}>" for child in root if child.tag != item_tag]
    for i, element in enumerate(root.findall(item_tag)):
        problems += _fields_check(f"{kind}[{i}]", _xml_item(element), fields)
    return problems


def _definition(fmt: str, content: bytes) -> list[str]:
    if fmt == "json":
        data = json.loads(content)
        if not isinstance(data, dict) or not isinstance(data.get("attributes"), list):
            return ["service definition: an object with an attributes list"]
        attributes = data["attributes"]
        problems = [] if isinstance(data.get("service_code"), str) and data["service_code"] else ["no service_code"]
        for i, attr in enumerate(attributes):
            values = attr.pop("values", None) if isinstance(attr, dict) else None
            problems += _fields_check(f"attribute[{i}]", attr, ATTRIBUTE)
            problems += _values_check(i, attr.get("datatype"), values)
        return problems
    root = ET.fromstring(content)
    if root.tag != "service_definition":
        return [f"service definition: root <{root.tag}>"]
    problems = [] if (root.findtext("service_code") or "").strip() else ["no service_code"]
    for i, element in enumerate(root.find("attributes") or []):
        if element.tag != "attribute":
            problems.append(f"<{element.tag}> inside <attributes>")
            continue
        values_el = element.find("values")
        attr = {child.tag: child.text for child in element if child.tag != "values"}
        values = None if values_el is None else [_xml_item(v) for v in values_el.findall("value")]
        problems += _fields_check(f"attribute[{i}]", attr, ATTRIBUTE)
        problems += _values_check(i, attr.get("datatype"), values)
    return problems


def _values_check(i: int, datatype, values) -> list[str]:
    if datatype in ("singlevaluelist", "multivaluelist"):
        if not values:
            return [f"attribute[{i}]: a value list without values"]
        return [f"attribute[{i}]: a value needs key and name" for v in values if not v.get("key") or not v.get("name")]
    return []


def _discovery(fmt: str, content: bytes) -> list[str]:
    if fmt == "json":
        data = json.loads(content)
        endpoints = data.get("endpoints") if isinstance(data, dict) else None
        if not isinstance(endpoints, list) or not endpoints:
            return ["discovery: no endpoints"]
        problems = [] if W3C.match(str(data.get("changeset", ""))) else ["discovery: changeset not W3C"]
        for e in endpoints:
            if not {"specification", "url", "changeset", "type", "formats"} <= set(e):
                problems.append(f"discovery endpoint lacks fields: {sorted(e)}")
            elif not isinstance(e["formats"], list) or not e["formats"]:
                problems.append("discovery endpoint: formats is a list")
        return problems
    root = ET.fromstring(content)
    if root.tag != "discovery":
        return [f"discovery: root <{root.tag}>"]
    problems = [] if W3C.match(root.findtext("changeset") or "") else ["discovery: changeset not W3C"]
    endpoints = root.find("endpoints")
    if endpoints is None or not endpoints.findall("endpoint"):
        return problems + ["discovery: no <endpoints><endpoint>"]
    for e in endpoints.findall("endpoint"):
        for tag in ("specification", "url", "changeset", "type"):
            if not (e.findtext(tag) or "").strip():
                problems.append(f"discovery endpoint: no <{tag}>")
        formats = e.find("formats")
        if formats is None or not [f.text for f in formats.findall("format") if f.text]:
            problems.append("discovery endpoint: no <formats><format>")
    return problems


def shape_check(kind: str, fmt: str, content: bytes) -> list[str]:
    """What is wrong with ``content`` as a GeoReport v2 answer of ``kind`` (services, definition,
    requests, created, token, errors, discovery) in ``fmt``; parsing errors are raised."""
    if kind == "definition":
        return _definition(fmt, content)
    if kind == "discovery":
        return _discovery(fmt, content)
    if fmt == "json":
        return _json_list(kind, json.loads(content))
    return _xml_list(kind, ET.fromstring(content))
