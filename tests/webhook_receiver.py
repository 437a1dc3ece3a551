"""A webhook receiver on 127.0.0.1 for tests: it answers 200 at once, or only after ``hang`` seconds."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

LOCALHOST = "127.0.0.1"


class Call(NamedTuple):
    delivery_id: str
    """The ``X-Solidarity-Delivery`` header."""
    event_id: str
    at: float
    """``time.monotonic()`` when the call arrived."""


@dataclass
class HttpReceiver:
    """Every call received, repeats kept; ``url`` is where to subscribe."""

    hang: float = 0.0
    hits: list[Call] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def event_ids(self) -> list[str]:
        with self.lock:
            return [call.event_id for call in self.hits]


@contextmanager
def http_receiver(hang: float = 0.0) -> Iterator[HttpReceiver]:
    """A receiver that hangs (``hang`` > 0) keeps each call waiting until then or until the block ends."""
    state = HttpReceiver(hang=hang)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = json.loads(raw or b"{}")
            call = Call(self.headers.get("X-Solidarity-Delivery", ""), str(body.get("event_id")), time.monotonic())
            with state.lock:
                state.hits.append(call)
            if state.hang:
                state.released.wait(state.hang)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://{LOCALHOST}:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        state.released.set()
        server.shutdown()
        server.server_close()
