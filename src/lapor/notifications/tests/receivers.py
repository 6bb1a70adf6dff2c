"""Local loopback receivers for tests: an HTTP server that records POSTs, an SMTP sink."""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorder:
    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.event = threading.Event()

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])


@contextmanager
def http_receiver():
    """Yields (url, recorder); every POST is recorded with headers and raw body."""
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            recorder.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(recorder.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            recorder.event.set()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", recorder
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def smtp_sink():
    """Yields (port, messages); messages are the raw e-mails received (aiosmtpd on loopback)."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            received.append({"to": envelope.rcpt_tos, "data": envelope.content})
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd needs a concrete port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()
