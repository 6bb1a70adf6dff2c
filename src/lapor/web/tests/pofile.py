"""A minimal .po reader for the catalogue tests (no extra dependency)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def po_entries(path: Path) -> list[dict]:
    """Entries as dicts: msgid, msgid_plural, msgstr (list of strings), fuzzy."""
    entries, cur, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if cur is not None:
                entries.append(cur)
            cur, key = None, None
            continue
        if cur is None:
            cur = {"msgid": "", "msgid_plural": None, "msgstr": {}, "fuzzy": False, "msgctxt": None}
        if line.startswith("#,") and "fuzzy" in line:
            cur["fuzzy"] = True
        if line.startswith("#"):
            continue
        match = LINE.match(line)
        if match:
            key, value = match.group(1), ast.literal_eval(match.group(2))
            if key.startswith("msgstr"):
                cur["msgstr"][key] = value
            else:
                cur[key] = value
        elif line.startswith('"') and key:
            value = ast.literal_eval(line)
            if key.startswith("msgstr"):
                cur["msgstr"][key] += value
            else:
                cur[key] += value
    return [e for e in entries if e["msgid"]]  # drop the header
