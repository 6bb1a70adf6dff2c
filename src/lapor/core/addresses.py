"""Where this deployment may send a webhook (a partner's webhook address, a peer's base URL): one rule,
asked when the address is set up (lapor.partners.services) and again at send time, at the moment of
connecting (lapor.notifications.senders), since a name may resolve to an internal address later.

Refused unless ``LAPOR_WEBHOOK_ALLOW_PRIVATE`` (development and tests with loopback servers):
plain ``http://``, and any address that is not on the public internet: loopback (127.0.0.0/8, ::1),
private ranges (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, where cloud metadata
lives, fe80::/10), carrier-grade NAT, multicast, unspecified; names such as ``localhost`` and
``*.internal`` / ``*.local``. Otherwise a partner's form could make the server call its own insides."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

INTERNAL_SUFFIXES = (".internal", ".local", ".localhost", ".localdomain", ".home.arpa", ".intranet", ".lan")


class PrivateAddressRefused(OSError):
    """A connection to an address that is not on the public internet, refused before any byte left."""


class AddressMissing(LookupError):
    """The partner or peer a webhook belongs to has no address to send it to any more."""


def private_allowed() -> bool:
    return bool(settings.LAPOR_WEBHOOK_ALLOW_PRIVATE)


def ip_private(value: str) -> bool:
    """Whether an IP address (text) is anything but a public internet address."""
    try:
        ip = ipaddress.ip_address(value.split("%", 1)[0].strip("[]"))
    except ValueError:
        return True  # not an address we can judge: refuse
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _host_internal(host: str) -> bool:
    host = host.lower().rstrip(".")
    if not host or host == "localhost" or host.endswith(INTERNAL_SUFFIXES):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "." not in host  # a bare name ("intranet", "db") only resolves inside a network
    return ip_private(host)


def address_refusal(url: str) -> str:
    """Why this URL may not be a webhook address, in the user's language ("" when it may). Looks
    at the scheme and the host as written; names are resolved only at send time (``connection_open``)."""
    if private_allowed():
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        return _("Alamat harus memakai https:// agar isi laporan terlindungi di perjalanan.")
    if _host_internal(parts.hostname or ""):
        return _("Alamat jaringan internal (mis. localhost, 127.0.0.1, 10.x, 192.168.x) tidak dapat dipakai.")
    return ""


def connection_open(address: tuple[str, int], timeout, source_address=None) -> socket.socket:
    """``socket.create_connection`` that refuses, unless allowed, a host whose every address it
    resolves to is internal: the check is made on the very addresses connected to (no second lookup)."""
    if private_allowed():
        return socket.create_connection(address, timeout, source_address)
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        if ip_private(str(sockaddr[0])):
            error = error or PrivateAddressRefused(f"{host} resolves to an internal address {sockaddr[0]}")
            continue
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"getaddrinfo returned nothing for {host}")
