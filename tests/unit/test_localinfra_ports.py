"""Port selection for the local test servers: no servers needed."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.localinfra import PortInUseError, claim_port, claim_ports


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 with a listening socket on it for the duration of the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_taken_port_gives_an_error_naming_the_port(taken_port: int) -> None:
    with pytest.raises(PortInUseError, match=rf"Port {taken_port} on 127\.0\.0\.1 .*Kafka broker") as caught:
        claim_port(taken_port, "Kafka broker")
    assert caught.value.port == taken_port


def test_a_free_requested_port_is_returned_as_is() -> None:
    free = claim_port(None, "anything")
    assert claim_port(free, "anything") == free


def test_ports_picked_together_are_distinct() -> None:
    ports = claim_ports({"a": None, "b": None, "c": None})
    assert len(set(ports.values())) == 3


def test_start_local_refuses_a_taken_port_before_starting_anything(taken_port: int, tmp_path: Path) -> None:
    from shared.localinfra import start_local

    with pytest.raises(PortInUseError, match=str(taken_port)):
        start_local(tmp_path, mongodb_port=taken_port)
    assert not (tmp_path / "ferretdb.log").exists()
    assert not (tmp_path / "kafka.log").exists()
