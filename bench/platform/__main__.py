"""``python -m bench.platform`` (``make bench-platform``): the whole platform as its processes under a mix of
what people do, with each operation's throughput and latency, each cross-service hop's end-to-end latency,
and each process's CPU and memory. See bench/README.md ("The whole platform").
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

from bench import marketplace as market_bench
from bench import search as search_bench
from bench.backend import backend_of
from bench.platform import report, seed
from bench.platform.mix import OPERATIONS
from bench.platform.processes import PlatformProcesses, Sampler, chosen, environment
from bench.procs import Interrupted, Processes, raise_on_sigterm, wait_until
from shared.localinfra import Infrastructure, start_infrastructure
from shared.localinfra.ports import is_listening
from shared.mongo import connect

log = logging.getLogger("bench")

RESULTS = Path(__file__).resolve().parents[1] / "results"
SIZES = {"mongodb": {"enterprises": 10_000, "listings": 10_000}, "ferretdb": {"enterprises": 200, "listings": 2_000}}
"""The register and catalogue by default. On FerretDB 1.24 (SQLite) the registry's application and approval read
the whole enterprises collection (a query on ``registered_eik`` or ``eik``, see bench/README.md): with 1 000
entries on a busy 2-core machine one application outlived gunicorn's 30 s worker timeout."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.platform", description=__doc__)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds of the mix")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of the mix before measuring")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds the last hops may take after the mix")
    parser.add_argument("--rate-scale", type=float, default=1.0, help="multiplies every kind of person's rate")
    parser.add_argument("--enterprises", type=int, help="register entries written before the start (see SIZES)")
    parser.add_argument("--listings", type=int, help="published listings written before the start (see SIZES)")
    parser.add_argument("--sellers", type=int, default=4, help="enterprises registered through the API, selling")
    parser.add_argument("--pending", type=int, default=20, help="applications waiting for a decision at the start")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers of each web process")
    parser.add_argument("--portal", action="store_true", help="run the portal's web process too")
    parser.add_argument("--skip-service", action="append", default=[], choices=["grants", "events"],
                        help="leave a service that takes no part in the mix out (repeatable)")  # fmt: skip
    parser.add_argument("--ready-timeout", type=float, default=300.0, help="seconds for every process to be ready")
    parser.add_argument("--output-dir", type=Path, default=RESULTS, help="where the report, JSON and charts go")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs) afterwards")
    return parser.parse_args(argv)


def drop_databases(infra: Infrastructure, databases: list[str]) -> None:
    """On servers we did not start: our databases go (topics are the platform's own names and stay)."""
    client = connect(infra.mongodb_uri, app_name="bench-cleanup")
    for name in databases:
        with suppress(Exception):
            client.drop_database(name)
    client.close()


def measure(
    args: argparse.Namespace, infra: Infrastructure, processes: Processes, work_dir: Path, run_id: str, stack: ExitStack
) -> dict[str, Any]:
    setup: dict[str, float] = {}
    defaults = SIZES["ferretdb" if backend_of(infra)["ferretdb"] else "mongodb"]
    args.enterprises = defaults["enterprises"] if args.enterprises is None else args.enterprises
    args.listings = defaults["listings"] if args.listings is None else args.listings
    env, platform = environment(infra, run_id, work_dir, args.web_workers)
    if infra.source != "local":  # after every process has stopped (callbacks run last-in, first-out)
        stack.callback(drop_databases, infra, list(platform.databases.values()))
    stack.callback(processes.stop_all)
    log.info("writing %d enterprises and %d listings", args.enterprises, args.listings)
    written = seed.write_databases(infra.mongodb_uri, platform.databases, args.enterprises, args.listings, args.pending)
    setup["data written"] = written["seconds"]

    smtp_log = work_dir / "mail.jsonl"
    smtp_log.touch()
    sampler = Sampler()
    for server in infra.servers:  # Kafka and FerretDB when the run started them: their cost is the platform's too
        sampler.watch(f"{server.name} (server)", server.pid)
    smtp = processes.start("smtp-sink", [sys.executable, "-m", "bench.platform.smtp", "--port",
                                         str(platform.smtp_port), "--out", str(smtp_log)])  # fmt: skip
    sampler.watch("bench smtp sink", smtp.pid)
    wait_until(lambda: is_listening("127.0.0.1", platform.smtp_port), 30, "the SMTP sink")

    lines = chosen(args.portal, args.skip_service)
    running = PlatformProcesses(processes, env, work_dir, sampler)
    log.info("starting %d processes", len(lines))
    started = time.monotonic()
    running.start(lines)
    stack.callback(running.stop)
    sampler.start()
    stack.callback(sampler.stop)
    running.wait_ready(platform.urls, args.ready_timeout)
    setup["processes ready"] = time.monotonic() - started

    started = time.monotonic()
    sellers = seed.sellers(platform.urls, args.sellers, run_id, timeout=args.ready_timeout)
    sessions = seed.sessions(platform.urls)
    seed.warm_up(platform.urls, sessions[0], run_id, timeout=args.ready_timeout)
    setup["sellers, sessions, first hop"] = time.monotonic() - started
    running.check()

    per_page = 20
    pages = max(1, min(3, args.enterprises // 28 // per_page))
    plan = {
        "urls": {name: url for name, url in platform.urls.items() if name != "portal" or args.portal},
        "register_paths": search_bench.paths(per_page, pages),
        "market_paths": market_bench.paths(),
        "listings": [listing for s in sellers for listing in s["listings"]],
        "sessions": sessions,
        "pending_applications": written["pending"],
        "smtp_log": str(smtp_log),
        "run_id": run_id,
        "eik_base": seed.APPLICANT_EIK_BASE,
        "warmup": args.warmup,
        "duration": args.duration,
        "drain": args.drain,
        "rate_scale": args.rate_scale,
    }
    log.info("mix: %.0f s warm-up, %.0f s measured", args.warmup, args.duration)
    mix = run_mix(processes, running, sampler, plan, work_dir)
    sampler.stop()
    return {
        "mix": mix,
        "processes": sampler.figures(mix["window"]["start"], mix["window"]["end"]),
        "sizes": {
            "enterprises": args.enterprises,
            "listings": written["listings"],
            "sellers": len(sellers),
            "sessions": len(sessions),
        },
        "setup_seconds": {k: round(v, 1) for k, v in setup.items()},
        "web_workers": args.web_workers,
        "e_mails_accepted": sum(1 for _ in smtp_log.open(encoding="utf-8")),
    }


def run_mix(
    processes: Processes, running: PlatformProcesses, sampler: Sampler, plan: dict[str, Any], work_dir: Path
) -> dict[str, Any]:
    """The load generator in a process of its own, while every platform process must stay up."""
    plan_path, out_path = work_dir / "plan.json", work_dir / "mix.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    driver = processes.start("bench-load", [sys.executable, "-m", "bench.platform.mix", "--plan", str(plan_path),
                                            "--out", str(out_path)])  # fmt: skip
    sampler.watch("bench load generator", driver.pid)
    limit = time.monotonic() + plan["warmup"] + plan["duration"] + plan["drain"] + 120
    while driver.poll() is None:
        running.check()
        if time.monotonic() > limit:
            raise TimeoutError("the load generator did not finish")
        time.sleep(0.5)
    if driver.returncode != 0:
        tail = (work_dir / "bench-load.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the load generator exited with {driver.returncode}:\n{tail}")
    running.check()
    return json.loads(out_path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("kafka", "pymongo", "shared.localinfra", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    raise_on_sigterm()
    run_id = uuid.uuid4().hex[:8]
    work_dir = Path(tempfile.mkdtemp(prefix=f"bench-platform-{run_id}-"))
    processes = Processes(work_dir)
    failed = True
    code = 1
    began = time.monotonic()
    with ExitStack() as stack:
        try:
            log.info("starting Kafka and the database (work directory %s)", work_dir)
            infra = start_infrastructure(work_dir / "infra")
            stack.callback(infra.stop)
            stack.callback(processes.stop_all)
            backend = backend_of(infra)
            results: dict[str, Any] = {
                "run_id": run_id,
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "python": sys.version.split()[0],
                "backend": backend,
                "command": shlex.join(["python", "-m", "bench.platform", *(argv or sys.argv[1:])]),
            }
            results |= measure(args, infra, processes, work_dir, run_id, stack)
            results["seconds"] = round(time.monotonic() - began, 1)
            paths = report.write(results, args.output_dir)
            print(report.table(results))
            print(f"\nReport: {paths['markdown']} (charts beside it), figures: {paths['json']}")
            problems = report.errors(results["mix"])
            for problem in problems:
                print(f"ERROR {problem}", file=sys.stderr)
            missing = [name for name in OPERATIONS if not results["mix"]["operations"][name]["ok"]]
            if missing:  # too short a run for the machine's pace: no figure, but nothing wrong either
                print(f"NOTE nothing measured for: {', '.join(missing)} (a longer --duration)", file=sys.stderr)
            failed = bool(problems)
            code = 1 if failed else 0
        except (KeyboardInterrupt, Interrupted):
            print("\nInterrupted: stopping everything the benchmark started.", file=sys.stderr)
            code = 130
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            if failed or args.keep:
                print(f"Logs kept in {work_dir}", file=sys.stderr)
    if not args.keep and not failed:
        shutil.rmtree(work_dir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
