"""What a worker process needs on Kubernetes: a liveness probe, metrics, Kafka credentials, a waiting scheduler."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
import requests
from prometheus_client import Counter

from shared.kafka import client_security
from shared.runtime import LivenessFile, StopSignal, is_fresh, liveness_probe
from shared.scheduling import wait_touching
from shared.worker_metrics import serve_worker_metrics


def test_the_probe_fails_when_the_file_is_stale_or_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alive = tmp_path / "relay-alive"
    assert not is_fresh(alive, 120)
    with pytest.raises(SystemExit) as missing:
        liveness_probe([str(alive), "120"])
    assert missing.value.code == 1
    assert "was not touched in the last 120 s" in capsys.readouterr().err

    alive.touch()
    liveness_probe([str(alive), "120"])  # returns: exit code 0
    stale = time.time() - 300
    os.utime(alive, (stale, stale))
    with pytest.raises(SystemExit):
        liveness_probe([str(alive), "120"])


def test_a_waiting_scheduler_keeps_its_liveness_file_fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shared.scheduling.LIVENESS_TOUCH_SECONDS", 0.05)
    alive = tmp_path / "scheduler-alive"
    started = time.monotonic()
    wait_touching(StopSignal(install_handlers=False), LivenessFile(str(alive), min_interval=0), 0.3)
    assert time.monotonic() - started >= 0.3
    assert is_fresh(alive, 1), "touched while waiting, so a long interval never looks like a hang"

    stop = StopSignal(install_handlers=False)
    stop.set()
    started = time.monotonic()
    wait_touching(stop, LivenessFile(None), 60)
    assert time.monotonic() - started < 1, "a stop signal ends the wait"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_worker_serves_its_metrics_only_where_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("METRICS_ADDRESS", raising=False)
    assert serve_worker_metrics() is None
    monkeypatch.setenv("METRICS_ADDRESS", "127.0.0.1:not-a-port")
    with pytest.raises(ValueError, match="METRICS_ADDRESS must be host:port"):
        serve_worker_metrics()

    handled = Counter("test_worker_events_total", "events a test worker handled")
    handled.inc(3)
    address = f"127.0.0.1:{_free_port()}"
    monkeypatch.setenv("METRICS_ADDRESS", address)
    assert serve_worker_metrics() == address
    page = requests.get(f"http://{address}/metrics", timeout=5).text
    assert "test_worker_events_total 3.0" in page


def test_kafka_clients_use_sasl_over_tls_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SSL_CAFILE"):
        monkeypatch.delenv(name, raising=False)
    assert client_security() == {"security_protocol": "PLAINTEXT"}

    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "sasl_ssl")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "registry")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "hex-password")
    monkeypatch.setenv("KAFKA_SSL_CAFILE", "/etc/kafka-ca/ca.crt")
    assert client_security() == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "registry",
        "sasl_plain_password": "hex-password",
        "ssl_cafile": "/etc/kafka-ca/ca.crt",
    }
