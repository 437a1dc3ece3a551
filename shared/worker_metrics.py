"""Prometheus metrics of a worker process (consumer, relay, scheduler), which has no web server of its own."""

from __future__ import annotations

from prometheus_client import start_http_server

from shared.config import declare

METRICS_ADDRESS = declare(
    "METRICS_ADDRESS",
    "",
    "`host:port` where a consumer, relay or scheduler serves `/metrics` (Kubernetes: `0.0.0.0:9100`); empty: none.",
)


def serve_worker_metrics() -> str | None:
    """Serve this process's metrics in a background thread when ``METRICS_ADDRESS`` says where; returns it."""
    address = METRICS_ADDRESS.text()
    if not address:
        return None
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"environment variable {METRICS_ADDRESS.name} must be host:port, got {address!r}")
    start_http_server(int(port), addr=host or "127.0.0.1")
    return address
