"""Characters no text of ours may hold, taken out at intake (every channel goes through
``reports.services``) and again when writing XML (defence in depth).

- C0 controls except tab, line feed and carriage return, DEL and the C1 controls: invisible,
  and the C0 ones are not allowed in XML 1.0 at all (one of them in a public report made
  Open311's ``requests.xml`` unreadable for every client);
- U+FFFE and U+FFFF (noncharacters, not allowed in XML) and lone surrogates (not encodable in UTF-8);
- NUL (PostgreSQL text cannot hold it);
- the bidirectional embedding/override/isolate controls: no Indonesian (or Arabic-script) text
  needs them, and U+202E shows a list's text reversed ("gnitset") to disguise what it says.
"""

from __future__ import annotations

import json

_CONTROLS = [c for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)] + list(range(0x7F, 0xA0))
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_NONCHARS = [0xFFFE, 0xFFFF]
_SURROGATES = list(range(0xD800, 0xE000))
_STRIPPED = str.maketrans(dict.fromkeys([*_CONTROLS, *_BIDI, *_NONCHARS, *_SURROGATES]))
_XML_INVALID = str.maketrans(
    dict.fromkeys([c for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)] + _NONCHARS + _SURROGATES)
)


def text_clean(value: str | None) -> str:
    """``value`` without the characters above (not stripped of whitespace)."""
    return (value or "").translate(_STRIPPED)


def xml_safe(value: str) -> str:
    """``value`` with only characters XML 1.0 allows (for a writer that must never fail)."""
    return value.translate(_XML_INVALID)


def json_clean(value):
    """A JSON value with every string passed through ``text_clean`` (keys too): a gateway's raw
    payload kept beside a draft must store on PostgreSQL, whose jsonb refuses the NUL character."""
    if isinstance(value, str):
        return text_clean(value)
    if isinstance(value, dict):
        return {text_clean(str(k)): json_clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_clean(v) for v in value]
    return value


JSON_DEPTH_MAX = 64  # no webhook, relay or cursor of ours nests deeper than a dozen levels


def json_loads_strict(raw: bytes | str):
    """A request body's JSON, or ``ValueError``: not JSON, not UTF-8, nested deeper than
    ``JSON_DEPTH_MAX`` (a 100,000-level body was a RecursionError in the parser, a 500-level one in
    ``json_clean`` after it: both 500s), or holding a lone surrogate in a key or a string
    (``"\\ud800"`` is valid JSON, yet no database or UTF-8 writer can store it)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None
    stack = [(value, 0)]
    while stack:  # not recursive: the value may be as deep as the parser allowed
        item, depth = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                raise ValueError("lone surrogate in JSON text")
        elif isinstance(item, (dict, list)):
            if depth >= JSON_DEPTH_MAX:
                raise ValueError("JSON nested too deep")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return value
