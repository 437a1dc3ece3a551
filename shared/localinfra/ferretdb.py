"""FerretDB 1.24 with its SQLite backend, built from deploy/local/ferretdb.

The wrapper there also serialises write commands, because FerretDB 1.x can lose one of two concurrent
updates to the same document (see its main.go); MongoDB never does, and the platform relies on it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from shared.localinfra.ports import LOCALHOST
from shared.localinfra.process import ServerProcess
from shared.localinfra.tools import DEPLOY_LOCAL, cache_dir, require_tool, run_tool

FERRETDB_VERSION = "1.24.2"
FERRETDB_MODULE = DEPLOY_LOCAL / "ferretdb"
FERRETDB_READY_TIMEOUT_S = 30.0

logger = logging.getLogger(__name__)


def _wrapper_digest() -> str:
    """A short digest of the wrapper module's sources: editing them builds a new binary."""
    digest = hashlib.sha256()
    for name in ("main.go", "go.mod", "go.sum"):
        digest.update((FERRETDB_MODULE / name).read_bytes())
    return digest.hexdigest()[:12]


def ferretdb_binary() -> Path:
    """The FerretDB executable, built with Go into the cache on first use."""
    binary = cache_dir() / "bin" / f"ferretdb-{FERRETDB_VERSION}-{_wrapper_digest()}"
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    go = require_tool("go", f"build FerretDB {FERRETDB_VERSION} (once, into {binary})")
    binary.parent.mkdir(parents=True, exist_ok=True)
    # Build under a temporary name and rename, so a half-written binary is never picked up.
    fd, partial_name = tempfile.mkstemp(prefix=f".{binary.name}.partial-", dir=binary.parent)
    os.close(fd)
    partial = Path(partial_name)
    try:
        logger.info("Building FerretDB %s into %s", FERRETDB_VERSION, binary)
        run_tool([go, "build", "-o", str(partial), "."], what="Building FerretDB with Go", cwd=FERRETDB_MODULE)
        partial.chmod(0o755)
        os.replace(partial, binary)
    finally:
        partial.unlink(missing_ok=True)
    return binary


def mongodb_uri(port: int) -> str:
    return f"mongodb://{LOCALHOST}:{port}/"


def launch_ferretdb(run_dir: Path, port: int) -> ServerProcess:
    """Start FerretDB on ``port`` with its SQLite files under ``run_dir`` (without waiting)."""
    binary = ferretdb_binary()
    data_dir = run_dir / "ferretdb"
    data_dir.mkdir(parents=True, exist_ok=True)
    return ServerProcess.launch(
        "ferretdb",
        [str(binary), "-listen", f"{LOCALHOST}:{port}", "-data", str(data_dir)],
        log_path=run_dir / "ferretdb.log",
        marker=str(data_dir),
    )


def mongodb_answers(uri: str, timeout: float = 2.0) -> bool:
    """True if the server at ``uri`` answers a ping."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    timeout_ms = int(timeout * 1000)
    client: MongoClient[dict[str, object]] = MongoClient(
        uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
    )
    try:
        client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        client.close()
    return True


def wait_for_ferretdb(server: ServerProcess, uri: str, timeout: float = FERRETDB_READY_TIMEOUT_S) -> None:
    """Block until FerretDB answers a ping; raise with the end of its log if it exits or time runs out."""
    server.wait_until_answering(lambda t: mongodb_answers(uri, timeout=t), uri, timeout, probe_timeout=1.0)
