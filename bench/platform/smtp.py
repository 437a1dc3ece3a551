"""The platform benchmark's mail server: ``python -m bench.platform.smtp --port P --out mail.jsonl``.

An aiosmtpd server on 127.0.0.1 that accepts every e-mail and writes one JSON line per message, flushed at
once: when it was accepted (``time.time()``), to whom and its decoded subject. The load driver reads the
file to time the hop from an order to the seller's e-mail.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import IO, Any

from aiosmtpd.controller import Controller


class Recording:
    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        accepted = time.time()
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        line = json.dumps({"at": accepted, "to": list(envelope.rcpt_tos), "subject": str(message["Subject"] or "")})
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()
        return "250 OK"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.platform.smtp")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with args.out.open("a", encoding="utf-8") as out:
        controller = Controller(Recording(out), hostname="127.0.0.1", port=args.port)
        controller.start()
        try:
            stop.wait()
        finally:
            controller.stop()


if __name__ == "__main__":
    main()
