"""A short-lived server-side stash for the files of a submit form that came back (a field to fix, an
expired form, a server error): the citizen does not choose the photos again.

Each file is kept under ``DATA_DIR/stash/<token>/`` (outside the web root) for ``TTL_SECONDS``; the
token is 192 random bits that only the page given back to the sender carries (a hidden checkbox),
so nobody else can attach or read it. A successful submission deletes its entries; whatever is
left is swept by the next stash write once older than the TTL. Nothing here is ever served: a stashed
file only becomes an attachment through ``attachment_add``, with its checks, on the next submission.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TTL_SECONDS = 2 * 3600
# All stashed files together never take more than this: past it a file is not kept and the page asks
# for it to be chosen again (a flood of failing uploads cannot fill the disk).
MAX_TOTAL_BYTES = 512 * 1024 * 1024
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class Stashed:
    token: str
    name: str
    size: int


def _root() -> Path:
    return Path(settings.DATA_DIR) / "stash"


def _sweep(root: Path) -> int:
    """Delete what is past the TTL; the bytes still kept."""
    if not root.is_dir():
        return 0
    cutoff, total = time.time() - TTL_SECONDS, 0
    for entry in root.iterdir():
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
            else:
                total += (entry / "data").stat().st_size
        except OSError:
            pass
    return total


def stash_put(uploads) -> list[Stashed]:
    """Keep the uploads; one that does not fit under MAX_TOTAL_BYTES comes back with an empty token
    (the page then asks for that file to be chosen again)."""
    root = _root()
    total = _sweep(root)
    kept = []
    for upload in uploads:
        name = Path(upload.name or "lampiran").name[:200]
        if total + (upload.size or 0) > MAX_TOTAL_BYTES:
            kept.append(Stashed("", name, upload.size or 0))
            continue
        total += upload.size or 0
        token = secrets.token_urlsafe(24)
        folder = root / token
        folder.mkdir(parents=True, mode=0o700)
        with open(folder / "data", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        size = (folder / "data").stat().st_size
        (folder / "meta.json").write_text(json.dumps({"name": name, "size": size}))
        kept.append(Stashed(token, name, size))
    return kept


def stash_get(token: str) -> Stashed | None:
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    folder = _root() / token
    try:
        if folder.stat().st_mtime < time.time() - TTL_SECONDS:
            return None
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    return Stashed(token, str(meta.get("name", "lampiran")), int(meta.get("size", 0)))


def stash_read(item: Stashed) -> bytes:
    return (_root() / item.token / "data").read_bytes()


def stash_drop(items) -> None:
    for item in items:
        if TOKEN_RE.fullmatch(item.token):
            shutil.rmtree(_root() / item.token, ignore_errors=True)
