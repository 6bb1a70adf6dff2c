"""gunicorn's threaded worker for ``lapor serve``, whose refusals of a malformed or over-long request
head are in the application's documented shapes, not gunicorn's text/html page.

gunicorn reads the request line and headers before Django sees anything. ``lapor serve`` gives it
generous hard caps (``bodylimit.SERVER_MAX_REQUEST_LINE``, ``SERVER_MAX_HEADER_BYTES``) above the
application's own (``bodylimit.MAX_URI_BYTES``, ``MAX_HEADER_BYTES``, refused by
``RequestHeadLimitMiddleware``); what is over a hard cap, or unreadable (400), is answered here:
414/431/400 through the project's error response, JSON ``{code, message, detail}`` under /api/,
/federation/ and /intake/, the Open311 error list under /open311/, the site's page elsewhere. The
path is read from the first bytes of the request even when gunicorn gave up on the line, so an
over-long Open311 or API URL is known for what it is. A request whose path cannot be read at all
keeps gunicorn's answer.
"""

from __future__ import annotations

from django.http import HttpRequest
from gunicorn.http import errors as http_errors
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker

from . import bodylimit

HEAD_PEEK_BYTES = 4096
BAD_REQUEST = (
    http_errors.InvalidRequestLine,
    http_errors.InvalidRequestMethod,
    http_errors.InvalidHTTPVersion,
    http_errors.InvalidHeader,
    http_errors.InvalidHeaderName,
    http_errors.ObsoleteFolding,
    http_errors.InvalidSchemeHeaders,
    http_errors.InvalidChunkSize,
    http_errors.ChunkMissingTerminator,
    http_errors.InvalidChunkExtension,
)
REASONS = {400: "Bad Request", 414: "URI Too Long", 431: "Request Header Fields Too Large"}


def path_from_head(head: bytes) -> str:
    """The path of ``METHOD SP target …`` however the line ends (or does not: it may be cut)."""
    line = head.lstrip(b"\r\n").split(b"\r\n", 1)[0]
    parts = line.split(b" ", 2)
    if len(parts) < 2 or not parts[1].startswith(b"/"):
        return ""
    return parts[1].split(b"?", 1)[0].split(b"#", 1)[0].decode("latin-1")


class HeadKeepingRequest(Request):
    """gunicorn's request, which on a parse error tells the error the path it had read."""

    def read_into(self, unreader, buf, stop=False):
        self.__dict__.setdefault("lapor_head", buf)  # the first buffer holds the request line
        return super().read_into(unreader, buf, stop)

    def parse(self, unreader):
        try:
            return super().parse(unreader)
        except http_errors.ParseException as exc:
            exc.lapor_path = path_from_head(bytes(self.__dict__.get("lapor_head", b"")[:HEAD_PEEK_BYTES]))
            raise


def refusal_status(exc) -> int | None:
    if isinstance(exc, http_errors.LimitRequestLine):
        return 414
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return 431
    if isinstance(exc, BAD_REQUEST) and not isinstance(
        exc, (http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName)
    ):
        return 400
    return None


def refusal_bytes(status: int, path: str) -> bytes:
    """The whole HTTP answer, from the project's error response for this path."""
    request = HttpRequest()
    request.path = request.path_info = path
    request.method = "GET"
    if status == 414:
        response = bodylimit.head_refusal(request, 414, bodylimit.MAX_URI_BYTES)
    elif status == 431:
        response = bodylimit.head_refusal(request, 431, bodylimit.MAX_HEADER_BYTES)
    else:
        response = bodylimit.bad_request_refusal(request)
    body = response.content
    headers = [(k, v) for k, v in response.items() if k.lower() not in ("content-length", "connection")]
    head = f"HTTP/1.1 {status} {REASONS[status]}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode("latin-1") + b"\r\n" + body


class LaporWorker(ThreadWorker):
    def init_process(self):
        RequestParser.mesg_class = HeadKeepingRequest  # in this worker process only
        super().init_process()

    def handle_error(self, req, client, addr, exc):
        status = refusal_status(exc)
        path = getattr(req, "path", None) or getattr(getattr(exc, "req", None), "path", None)
        path = path or getattr(exc, "lapor_path", "")
        if status is None or not path:
            return super().handle_error(req, client, addr, exc)
        try:
            answer = refusal_bytes(status, path)
        except Exception:  # noqa: BLE001  (gunicorn's own answer is better than none)
            self.log.exception("refusal of %s in the door's shape failed", path[:100])
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s %s", (addr or ("",))[0], status, str(exc)[:200])
        try:
            write_nonblock(client, answer)
        except Exception:  # noqa: BLE001
            self.log.debug("Failed to send error message.")
