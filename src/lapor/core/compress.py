"""Pages, JSON, CSV and XML answers gzip-compressed for clients that accept it (a citizen on a slow
3G phone downloads the home page in about a third of the bytes).

Safe with the CSRF token and other secrets in a page: Django's ``GZipMiddleware`` (since 4.2) adds
up to 100 random bytes to every compressed answer, the "Heal the BREACH" mitigation, so the length
of an answer no longer tells an attacker whether a guess matched a secret; and Django sends the CSRF
token masked afresh on every response (a different string each time). See docs/security.md.

Only text is compressed: attachments (JPEG, PDF, MP4) are already compressed, and compressing them
again costs CPU for nothing. Static files never pass here: WhiteNoise answers them first, with the
``.gz`` written at collection (lapor.core.static).
"""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/problem+json",
    "application/xml",
    "application/javascript",
    "application/geo+json",
    "application/ld+json",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
