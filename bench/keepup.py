"""The scheduler keeps up: N sources (default 300) every 60 s on this machine, for several periods.

The sources are bench.poll's feeds (one loopback host each, 20 stories, one more story on a
tenth of them every period). `newsdesk schedule` runs for `--periods` periods plus a margin,
then gets SIGTERM. Reported per period: how many sources were polled (a `runs` row started
in it), and whether any firing was skipped because the source was still running.

Run: python -m bench.keepup [--n 300] [--every 60] [--periods 3]
"""
from __future__ import annotations

import argparse
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.poll import FeedServer, write_sources

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--every", type=int, default=60, help="seconds between polls of each source")
    parser.add_argument("--periods", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-keepup-"))
    db, sources, log = work / "news.db", work / "sources.toml", work / "schedule.log"
    with FeedServer(args.n) as server:
        write_sources(sources, server, range(args.n), schedule=f"every {args.every}s")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        proc = subprocess.Popen([sys.executable, "-m", "ingest", "--db", str(db), "--sources", str(sources),
                                 "schedule", "--log-file", str(log)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            for period in range(args.periods):
                time.sleep(args.every)
                for i in range(0, args.n, 10):  # news on a tenth of the feeds each period
                    server.counts[i] += 1
            time.sleep(min(30, args.every / 2))  # the last period's runs finish
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=120)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT source, started_at, status, new FROM runs ORDER BY id").fetchall()
    per_period: dict[int, set[str]] = {}
    statuses: dict[str, int] = {}
    for source, started_at, status, _ in rows:
        moment = datetime.fromisoformat(started_at).timestamp()
        per_period.setdefault(int((moment - started) // args.every), set()).add(source)
        statuses[status] = statuses.get(status, 0) + 1
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    skipped = text.count("this firing is skipped")
    cpu_s = usage.ru_utime + usage.ru_stime - cpu.ru_utime - cpu.ru_stime
    print(f"{args.n} sources every {args.every}s for {args.periods} periods on {os.cpu_count()} cores "
          f"(scheduler exit {code})")
    for period in range(args.periods):
        print(f"period {period + 1}: {len(per_period.get(period, ()))} of {args.n} sources polled")
    print(f"runs by status: {statuses}; firings skipped for a source still running: {skipped}")
    print(f"CPU: {cpu_s:.0f} s over {time.time() - started:.0f} s of wall time "
          f"({100 * cpu_s / (time.time() - started) / (os.cpu_count() or 1):.0f}% of the machine)")
    every = all(len(per_period.get(p, ())) == args.n for p in range(args.periods))
    print(f"every source polled in every period: {every}")
    return 0 if every and not skipped else 1


if __name__ == "__main__":
    sys.exit(main())
