"""Fetch and build what the tests run, once, before they start: Kafka's jars, FerretDB and the Go tools.

``make test`` runs this beside the Chromium install. On a fresh machine it is minutes of downloading and
compiling, done here side by side instead of inside the first tests of each worker (where both workers
would build the same servers at once). On a machine that has them it returns at once.
"""

from __future__ import annotations

import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from shared.localinfra.ferretdb import ferretdb_binary
from shared.localinfra.kafka import prepare_kafka
from tests.deploy.tools import EVERY_TOOL


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    steps = (prepare_kafka, ferretdb_binary, *EVERY_TOOL)
    with ThreadPoolExecutor(max_workers=len(steps), thread_name_prefix="prepare") as pool:
        futures = {step.__name__: pool.submit(step) for step in steps}
    failed = {name: future.exception() for name, future in futures.items() if future.exception() is not None}
    for name, error in failed.items():
        print(f"could not prepare {name}: {error}", file=sys.stderr)
    if not failed:
        print(f"Servers and tools ready in {time.monotonic() - started:.0f} s.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
