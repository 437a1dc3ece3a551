"""FerretDB 1.24 with its SQLite backend, built from deploy/local/ferretdb.

The wrapper there also serialises write commands, because FerretDB 1.x can lose one of two concurrent
updates to the same document (see its main.go); MongoDB never does, and the platform relies on it.

FerretDB is built from its released module with small patches (``PATCHES``):

- 1.24 creates the unique ``_id`` index of each SQLite table on ``_ferretdb_sjson->"_id"`` but filters
  on ``_ferretdb_sjson->'$._id'``, an expression SQLite does not match to the index, so every read,
  update and delete by ``_id`` scanned the whole table. The filter now uses the indexed expression.
- An update command kept every statement's read of the table open until the command ended: each statement
  held one more SQLite connection of a pool of 100, so a command of about a hundred updates waited for a
  connection forever (``shared.mongo.WRITES_PER_COMMAND`` stays under that for a stock FerretDB). Each
  statement's read now ends with the statement, as the delete command's already did.
- It narrowed a query by ``_id`` only when ``_id`` was the filter's sole field, so a conditional update
  such as ``{_id, version}`` decoded the whole collection. It now narrows whenever the filter names a
  string ``_id``; FerretDB applies the full filter to what the table returns either way.
- Decoding stored documents (its SJSON format) took half of its CPU for a read or an update by ``_id`` of
  a 10 kB document; it now decodes with ``github.com/goccy/go-json``, a faster implementation of the same
  ``encoding/json`` interface.
- Every SQL statement formatted its arguments (whole documents) for a debug line the wrapper's log level
  never writes; the attributes are now formatted only when the line is written.
- Every query and transaction was recorded in a pprof profile with its call stack, to find leaks in its
  own debug builds; release builds (ours) no longer do.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import stat
from pathlib import Path

from shared.localinfra.errors import InfrastructureError
from shared.localinfra.gotools import cached_binary
from shared.localinfra.ports import LOCALHOST
from shared.localinfra.process import ServerProcess
from shared.localinfra.tools import DEPLOY_LOCAL, run_tool

FERRETDB_VERSION = "1.24.2"
FERRETDB_MODULE = DEPLOY_LOCAL / "ferretdb"
FERRETDB_READY_TIMEOUT_S = 30.0

logger = logging.getLogger(__name__)


FERRETDB_PACKAGE = "github.com/FerretDB/FerretDB"
WRAPPER_FILES = ("main.go", "go.mod", "go.sum")
Patch = tuple[str, str, str, int]
"""(file, text, replacement, how many times the text occurs in the released source)."""

SJSON_SOURCES = "array binary bool datetime document double int32 int64 object_id regex schema sjson string timestamp"
SJSON_DECODER: list[Patch] = [
    (f"internal/handler/sjson/{name}.go", '\t"encoding/json"\n', '\tjson "github.com/goccy/go-json"\n', 1)
    for name in SJSON_SOURCES.split()
]
LAZY_DEBUG_LINES: list[Patch] = [
    (
        f"internal/util/fsql/{who}.go",
        f'{who}.l.With(fields...).DebugContext(ctx, fmt.Sprintf("{arrows} %s", query))',
        f'{who}.l.DebugContext(ctx, "{arrows} "+query, fields...)',
        3,
    )
    for who in ("tx", "db")
    for arrows in (">>>", "<<<")
] + [(f"internal/util/fsql/{who}.go", '\t"fmt"\n', "", 1) for who in ("tx", "db")]  # only those lines used fmt
NO_RELEASE_TRACKING: list[Patch] = [
    (
        "internal/util/resource/resource.go",
        f"func {name}(obj any, token *Token) {{\n",
        f"func {name}(obj any, token *Token) {{\n\tif !debugbuild.Enabled {{\n\t\treturn\n\t}}\n",
        1,
    )
    for name in ("Track", "Untrack")
]
PATCHES: list[Patch] = [
    (
        "internal/backends/sqlite/metadata/metadata.go",
        "IDColumn = DefaultColumn + \"->'$._id'\"",
        'IDColumn = DefaultColumn + "->\\"_id\\""',
        1,
    ),
    (
        "internal/backends/sqlite/collection.go",
        "if params.Filter.Len() == 1 {",
        "if params.Filter.Len() >= 1 {",
        2,
    ),
    (
        "internal/handler/msg_update.go",
        "\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n",
        "\t\tcloser := iterator.NewMultiCloser()\n",
        1,
    ),
    (
        "internal/handler/msg_update.go",
        '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
        '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close()\n',
        1,
    ),
    *SJSON_DECODER,
    *LAZY_DEBUG_LINES,
    *NO_RELEASE_TRACKING,
]


def _wrapper_digest() -> str:
    """A short digest of the wrapper module's sources and the patches: editing them builds a new binary."""
    digest = hashlib.sha256()
    for name in WRAPPER_FILES:
        digest.update((FERRETDB_MODULE / name).read_bytes())
    digest.update(json.dumps(PATCHES).encode())
    return digest.hexdigest()[:12]


def _patched_source(go: str, into: Path) -> None:
    """Copy FerretDB's released module (fetched by Go into its module cache) to ``into`` and patch it."""
    listing = run_tool([go, "mod", "download", "-json", f"{FERRETDB_PACKAGE}@v{FERRETDB_VERSION}"],
                       what="Fetching the FerretDB module", cwd=FERRETDB_MODULE)  # fmt: skip
    shutil.copytree(json.loads(listing)["Dir"], into)
    for path in into.rglob("*"):  # the module cache is read-only
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    for relative, text, replacement, occurrences in PATCHES:
        source = into / relative
        content = source.read_text(encoding="utf-8")
        if content.count(text) != occurrences:
            raise InfrastructureError(f"FerretDB {FERRETDB_VERSION}: cannot apply the patch to {relative}")
        source.write_text(content.replace(text, replacement), encoding="utf-8")


def _build(go: str, output: Path, work: Path) -> None:
    """Build the wrapper module against the patched FerretDB source."""
    _patched_source(go, work / "ferretdb")
    module = work / "wrapper"
    module.mkdir()
    for name in WRAPPER_FILES:
        shutil.copy2(FERRETDB_MODULE / name, module / name)
    with (module / "go.mod").open("a", encoding="utf-8") as go_mod:
        go_mod.write(f"\nreplace {FERRETDB_PACKAGE} => {work / 'ferretdb'}\n")
    run_tool([go, "build", "-o", str(output), "."], what="Building FerretDB with Go", cwd=module)


def ferretdb_binary() -> Path:
    """The FerretDB executable, built with Go into the cache on first use."""
    name = f"ferretdb-{FERRETDB_VERSION}-{_wrapper_digest()}"
    return cached_binary(name, f"build FerretDB {FERRETDB_VERSION}", _build)


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
