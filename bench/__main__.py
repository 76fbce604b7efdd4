"""`make bench` / `python -m bench`: every benchmark in bench/, then one summary table.

Each benchmark runs as its own subprocess (so one's caches and memory don't colour the
next), its output streamed as it goes; the figures that matter are picked from that output
and printed together at the end, with each benchmark's peak RSS (from wait4). Ratios compare
against a baseline measured in the same run, since these machines are shared and noisy.

    python -m bench [--quick] [--only crawl,archive,...]
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Bench:
    name: str
    args: list[str]
    quick_args: list[str]
    # (label, regex with one group, format) picked from the output
    figures: list[tuple[str, str]] = field(default_factory=list)


BENCHES = [
    Bench("quality", ["bench.quality", "--worst", "5"], ["bench.quality", "--corpus", "realpages"], [
        *((f"{corpus}, {name}", rf"^## {corpus}:[^\n]*\n(?:.*\n)*?{name}\s+(F1 .*?) +[\d.]+ ms/page")
          for corpus in ("realpages", "dragnet", "l3s-gn1") for name in ("trafilatura", "newsdesk")),
        ("extraction cost per page, newsdesk / trafilatura's full run (all corpora)",
         r"^all corpora: cost per page, newsdesk / trafilatura: ([\d.]+x)"),
    ]),
    Bench("fixtures", ["bench.fixtures"], ["bench.fixtures"], [
        ("fixture pages, all classes (pages, F1 ours/traf, R ours/traf, boilerplate lines all/ours/traf)",
         r"^ALL\s+(.*)$"),
    ]),
    Bench("extract_speed", ["bench.extract_speed", "--rounds", "3"], ["bench.extract_speed", "--rounds", "1"], [
        ("extraction, trafilatura alone", r"^trafilatura\s+([\d.]+ docs/s)"),
        ("extraction, newsdesk", r"^newsdesk\s+([\d.]+ docs/s)"),
        ("extraction cost, newsdesk / trafilatura", r"cost per page, newsdesk / trafilatura: ([\d.]+x)"),
    ]),
    # three rounds, the crawlers alternating: one round's ratio swings by 0.1 on a shared machine
    Bench("crawl", ["bench.crawl", "--rounds", "3"], ["bench.crawl", "--articles", "300"], [
        ("crawl, naive baseline (round 1)", r"^baseline.*= ([\d.]+ pages/s.*)$"),
        ("crawl, newsdesk (round 1)", r"^newsdesk.*= ([\d.]+ pages/s.*)$"),
        ("crawl speed-up over baseline (round 1)", r"^speed-up: (.*)$"),
        ("crawl speed-up over baseline, median of the rounds", r"^median speed-up over \d+ rounds: ([\d.]+x)"),
    ]),
    Bench("crawl_real", ["bench.crawl", "--real", "--rounds", "1"], ["bench.crawl", "--real", "--rounds", "1"], [
        ("crawl of the real pages, naive baseline", r"^baseline.*= ([\d.]+ pages/s.*)$"),
        ("crawl of the real pages, newsdesk", r"^newsdesk.*= ([\d.]+ pages/s.*)$"),
        ("crawl of the real pages, speed-up over the baseline", r"^speed-up: (.*)$"),
    ]),
    Bench("poll", ["bench.poll", "--n", "1000"], ["bench.poll", "--n", "100", "--sample", "5"], [
        *((f"poll round {n}, batches", rf"^round {n}:\n\s+newsdesk batches\s+(.*)$") for n in (1, 2, 3)),
        *((f"poll round {n}, one process per source", rf"^round {n}:\n.*\n\s+one process/source\s+(.*)$")
          for n in (1, 2, 3)),
        *((f"poll round {n}, CPU per source, one process each / batches",
           rf"^round {n}:\n.*\n.*\n\s+CPU per source, one process each / batches: (.*)$") for n in (1, 2, 3)),
    ]),
    Bench("keepup", ["bench.keepup"], ["bench.keepup", "--n", "50", "--every", "20", "--periods", "2"], [
        ("scheduler keeping up: sources polled per period", r"^(period 1: .*)$"),
        ("scheduler keeping up: every source in every period", r"^every source polled in every period: (.*)$"),
        ("scheduler keeping up: skipped firings", r"firings skipped for a source still running: (\d+)"),
        ("scheduler keeping up: CPU", r"^CPU: (.*)$"),
    ]),
    Bench("distributed", ["bench.distributed"], ["bench.distributed", "--n", "60", "--articles", "3000"], [
        ("merge into the main archive", r"^merge: (.*)$"),
        ("storing the same articles locally (save_many)", r"^store \(save_many, the local path\): (.*)$"),
        ("crawl through Celery workers / locally", r"^distributed / local: (.*)$"),
    ]),
    Bench("archive", ["bench.archive"], ["bench.archive", "--n", "10000"], [
        ("archive ingest", r"^ingest \(save_many\): (.*)$"),
        ("search latency, as ingested", r"^search \(as ingested\): (.*)$"),
        ("search latency, after optimize()", r"^search \(optimized\): (.*)$"),
        ("export", r"^export(?: JSONL)?[^:]*: (.*)$"),
        ("file size", r"^file(?: size)?: (.*)$"),
    ]),
]


def run(bench: Bench, quick: bool) -> tuple[str, float, float]:
    """Run one benchmark, streaming its output; returns (output, seconds, peak RSS in MB)."""
    print(f"\n=== {bench.name} ===", flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", *(bench.quick_args if quick else bench.args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        lines.append(f"(exited {proc.returncode})\n")
    return "".join(lines), time.perf_counter() - start, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--only", help="comma-separated: " + ",".join(b.name for b in BENCHES))
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHES if not args.only or b.name in args.only.split(",")]
    rows: list[tuple[str, str]] = []
    for bench in chosen:
        output, seconds, peak_mb = run(bench, args.quick)
        for label, pattern in bench.figures:
            match = re.search(pattern, output, flags=re.M)
            rows.append((label, " ".join(match.group(1).split()) if match else "(not reported)"))
        rows.append((f"{bench.name}: wall time, peak RSS of the largest process",
                     f"{seconds:.0f} s, {peak_mb:.0f} MB"))
    print(f"\n=== summary: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')} ===")
    width = max(len(label) for label, _ in rows)
    print(f"| {'figure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for label, value in rows:
        print(f"| {label:<{width}} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
