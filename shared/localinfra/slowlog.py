"""Rank the commands of the local FerretDB's slow-command log by the time they took in all.

Start the platform (or a benchmark, e.g. ``bench.platform --keep``) with ``FERRETDB_SLOW_MS=0`` in the
environment: the FerretDB wrapper (deploy/local/ferretdb/main.go) then logs every command with its
database.collection and the names of its filter's fields (never their values). Then::

    python -m shared.localinfra.slowlog <work directory>/infra/ferretdb.log [--since 08:57:30] [--top 30]

Commands of the same shape (command, collection, filter fields, sort, stages) are summed; a read that is
not narrowed to a string ``_id`` reads the whole collection on FerretDB 1.24, so those lead the list.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MARKER = 'msg="slow command"'


@dataclass
class Shape:
    """Commands of one shape: how many, their time in all, the documents they returned."""

    key: tuple[str, ...]
    count: int = 0
    seconds: float = 0.0
    returned: int = 0


def parse(lines: Iterable[str], since: str = "") -> list[dict[str, str]]:
    """The slow-command lines as key → value (``time`` keeps the log's timestamp), from ``since`` (HH:MM:SS) on."""
    commands = []
    for line in lines:
        if MARKER not in line:
            continue
        fields = dict(part.split("=", 1) for part in shlex.split(line) if "=" in part)
        if since and fields.get("time", "").partition("T")[2][: len(since)] < since:
            continue
        commands.append(fields)
    return commands


def rank(commands: Iterable[dict[str, str]]) -> list[Shape]:
    """Shapes by their time in all, the costliest first."""
    shapes: dict[tuple[str, ...], Shape] = {}
    for fields in commands:
        key = tuple(fields.get(name, "") for name in ("command", "ns", "filter", "sort", "stages"))
        shape = shapes.setdefault(key, Shape(key))
        shape.count += 1
        shape.seconds += float(fields.get("ms", 0)) / 1000
        shape.returned += int(fields.get("returned", 0) or 0)
    return sorted(shapes.values(), key=lambda s: -s.seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="FerretDB's log (ferretdb.log)")
    parser.add_argument("--since", default="", help="only commands from this time of day on (HH:MM:SS, UTC)")
    parser.add_argument("--top", type=int, default=30, help="how many shapes to show")
    args = parser.parse_args(argv)
    with args.log.open(encoding="utf-8", errors="replace") as log:
        shapes = rank(parse(log, args.since))
    total = sum(s.seconds for s in shapes)
    print(f"{sum(s.count for s in shapes)} commands, {total:.1f} s in all")
    print(f"{'seconds':>8} {'count':>6} {'ms each':>8} {'returned':>8}  command namespace filter [sort] [stages]")
    for shape in shapes[: args.top]:
        each = 1000 * shape.seconds / shape.count
        described = " ".join(part for part in shape.key if part)
        print(f"{shape.seconds:8.1f} {shape.count:6d} {each:8.1f} {shape.returned:8d}  {described}")


if __name__ == "__main__":
    main()
