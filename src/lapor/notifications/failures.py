"""Why a delivery failed, in two forms: a short code stored at the head of ``last_error`` with the
technical detail after it (``[dns] URLError: <urlopen error [Errno -2] …>``, for the log and the
admin), and a plain reason in the reader's language for the pages (``failure_reason``)."""

from __future__ import annotations

import re
import socket
import ssl
import urllib.error

from django.utils.translation import gettext as _

from lapor.core.addresses import AddressMissing, PrivateAddressRefused

CODE = re.compile(r"^\[([a-z_]+)(?::(\d{3}))?\] ")
HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def _code(exc: BaseException) -> str:
    reason = (
        exc.reason if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError) else exc
    )
    if isinstance(reason, PrivateAddressRefused):
        return "private"
    if isinstance(reason, socket.gaierror):
        return "dns"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return "tls"
    if isinstance(reason, ConnectionRefusedError):
        return "refused"
    if isinstance(reason, AddressMissing):
        return "no_address"
    if isinstance(reason, ConnectionError):
        return "connection"
    status = getattr(exc, "status", None) or getattr(exc, "code", None)
    match = HTTP_STATUS.search(str(exc))
    if isinstance(status, int) and 100 <= status <= 599:
        return f"http:{status}"
    if match:
        return f"http:{match.group(1)}"
    return "other"


def failure_text(exc: BaseException) -> str:
    """What ``last_error`` stores: ``[code] Type: detail``."""
    return f"[{_code(exc)}] {type(exc).__name__}: {exc}"[:2000]


def failure_reason(last_error: str) -> str:
    """The plain reason of a stored failure, in the active language ("" when none)."""
    if not last_error:
        return ""
    match = CODE.match(last_error)
    code, status = (match.group(1), match.group(2)) if match else _legacy_code(last_error)
    if code == "http":
        return _("Ditolak: HTTP %(status)s dari penerima") % {"status": status}
    reasons = {
        "dns": _("Alamat tidak ditemukan (DNS)"),
        "timeout": _("Waktu habis"),
        "tls": _("Sertifikat TLS tidak sah"),
        "refused": _("Koneksi ditolak"),
        "connection": _("Koneksi terputus"),
        "private": _("Alamat jaringan internal atau tanpa https ditolak"),
        "no_address": _("Mitra tidak punya alamat webhook lagi"),
    }
    return reasons.get(code, _("Pengiriman gagal"))


def _legacy_code(last_error: str) -> tuple[str, str | None]:
    """A failure stored before the codes: judged from its text."""
    status = HTTP_STATUS.search(last_error)
    if status:
        return "http", status.group(1)
    for code, words in LEGACY_WORDS.items():
        if any(word in last_error for word in words):
            return code, None
    return "other", None


LEGACY_WORDS = {
    "dns": ("Name or service not known", "nodename nor servname", "gaierror", "Temporary failure in name resolution"),
    "timeout": ("timed out", "TimeoutError"),
    "tls": ("CERTIFICATE_VERIFY_FAILED", "SSLError", "certificate"),
    "refused": ("Connection refused", "ConnectionRefusedError"),
}


def failure_detail(last_error: str) -> str:
    """The technical detail without the code (for an operator who opens the details)."""
    return CODE.sub("", last_error, count=1)
