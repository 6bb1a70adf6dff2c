"""Static files go over the wire precompressed, in the embedded default too.

``lapor serve`` collects the static files into ``STATIC_ROOT`` at start (``static_collect``):
WhiteNoise's ``CompressedStaticFilesStorage`` writes a ``.gz`` beside each text file, once, at
gzip level 9. ``StaticFilesMiddleware`` is WhiteNoise serving those files (the ``.gz`` to clients
that accept gzip) while still finding the apps' files directly (``WHITENOISE_USE_FINDERS``) for
anything not collected, or changed since the last collection: a test run or a developer's edit never
gets a stale copy.
"""

from __future__ import annotations

import filecmp
import hashlib
import logging
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from whitenoise.middleware import WhiteNoiseMiddleware

log = logging.getLogger(__name__)
STAMP_SUFFIX = ".collected"  # beside STATIC_ROOT (not in it, where it would be served): the sources' fingerprint
IGNORE = ["*.map", "redoc*"]  # source maps and the unused ReDoc bundle: 4 MB nobody downloads


def _sources() -> dict[str, str]:
    found: dict[str, str] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(IGNORE):
            prefix = (getattr(storage, "prefix", None) or "").strip("/")
            found.setdefault(f"{prefix}/{path}" if prefix else path, storage.path(path))
    return found


def static_collect(*, force: bool = False) -> bool:
    """Collect and precompress the static files when their sources changed. True when it ran."""
    root = Path(settings.STATIC_ROOT)
    sources = _sources()
    digest = hashlib.sha256()
    for name in sorted(sources):
        stat = os.stat(sources[name])
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    fingerprint = digest.hexdigest()
    stamp = root.with_name(root.name + STAMP_SUFFIX)
    if not force and stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    try:
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=IGNORE)
        stamp.write_text(fingerprint)
    except OSError:  # a read-only data directory: the apps' files are still served, uncompressed
        log.warning("static files not collected into %s", root, exc_info=True)
        return False
    log.info("static files collected and compressed into %s", root)
    return True


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise preferring the collected copy (which has its ``.gz``) when it holds the same bytes
    as the app's file, and the app's file otherwise."""

    def add_files_from_finders(self):
        collected = dict(self.files)  # from STATIC_ROOT, added first by WhiteNoiseMiddleware.__init__
        root = Path(self.static_root) if self.static_root else None
        files: dict[str, str] = {}
        for finder in finders.get_finders():
            for path, storage in finder.list(None):
                prefix = (getattr(storage, "prefix", None) or "").strip("/")
                url = "".join((self.static_prefix, prefix, "/" if prefix else "", path.replace("\\", "/")))
                files.setdefault(url, storage.path(path))
        for url, path in files.items():
            if url in collected and root is not None:
                copy = root / url[len(self.static_prefix) :]
                try:
                    if filecmp.cmp(copy, path, shallow=False):
                        continue  # keep the collected entry, with its compressed variants
                except OSError:
                    pass
            self.add_file_to_dictionary(url, path)
