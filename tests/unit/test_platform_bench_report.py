"""The whole-platform benchmark's figures and report, from a recorded mix (no platform started).

The benchmark itself runs every process of the platform for minutes: `make bench-platform`, or a short run
with ``.venv/bin/python -m bench.platform --duration 5 --warmup 2 --enterprises 50 --listings 500``.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.platform import report
from bench.platform.mix import HOPS, OPERATIONS, Hop, Recorder, Sample, summarise

START = 1_000.0


def recorded() -> Recorder:
    recorder = Recorder(window_start=START, window_end=START + 10)
    for n, name in enumerate(OPERATIONS):
        status = OPERATIONS[name][1]
        recorder.samples += [Sample(name, 1.0 + n, 0.05 * (n + 1), status), Sample(name, 2.0 + n, 0.1, status)]
    recorder.samples.append(Sample("register search", -0.5, 9.0, 200))  # during the warm-up: not counted
    recorder.samples.append(Sample("order", 4.0, 0.2, 500, "Internal Server Error"))
    for name in HOPS:
        recorder.hops += [Hop(name, "a", START + 1, done=START + 1.25), Hop(name, "b", START + 2, done=START + 2.75)]
    recorder.hops.append(Hop("order → e-mail accepted by SMTP", "c", START + 3))  # never arrived
    return recorder


def test_the_figures_count_the_window_only_and_name_wrong_answers_and_lost_hops() -> None:
    mix = summarise(recorded(), duration=10.0, polls=7)

    search = mix["operations"]["register search"]
    assert (search["requests"], search["ok"], search["errors"]) == (2, 2, 0)
    assert search["requests_per_second"] == 0.2 and search["latency_ms"]["p99"] == 100.0
    order = mix["operations"]["order"]
    assert (order["ok"], order["errors"], order["error_statuses"]) == (2, 1, {"500": 1})
    approval = mix["hops"]["approval → seller in marketplace"]
    assert (approval["arrived"], approval["lost"], approval["latency_ms"]["p50"]) == (2, 0, 250.0)
    assert mix["hops"]["order → e-mail accepted by SMTP"]["lost"] == 1

    problems = report.errors(mix)
    assert len(problems) == 2
    assert problems[0].startswith("order: 1 wrong answers {'500': 1}")
    assert problems[1] == "order → e-mail accepted by SMTP: 1 of 3 had not arrived by the end of the drain"


def test_the_report_has_every_operation_hop_process_and_chart(tmp_path: Path) -> None:
    mix = summarise(recorded(), duration=10.0, polls=7)
    mix["window"] = {"start": START, "end": START + 10, "warmup_s": 2, "duration_s": 10, "drain_s": 30,
                     "rates_per_second": {"order": 0.7}, "threads": {"order": 2}}  # fmt: skip
    worker = {"workers": 2, "worker_peak_rss_kib": 90 * 1024, "worker_final_rss_kib": 80 * 1024}
    processes = [
        {"process": name, "cpu_seconds_total": 3.0, "cpu_seconds_mix": 1.5, "cpu_percent_mix": 15.0,
         "peak_rss_kib": 60 * 1024, "final_rss_kib": 50 * 1024,
         **(worker if name.endswith("-web") else {"workers": 0, "worker_peak_rss_kib": 0, "worker_final_rss_kib": 0}),
         "timeline": [(t, 0.15 * t, 50 * 1024) for t in range(-2, 12)]}
        for name in ("registry-web", "marketplace-consumer", "notifications-sender")
    ]  # fmt: skip
    results = {
        "run_id": "test", "started_at": "2026-12-07T08:00:00Z", "python": "3.11", "command": "python -m bench.platform",
        "backend": {"database": "FerretDB (SQLite backend)"}, "mix": mix, "processes": processes,
        "sizes": {"enterprises": 50, "listings": 500, "sellers": 4, "sessions": 10},
        "setup_seconds": {"processes ready": 30.0}, "web_workers": 2, "e_mails_accepted": 12,
    }  # fmt: skip

    paths = report.write(results, tmp_path)

    text = paths["markdown"].read_text(encoding="utf-8")
    for name in [*OPERATIONS, *HOPS, "registry-web", "marketplace-consumer", "notifications-sender"]:
        assert f"| {name} |" in text, name
    assert "approval → seller p99 < 1000 ms — **PASS** (750 ms)" in text.replace("Target: ", "")
    assert "Largest web worker: 90 MiB (94 MB) — target < 120 MB: **PASS**" in text
    assert "- order → e-mail accepted by SMTP: 1 of 3 had not arrived by the end of the drain" in text
    for chart in report.CHARTS.values():
        assert (tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", chart
        assert f"]({chart})" in text
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["mix"]["hops"].keys() == HOPS.keys()
    table = report.table(results)
    assert all(name in table for name in [*OPERATIONS, *HOPS])
