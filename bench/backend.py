"""Which database the benchmarks run against: the sizes and the report depend on it."""

from __future__ import annotations

from typing import Any

from shared.localinfra import Infrastructure
from shared.mongo import connect


def backend_of(infra: Infrastructure) -> dict[str, Any]:
    client = connect(infra.mongodb_uri, app_name="bench")
    try:
        info = client.admin.command("buildInfo")
    finally:
        client.close()
    ferretdb = "ferretdbVersion" in info
    return {
        "source": infra.source,
        "database": "FerretDB (SQLite backend)" if ferretdb and infra.source == "local" else
                    "FerretDB" if ferretdb else f"MongoDB {info.get('version', '?')}",
        "ferretdb": ferretdb,
    }  # fmt: skip
