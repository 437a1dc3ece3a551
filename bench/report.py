"""The figures as a table for people and as JSON for tools."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

SEARCH_TARGET = 0.6
RELAY_TARGET = 0.5
SCALING_TARGET = 1.5
"""Marketplace search: p99 at the larger size at most this many times its p99 at the smaller one."""
MARKET_TARGET = 0.8
"""Marketplace search: throughput at least this share of the bare baseline's."""
MARKET_P99_MS = 50.0
"""Marketplace search: p99 below this at every size, to feel instant."""
FULL_ENTERPRISES = 10_000
SEARCH_P99_MS = 50.0
"""Register search: p99 below this at 10 000 enterprises."""


def verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio >= target else "BELOW TARGET"


def _mib(kib: float) -> str:
    return f"{kib / 1024:.0f}"


def _num(value: float, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def _search_lines(s: dict[str, Any], backend: dict[str, Any]) -> list[str]:
    server, load = s["server"], s["load"]
    threads = f" × {server['threads']} threads" if server["threads"] > 1 else ""
    lines = [
        f"1. Public register search — {s['enterprises']:,} enterprises, gunicorn {server['workers']} "
        f"{server['worker_class']} workers{threads}, {load['concurrency']} keep-alive clients, "
        f"{load['duration_s']:.0f} s each in halves (registry, bare, bare, registry; {load['warmup_s']:.0f} s "
        f"warm-up before each), {len(s['paths'])} queries in rotation",
        f"   {'':24}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'ok':>7}{'bad':>5}{'CPU ms/req':>12}{'RSS MiB':>9}",
    ]
    for name, label in (("registry", "registry (real app)"), ("bare", "bare Flask + pymongo")):
        r = s[name]
        bad = sum(r["bad_status"].values()) + r["empty_or_invalid"] + len(r["errors"])
        lines.append(
            f"   {label:24}{_num(r['requests_per_second']):>9}{_num(r['latency_ms']['p50']):>10}"
            f"{_num(r['latency_ms']['p99']):>10}{r['ok']:>7}{bad:>5}{_num(r['worker_cpu_ms_per_request']):>12}"
            f"{_mib(r['worker_rss_kib']):>9}"
        )
    if "small" in s:
        smaller = s["small"]["enterprises"]
        for name, label in (("registry", f"registry at {smaller:,}"), ("bare", f"bare at {smaller:,}")):
            r = s["small"][name]
            lines.append(
                f"   {label:24}{_num(r['requests_per_second']):>9}"
                f"{_num(r['latency_ms']['p50']):>10}{_num(r['latency_ms']['p99']):>10}{r['ok']:>7}"
                f"{sum(r['bad_status'].values()) + r['empty_or_invalid'] + len(r['errors']):>5}"
                f"{_num(r['worker_cpu_ms_per_request']):>12}{_mib(r['worker_rss_kib']):>9}"
            )
    ratio = s["ratio"]
    lines.append(
        f"   ratio registry/bare throughput: {ratio:.2f}  (target ≥ {SEARCH_TARGET})  {verdict(ratio, SEARCH_TARGET)}"
    )
    p99 = s["registry"]["latency_ms"]["p99"]
    lines.append(
        f"   registry p99 at {s['enterprises']:,}: {_num(p99)} ms  (target < {SEARCH_P99_MS:.0f} ms)  "
        f"{'PASS' if p99 < SEARCH_P99_MS else 'BELOW TARGET'}"
    )
    if "p99_ratio" in s:
        growth = s["p99_ratio"]
        lines.append(
            f"   registry p99 at {s['enterprises']:,} / at {s['small']['enterprises']:,}: {growth:.2f}  "
            f"(target ≤ {SCALING_TARGET})  {'PASS' if growth <= SCALING_TARGET else 'BELOW TARGET'}"
        )
    floor = s["database_floor"]
    lines.append(
        f"   database floor (pymongo, one search at a time): {_num(floor['mean_ms'])} ms for a search seen before"
        f" (the change log's counter), {_num(floor.get('first_time_mean_ms', 0.0))} ms for one seen the first time"
        " (also its postings and page read by _id)"
    )
    extra = round(s["registry"]["worker_cpu_ms_per_request"] - s["bare"]["worker_cpu_ms_per_request"], 1) + 0.0
    lines.append(f"   web-layer CPU: the registry's workers spend {extra:+.1f} ms per request more than the bare app's")
    return lines


def _relay_lines(r: dict[str, Any]) -> list[str]:
    lines = [
        "2. Outbox relay — OutboxRelay.relay_once() in a loop until every event is acknowledged (acks=all,",
        "   idempotent) and marked sent, against a bare KafkaProducer sending the same messages and flushing",
        f"   {'':38}{'events':>8}{'batch':>7}{'events/s':>10}{'seconds':>9}{'RSS MiB':>9}",
    ]
    labels = {"database": "on the database", "memory": "database in memory"}
    for key, label in labels.items():
        p = r[key]
        for side, name in (("relay", "relay"), ("bare", "bare producer")):
            x = p[side]
            batch = str(p["batch_size"]) if side == "relay" else ""
            lines.append(
                f"   {name + ', ' + label:38}{p['events']:>8,}{batch:>7}{_num(x['events_per_second']):>10}"
                f"{_num(x['seconds'], 2):>9}{_mib(x['rss_kib']):>9}"
            )
        ratio = p["ratio"]
        lines.append(
            f"   ratio relay/bare, {label}: {ratio:.3f}  (target ≥ {RELAY_TARGET})  {verdict(ratio, RELAY_TARGET)}"
        )
    for key, label in labels.items():
        phases, relay = r[key]["relay"]["phase_seconds"], r[key]["relay"]
        lines.append(
            f"   relay time {label}: fetch_pending {phases['fetch_pending']:.2f} s, publish {phases['publish']:.2f} s"
            f" (Kafka), mark_sent {phases['mark_sent']:.2f} s, in {relay['rounds']} rounds"
        )
    return lines


def _market_lines(m: dict[str, Any]) -> list[str]:
    server, load = m["server"], m["load"]
    lines = [
        f"3. Marketplace search — gunicorn {server['workers']} {server['worker_class']} workers, "
        f"{load['concurrency']} keep-alive clients, {load['duration_s']:.0f} s each in halves, "
        f"{len(m['paths'])} queries in rotation; the bare app does the same database work (bench/README.md §3)",
        f"   {'':34}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'ok':>7}{'bad':>5}{'CPU ms/req':>12}{'RSS MiB':>9}",
    ]
    for size, figures in m["sizes"].items():
        for name, label in (("marketplace", "marketplace"), ("bare", "bare Flask + pymongo")):
            r = figures[name]
            bad = sum(r["bad_status"].values()) + r["empty_or_invalid"] + len(r["errors"])
            lines.append(
                f"   {label + ', ' + f'{int(size):,} listings':34}{_num(r['requests_per_second']):>9}"
                f"{_num(r['latency_ms']['p50']):>10}{_num(r['latency_ms']['p99']):>10}{r['ok']:>7}{bad:>5}"
                f"{_num(r['worker_cpu_ms_per_request']):>12}{_mib(r['worker_rss_kib']):>9}"
            )
        p99 = figures["marketplace"]["latency_ms"]["p99"]
        instant = "PASS" if p99 is not None and p99 < MARKET_P99_MS else "ABOVE TARGET"
        lines.append(
            f"   ratio marketplace/bare throughput at {int(size):,}: {figures['ratio']:.2f}"
            f"  (target ≥ {MARKET_TARGET})  {verdict(figures['ratio'], MARKET_TARGET)};"
            f" p99 {_num(p99)} ms (target < {MARKET_P99_MS:.0f})  {instant}"
        )
    scaling = m["scaling"]
    ok = "PASS" if scaling["p99_ratio"] <= SCALING_TARGET else "ABOVE TARGET"
    lines.append(
        f"   p99 at {scaling['large']:,} / p99 at {scaling['small']:,}: {scaling['p99_ratio']:.2f}"
        f"  (target ≤ {SCALING_TARGET})  {ok}"
    )
    return lines


def _consumer_lines(c: dict[str, Any]) -> list[str]:
    ratio = c["consumer"]["events_per_second"] / max(1e-9, c["bare"]["events_per_second"])
    update = c["consumer"]["events_per_second"] / max(1e-9, c["bare_update"]["events_per_second"])
    return [
        f"4. Marketplace consumer — {c['events']:,} registry events for {c['sellers']:,} sellers with "
        f"{c['listings']:,} listings, applied once each and followed by their listings and open quotes",
        f"   {'marketplace consumer':34}{_num(c['consumer']['events_per_second']):>9} events/s"
        f"{_num(c['consumer']['seconds'], 2):>10} s",
        f"   {'bare consumer, same update':34}{_num(c['bare_update']['events_per_second']):>9} events/s"
        f"{_num(c['bare_update']['seconds'], 2):>10} s",
        *(
            [
                f"   {'bare consumer, update per event':34}{_num(c['bare_update_each']['events_per_second']):>9}"
                f" events/s{_num(c['bare_update_each']['seconds'], 2):>10} s"
            ]
            if "bare_update_each" in c
            else []
        ),
        f"   {'bare consumer, decode only':34}{_num(c['bare']['events_per_second']):>9} events/s"
        f"{_num(c['bare']['seconds'], 2):>10} s",
        f"   ratio consumer/same update: {update:.3f}  (target ≥ 0.7)  {'PASS' if update >= 0.7 else 'BELOW TARGET'}",
        f"   ratio consumer/decode only: {ratio:.3f}  (target ≥ 0.3)  {'PASS' if ratio >= 0.3 else 'BELOW TARGET'}",
    ]


def _training_lines(e: dict[str, Any], scoring: dict[str, Any]) -> list[str]:
    lines = [
        f"6. Enrolment burst — {e['learners']:,} learners at once into {e['sessions']} sessions of {e['capacity']} "
        f"seats, {e['concurrency']} connections; counts checked in the database afterwards",
        f"   {'':34}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'ok':>7}{'confirmed':>11}{'waitlisted':>11}"
        f"{'CPU ms/req':>12}{'RSS MiB':>9}",
    ]
    rows = (("training", "training (real app)"), ("bare", "bare, same database work"), ("ledger", "bare ledger update"))
    for name, label in rows:
        r = e.get(name)
        if r is None:
            continue
        lines.append(
            f"   {label:34}{_num(r['requests_per_second']):>9}{_num(r['latency_ms']['p50']):>10}"
            f"{_num(r['latency_ms']['p99']):>10}{r['ok']:>7}{r['counts']['confirmed']:>11}{r['counts']['waitlisted']:>11}"
            f"{_num(r.get('worker_cpu_ms_per_request', math.nan), 2):>12}{_mib(r.get('worker_rss_kib', math.nan)):>9}"
        )
    target = e.get("target", 0.6)
    lines.append(
        f"   ratio training/bare (same database work): {e['ratio']:.2f} (target {target}: "
        f"{verdict(e['ratio'], target)})"
        + (f"; against the ledger update alone: {e['ratio_ledger_only']:.2f}" if "ratio_ledger_only" in e else "")
    )
    lines += [
        f"7. Assessment scoring — {scoring['assessments']:,} answer sets of {scoring['questions']} questions, "
        f"validated and scored: {_num(scoring['per_second'], 0)} per second "
        f"(a bare mean of the same answers: {_num(scoring['bare_per_second'], 0)} per second; "
        f"ratio {scoring['ratio']:.3f})",
    ]
    return lines


def _registration_lines(e: dict[str, Any]) -> list[str]:
    lines = [
        f"10. Registration burst — {e['visitors']:,} visitors at once for {e['events_count']} events of "
        f"{e['capacity']} seats, {e['concurrency']} connections; counts checked in the database afterwards",
        f"   {'':34}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'ok':>7}{'registered':>11}{'waiting':>11}",
    ]
    for name, label in (("events", "events (real app)"), ("bare", "bare ledger update")):
        r = e[name]
        lines.append(
            f"   {label:34}{_num(r['requests_per_second']):>9}{_num(r['latency_ms']['p50']):>10}"
            f"{_num(r['latency_ms']['p99']):>10}{r['ok']:>7}{r['counts']['registered']:>11}{r['counts']['waiting']:>11}"
        )
    lines.append(f"   ratio events/bare throughput: {e['ratio']:.2f}")
    return lines


def _award_lines(a: dict[str, Any]) -> list[str]:
    lines = [
        f"11. Concurrent awards — {a['applications']:,} ranked applications awarded at once against one envelope "
        f"of {a['budget_cents'] / 100:,.2f} € (room for {a['fits']}), {a['concurrency']} connections; "
        "the ledger and the applications checked afterwards",
        f"   {'':34}{'awards/s':>9}{'dec./s':>9}{'p50 ms':>10}{'p99 ms':>10}{'awarded':>9}{'409':>6}{'over':>6}",
    ]
    for name, label in (("grants", "grants (real app)"), ("bare", "bare ledger update")):
        r = a[name]
        over = r["counts"]["committed_cents"] > a["budget_cents"]
        lines.append(
            f"   {label:34}{_num(r['awards_per_second']):>9}{_num(r['decisions_per_second']):>9}"
            f"{_num(r['latency_ms']['p50']):>10}{_num(r['latency_ms']['p99']):>10}{r['counts']['awarded']:>9}"
            f"{r['counts']['refused']:>6}{'yes' if over else 'no':>6}"
        )
    lines.append(f"   ratio grants/bare decisions per second: {a['ratio']:.2f}")
    return lines


def _notification_lines(n: dict[str, Any]) -> list[str]:
    return [
        f"9. Notifications — {n['events']:,} ApplicationApproved events from Kafka to e-mails accepted by SMTP",
        f"   {'consumer and sender, to SMTP':34}{_num(n['service']['events_per_second']):>9} events/s"
        f"{_num(n['service']['seconds'], 2):>10} s",
        *(
            [
                f"   {'  of which the consumer recording':34}{_num(n['consumer']['events_per_second']):>9} events/s"
                f"{_num(n['consumer']['seconds'], 2):>10} s"
            ]
            if "consumer" in n
            else []
        ),
        f"   {'bare smtplib loop, same messages':34}{_num(n['bare']['events_per_second']):>9} events/s"
        f"{_num(n['bare']['seconds'], 2):>10} s",
        f"   ratio service/bare: {n['ratio']:.2f} (target at least 0.6)",
    ]


def table(results: dict[str, Any]) -> str:
    backend = results["backend"]
    lines = [
        "",
        f"Solidarity Hub benchmarks — run {results['run_id']} at {results['started_at']}, Python {results['python']}",
        f"Database: {backend['database']} ({backend['source']}); sizes: {results['sizes']['profile']} profile; "
        f"{results['seconds']:.0f} s in all",
        "",
    ]
    if "search" in results:
        lines += [*_search_lines(results["search"], backend), ""]
    if "relay" in results:
        lines += [*_relay_lines(results["relay"]), ""]
    if "market" in results:
        lines += [*_market_lines(results["market"]), ""]
    if "consumer" in results:
        lines += [*_consumer_lines(results["consumer"]), ""]
    if "enrolment" in results:
        lines += [*_training_lines(results["enrolment"], results["scoring"]), ""]
    if "notifications" in results:
        lines += [*_notification_lines(results["notifications"]), ""]
    if "registration" in results:
        lines += [*_registration_lines(results["registration"]), ""]
    if "awards" in results:
        lines += [*_award_lines(results["awards"]), ""]
    memory = []
    if "search" in results:
        s = results["search"]
        memory.append(f"registry web worker {_mib(s['registry']['worker_rss_kib'])} MiB")
        memory.append(f"bare web worker {_mib(s['bare']['worker_rss_kib'])} MiB")
    if "relay" in results:
        relay = results["relay"]
        memory.append(f"relay process {_mib(relay['database']['relay']['rss_kib'])} MiB")
        memory.append(f"relay with {relay['memory']['documents']:,} documents in memory "
                      f"{_mib(relay['memory']['relay']['rss_kib'])} MiB")  # fmt: skip
        memory.append(f"bare producer {_mib(relay['memory']['bare']['rss_kib'])} MiB")
    if "enrolment" in results and "worker_rss_kib" in results["enrolment"]["training"]:
        memory.append(f"training web worker {_mib(results['enrolment']['training']['worker_rss_kib'])} MiB")
    if memory:
        lines.append("8. Resident memory (VmRSS) after the runs: " + ", ".join(memory))
    return "\n".join(lines)


def write_json(results: dict[str, Any], path: Path) -> None:
    out = dict(results)
    if "search" in out:
        out["search"] = {
            **out["search"],
            "target": SEARCH_TARGET,
            "verdict": verdict(out["search"]["ratio"], SEARCH_TARGET),
        }
    if "relay" in out:
        out["relay"] = {
            key: {**pair, "target": RELAY_TARGET, "verdict": verdict(pair["ratio"], RELAY_TARGET)}
            for key, pair in out["relay"].items()
        }
    path.write_text(json.dumps(_without_nan(out), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def _without_nan(value: Any) -> Any:
    """NaN (no samples) becomes null: strict JSON has no NaN."""
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
