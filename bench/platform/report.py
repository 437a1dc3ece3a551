"""The platform benchmark's results: a short table on the terminal, JSON, a Markdown report and PNG charts."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

APPROVAL_HOP = "approval → seller in marketplace"
APPROVAL_HOP_TARGET_MS = 1000.0
WORKER_RSS_TARGET_MIB = 120.0
CHARTS = {
    "operations": "platform-operations.png",
    "hops": "platform-hops.png",
    "processes": "platform-processes.png",
    "timeline": "platform-timeline.png",
}


def _num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def _mib(kib: float) -> float:
    return kib / 1024


def errors(results: dict[str, Any]) -> list[str]:
    """What makes the run fail: wrong answers, and effects that had not arrived by the end of the drain."""
    found = []
    for name, op in results["operations"].items():
        if op["errors"]:
            found.append(f"{name}: {op['errors']} wrong answers {op['error_statuses']}, e.g. {op['error_samples'][:2]}")
    for name, hop in results["hops"].items():
        if hop["lost"]:
            found.append(f"{name}: {hop['lost']} of {hop['started']} had not arrived by the end of the drain")
    return found


def verdict(ok: bool) -> str:
    return "PASS" if ok else "BELOW TARGET"


def web_workers(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in results["processes"] if p["workers"]]


def table(results: dict[str, Any]) -> str:
    window = results["mix"]["window"]
    lines = [
        f"Whole platform — {results['backend']['database']}, {len(results['processes'])} processes, "
        f"{results['sizes']['enterprises']:,} enterprises, {results['sizes']['listings']:,} listings; "
        f"{window['duration_s']:.0f} s measured after {window['warmup_s']:.0f} s warm-up",
        f"  {'operation':22}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'ok':>6}{'errors':>8}",
    ]
    for name, op in results["mix"]["operations"].items():
        lat = op["latency_ms"]
        lines.append(
            f"  {name:22}{_num(op['requests_per_second'], 2):>8}{_num(lat['p50']):>9}{_num(lat['p99']):>9}"
            f"{op['ok']:>6}{op['errors']:>8}"
        )
    lines.append(f"  {'hop':36}{'p50 ms':>9}{'p99 ms':>9}{'arrived':>9}{'lost':>6}")
    for name, hop in results["mix"]["hops"].items():
        lat = hop["latency_ms"]
        lines.append(f"  {name:36}{_num(lat['p50']):>9}{_num(lat['p99']):>9}{hop['arrived']:>9}{hop['lost']:>6}")
    approval = results["mix"]["hops"][APPROVAL_HOP]["latency_ms"]["p99"]
    lines.append(
        f"  approval → seller p99 {_num(approval)} ms (target < {APPROVAL_HOP_TARGET_MS:.0f} ms)  "
        f"{verdict(not math.isnan(approval) and approval < APPROVAL_HOP_TARGET_MS)}"
    )
    workers = web_workers(results)
    if workers:
        largest = max(workers, key=lambda p: p["worker_peak_rss_kib"])
        peak = _mib(largest["worker_peak_rss_kib"])
        lines.append(
            f"  largest web worker: {largest['process']} {peak:.0f} MiB peak resident "
            f"(target < {WORKER_RSS_TARGET_MIB:.0f} MB)  {verdict(peak * 1.048576 < WORKER_RSS_TARGET_MIB)}"
        )
    busiest = sorted(results["processes"], key=lambda p: -p["cpu_seconds_mix"])[:4]
    lines.append(
        "  busiest processes (CPU during the mix): "
        + ", ".join(f"{p['process']} {p['cpu_percent_mix']:.0f} %" for p in busiest)
    )
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    window, sizes = results["mix"]["window"], results["sizes"]
    rates = ", ".join(f"{k} {v:g}/s" for k, v in window["rates_per_second"].items())
    out = [
        "# Whole-platform benchmark",
        "",
        f"Run `{results['run_id']}` at {results['started_at']} — {results['backend']['database']}, "
        f"Python {results['python']}, `{results['command']}`.",
        "",
        f"Every process of `deploy/local/Procfile` ({len(results['processes'])}; web under gunicorn with "
        f"{results['web_workers']} workers), {sizes['enterprises']:,} enterprises in the register, "
        f"{sizes['listings']:,} listings plus {sizes['sellers']} sellers' own, {sizes['sessions']} training sessions. "
        f"Mix for {window['duration_s']:.0f} s after a {window['warmup_s']:.0f} s warm-up, mean rates: {rates}.",
        "",
        "## Operations",
        "",
        "| operation | call | req/s | p50 ms | p90 ms | p99 ms | max ms | ok | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, op in results["mix"]["operations"].items():
        lat = op["latency_ms"]
        out.append(
            f"| {name} | `{op['call']}` | {_num(op['requests_per_second'], 2)} | {_num(lat['p50'])} | "
            f"{_num(lat['p90'])} | {_num(lat['p99'])} | {_num(lat['max'])} | {op['ok']} | {op['errors']} |"
        )
    out += [
        "",
        "## Cross-service hops",
        "",
        "From the answer that caused it to the effect a person sees (polled every 0.1 s, or the SMTP sink's clock).",
        "",
        "| hop | p50 ms | p90 ms | p99 ms | max ms | arrived | lost |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, hop in results["mix"]["hops"].items():
        lat = hop["latency_ms"]
        out.append(
            f"| {name} | {_num(lat['p50'])} | {_num(lat['p90'])} | {_num(lat['p99'])} | {_num(lat['max'])} | "
            f"{hop['arrived']} | {hop['lost']} |"
        )
    approval = results["mix"]["hops"][APPROVAL_HOP]["latency_ms"]["p99"]
    out += [
        "",
        f"Target: approval → seller p99 < {APPROVAL_HOP_TARGET_MS:.0f} ms — **"
        f"{verdict(not math.isnan(approval) and approval < APPROVAL_HOP_TARGET_MS)}** ({_num(approval)} ms).",
        "",
        "## Processes",
        "",
        "CPU during the measured window (share of one core), resident memory at its peak and at the end; for web "
        "processes the gunicorn master and its largest worker.",
        "",
        "| process | CPU s | CPU % | peak MiB | final MiB | worker peak MiB | worker final MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(results["processes"], key=lambda p: p["process"]):
        worker = (
            (_num(_mib(p["worker_peak_rss_kib"])), _num(_mib(p["worker_final_rss_kib"]))) if p["workers"] else ("", "")
        )
        out.append(
            f"| {p['process']} | {p['cpu_seconds_mix']:.1f} | {p['cpu_percent_mix']:.0f} | "
            f"{_num(_mib(p['peak_rss_kib']))} | {_num(_mib(p['final_rss_kib']))} | {worker[0]} | {worker[1]} |"
        )
    workers = web_workers(results)
    if workers:
        peak = max(_mib(p["worker_peak_rss_kib"]) for p in workers)
        out += ["", f"Largest web worker: {peak:.0f} MiB ({peak * 1.048576:.0f} MB) — target < "
                f"{WORKER_RSS_TARGET_MIB:.0f} MB: **{verdict(peak * 1.048576 < WORKER_RSS_TARGET_MIB)}**."]  # fmt: skip
    out += ["", "## Charts", ""]
    out += [f"![{name}]({file})" for name, file in CHARTS.items()]
    problems = errors(results["mix"])
    out += ["", "## Errors", "", *(f"- {p}" for p in problems)] if problems else ["", "No errors."]
    setup = results["setup_seconds"]
    out += ["", "Setup: " + ", ".join(f"{k} {v:.0f} s" for k, v in setup.items()) + "."]
    return "\n".join(out) + "\n"


def charts(results: dict[str, Any], folder: Path) -> list[Path]:
    """The four PNGs next to the report."""
    return [
        _save(_operations(results["mix"]), folder / CHARTS["operations"]),
        _save(_hops(results["mix"]), folder / CHARTS["hops"]),
        _save(_processes(results["processes"]), folder / CHARTS["processes"]),
        _save(_timeline(results["mix"], results["processes"]), folder / CHARTS["timeline"]),
    ]


def _operations(mix: dict[str, Any]) -> Any:
    names = list(mix["operations"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    ys = range(len(names))
    p50 = [mix["operations"][n]["latency_ms"]["p50"] for n in names]
    p99 = [mix["operations"][n]["latency_ms"]["p99"] for n in names]
    left.barh([y + 0.2 for y in ys], p50, height=0.4, label="p50")
    left.barh([y - 0.2 for y in ys], p99, height=0.4, label="p99")
    left.set_yticks(list(ys), names)
    left.invert_yaxis()
    left.set_xlabel("latency, ms")
    left.set_title("Latency per operation")
    left.legend()
    right.barh(list(ys), [mix["operations"][n]["requests_per_second"] for n in names], color="tab:green")
    right.set_yticks(list(ys), [])
    right.invert_yaxis()
    right.set_xlabel("requests/s (right answers)")
    right.set_title("Throughput per operation")
    fig.tight_layout()
    return fig


def _hops(mix: dict[str, Any]) -> Any:
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for name, hop in mix["hops"].items():
        values = hop["samples_ms"]
        if values:
            ax.plot(values, [(i + 1) / len(values) for i in range(len(values))], drawstyle="steps-post", label=name)
    ax.axvline(APPROVAL_HOP_TARGET_MS, color="grey", linestyle="--", linewidth=1, label="1 s (approval target)")
    ax.set_xscale("log")
    ax.set_xlabel("end-to-end latency, ms (log)")
    ax.set_ylabel("share of hops arrived")
    ax.set_title("Cross-service hops: cumulative distribution")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def _processes(found: list[dict[str, Any]]) -> Any:
    processes = sorted(found, key=lambda p: p["process"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, max(4.0, 0.28 * len(processes) + 1)))
    ys = range(len(processes))
    labels = [p["process"] for p in processes]
    left.barh(list(ys), [p["cpu_percent_mix"] for p in processes], color="tab:orange")
    left.set_yticks(list(ys), labels, fontsize=8)
    left.invert_yaxis()
    left.set_xlabel("CPU during the mix, % of one core")
    left.set_title("CPU per process")
    right.barh(list(ys), [_mib(p["peak_rss_kib"]) for p in processes], height=0.4, label="process (master) peak")
    right.barh([y + 0.4 for y in ys], [_mib(p["worker_peak_rss_kib"]) for p in processes], height=0.4,
               label="largest web worker peak")  # fmt: skip
    right.axvline(WORKER_RSS_TARGET_MIB / 1.048576, color="grey", linestyle="--", linewidth=1, label="120 MB")
    right.set_yticks(list(ys), [])
    right.invert_yaxis()
    right.set_xlabel("resident memory, MiB")
    right.set_title("Peak memory per process")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _timeline(mix: dict[str, Any], processes: list[dict[str, Any]]) -> Any:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 7), sharex=True)
    for name, op in mix["operations"].items():
        points = [(t, ms) for t, ms, _ in op["samples"]]
        if points:
            top.scatter([t for t, _ in points], [ms for _, ms in points], s=6, label=name)
    top.set_yscale("log")
    top.set_ylabel("latency, ms (log)")
    top.set_title("Every request of the mix over time")
    top.legend(fontsize=7, ncol=4, loc="upper left")
    by_service: dict[str, list[tuple[float, float]]] = {}
    for p in processes:
        line = [(t, c) for t, c, _ in p["timeline"] if 0 <= t <= mix["window"]["duration_s"]]
        service = p["process"].split("-", 1)[0]
        if len(line) > 1:
            by_service.setdefault(service, []).extend(
                (t1, 100 * (c1 - c0) / max(1e-9, t1 - t0)) for (t0, c0), (t1, c1) in itertools.pairwise(line)
            )
    for service, points in sorted(by_service.items()):
        summed: dict[float, float] = {}
        for t, share in points:
            summed[round(t)] = summed.get(round(t), 0.0) + share
        xs = sorted(summed)
        bottom.plot(xs, [summed[x] for x in xs], label=service)
    bottom.set_xlabel("seconds into the measured window")
    bottom.set_ylabel("CPU, % of one core")
    bottom.set_title("CPU of each service's processes")
    bottom.legend(fontsize=7, ncol=4, loc="upper left")
    fig.tight_layout()
    return fig


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write(results: dict[str, Any], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "platform.json", "markdown": folder / "platform.md"}
    paths["json"].write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    charts(results, folder)
    paths["markdown"].write_text(markdown(results), encoding="utf-8")
    return paths
