"""Choosing TCP ports on the loopback interface."""

from __future__ import annotations

import contextlib
import socket

from shared.localinfra.errors import PortInUseError

LOCALHOST = "127.0.0.1"


def _bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Java and Go servers set SO_REUSEADDR too, so a port lingering in TIME_WAIT counts as free.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def claim_ports(requested: dict[str, int | None], host: str = LOCALHOST) -> dict[str, int]:
    """Resolve each named port: check a requested one is free, or pick a free one.

    All sockets stay bound until every port is chosen, so the picks are distinct. The ports
    are released before returning; the server that uses one must bind it soon after.
    """
    held: list[socket.socket] = []
    chosen: dict[str, int] = {}
    try:
        for purpose, port in requested.items():
            try:
                sock = _bound_socket(host, port or 0)
            except OSError as err:
                if port:
                    raise PortInUseError(port, host, purpose) from err
                raise
            held.append(sock)
            chosen[purpose] = sock.getsockname()[1]
    finally:
        for sock in held:
            sock.close()
    return chosen


def claim_port(port: int | None, purpose: str, host: str = LOCALHOST) -> int:
    """Return ``port`` if it is free (else raise `PortInUseError`), or any free port if ``None``."""
    return claim_ports({purpose: port}, host)[purpose]


def is_listening(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if something accepts TCP connections on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False
