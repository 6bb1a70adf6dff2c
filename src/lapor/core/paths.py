"""Materialised paths: a node's path is its ancestors' ids, so a whole subtree is one
indexed prefix query (``path LIKE '000001.000042.%'``) instead of recursion in Python."""

from __future__ import annotations

SEGMENT = 8


def path_for(parent_path: str | None, pk: int) -> str:
    return f"{parent_path or ''}{pk:0{SEGMENT}d}."


def depth_of(path: str) -> int:
    return path.count(".") - 1
