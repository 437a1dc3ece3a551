"""gunicorn's settings for every web process, from the environment.

Run as ``gunicorn --config python:shared.web.gunicorn_conf``; each image sets ``WSGI_APP`` to its app.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from gunicorn import util
from prometheus_client import multiprocess

from shared.config import declare
from shared.web.errors import status_text
from shared.web.metrics import MULTIPROC_DIR
from shared.web.request_input import MAX_URL_BYTES

WSGI_APP = declare(
    "WSGI_APP", "", "The application a web process serves, e.g. `services.registry.entrypoints.app:create_app()`."
)
WEB_BIND = declare("WEB_BIND", "127.0.0.1:8000", "`host:port` a web process listens on (images: `0.0.0.0:8000`).")
WEB_CONCURRENCY = declare("WEB_CONCURRENCY", 2, "gunicorn worker processes per web pod.")
WEB_THREADS = declare("WEB_THREADS", 1, "Threads per worker (the portal, which mostly waits on the services: 4).")

wsgi_app = WSGI_APP.text() or None
bind = [WEB_BIND.text()]
workers = WEB_CONCURRENCY.integer()
threads = WEB_THREADS.integer()
accesslog = "-"
loglevel = "warning"
graceful_timeout = 20
"""Below Kubernetes' 30 s termination grace, so requests in flight finish before the pod is killed."""
limit_request_line = 8190
"""gunicorn's largest; the application refuses URLs past MAX_URL_BYTES first, with a JSON 414 of its own
(gunicorn's is an HTML page), leaving room below this for the method and the protocol version."""
assert MAX_URL_BYTES + len("OPTIONS  HTTP/1.1") < limit_request_line


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own refusals (a request line or headers past its limits, a request it cannot parse) in the
    platform's JSON error format instead of gunicorn's HTML page. The details stay in gunicorn's log."""
    code = reason.lower().replace(" ", "_")
    body = json.dumps({"status": status_int, "code": code, "message": status_text(status_int).as_dict()})
    data = body.encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + data)


def metrics_folder(configured: str, pid: int) -> Path:
    """This gunicorn's own folder under the configured one: other process groups may share that one.

    (A relay or another web process started meanwhile keeps its files; a master restarted with the same
    pid, as in a container, starts from an empty folder of its own.)"""
    return Path(configured) / f"web-{pid}"


_configured_metrics = MULTIPROC_DIR.text()
raw_env = [f"{MULTIPROC_DIR.name}={metrics_folder(_configured_metrics, os.getpid())}"] if _configured_metrics else []
"""This module runs in the master: its workers write, and /metrics reads, only the master's own folder."""


def on_starting(server: Any) -> None:
    """Start with an empty metrics folder of this process group's own: files of an earlier run's workers
    would be counted again, and deleting the shared folder would pull it from under other processes.

    And answer gunicorn's own refusals in JSON (the workers, forked from here, inherit it)."""
    util.write_error = write_json_error
    own = MULTIPROC_DIR.text()  # raw_env's, set by now
    if own:
        shutil.rmtree(own, ignore_errors=True)
        Path(own).mkdir(parents=True, exist_ok=True)


def on_exit(server: Any) -> None:
    """The folder goes with the process group that used it."""
    own = MULTIPROC_DIR.text()
    if own and Path(own).name == f"web-{os.getpid()}":
        shutil.rmtree(own, ignore_errors=True)


def child_exit(server: Any, worker: Any) -> None:
    """A worker that exits stops counting in the live gauges."""
    if MULTIPROC_DIR.text():
        multiprocess.mark_process_dead(worker.pid)
