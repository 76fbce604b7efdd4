"""Distributed crawl bench: the same crawl locally and through Celery workers, and merge speed.

1. N sources (default 300) on loopback hosts, each a feed of 20 stories (bench.poll's
   server), crawled by `newsdesk crawl --all` into one archive, then by `newsdesk crawl --all
   --broker` with W workers (default 3) on this machine and a real redis-server into
   another. Wall time and CPU-seconds of every process involved (the workers' whole trees
   included), and the ratio: the cost of the distributed path.
2. Merge: one shard of M generated articles (default 20,000; bench.archive's generator, one
   in ten a syndicated copy) folded into an empty archive by ingest.distributed.merge, against storing the
   same articles with Archive.save_many (the local crawl's storing path) in the same run.

    python -m bench.distributed [--n 300] [--workers 3] [--articles 20000]

Needs redis-server (`make redis`); without it, part 1 is skipped.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.archive import Articles
from bench.newsgen import NewsGenerator
from bench.poll import FeedServer, write_sources
from ingest.distributed.merge import merge_shard
from storage import Archive

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_of_tree(pid: int) -> float:
    """CPU-seconds of a process and everything below it, the reaped children included."""
    total, stack, tick = 0.0, [pid], os.sysconf("SC_CLK_TCK")
    while stack:
        parent = stack.pop()
        try:
            fields = Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
        except OSError:
            continue
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                        stack.append(int(entry.name))
                except OSError:
                    pass
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _newsdesk(db: Path, sources: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "ingest", "--db", str(db), "--sources", str(sources), *args],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"newsdesk {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def _stored(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
    finally:
        conn.close()


def crawl_both(n: int, n_workers: int, work: Path) -> None:
    with FeedServer(n) as server:
        sources = work / "sources.toml"
        write_sources(sources, server, range(n))
        cpu, start = _children_cpu(), time.perf_counter()
        _newsdesk(work / "local.db", sources, "crawl", "--all", "--quiet")
        local_s, local_cpu = time.perf_counter() - start, _children_cpu() - cpu
        print(f"local:       {n} sources, {_stored(work / 'local.db')[0]} articles in {local_s:.1f} s, "
              f"{local_cpu:.1f} CPU-s", flush=True)

        port = _free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        broker, shards = f"redis://127.0.0.1:{port}/0", work / "shards"
        workers: list[subprocess.Popen] = []
        try:
            for i in range(n_workers):
                log = work / f"worker-{i}.log"
                workers.append(subprocess.Popen([sys.executable, "-m", "ingest", "worker", "--broker", broker,
                                                 "--shards", str(shards)], cwd=ROOT, stdout=open(log, "wb"),
                                                stderr=subprocess.STDOUT))
                while b" ready." not in log.read_bytes():
                    if workers[-1].poll() is not None:
                        raise SystemExit(f"worker failed:\n{log.read_text()[-2000:]}")
                    time.sleep(0.2)
            idle = sum(_cpu_of_tree(w.pid) for w in workers)
            cpu, start = _children_cpu(), time.perf_counter()
            _newsdesk(work / "main.db", sources, "crawl", "--all", "--quiet", "--broker", broker, "--shards", str(shards))
            remote_s = time.perf_counter() - start
            remote_cpu = _children_cpu() - cpu + sum(_cpu_of_tree(w.pid) for w in workers) - idle
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGQUIT)
            for worker in workers:
                try:
                    worker.wait(10)
                except subprocess.TimeoutExpired:
                    worker.kill()
            redis.terminate()
            redis.wait()
        total, distinct = _stored(work / "main.db")
        print(f"distributed: {n} sources, {total} articles in {remote_s:.1f} s, {remote_cpu:.1f} CPU-s "
              f"({n_workers} workers and the sender); every article once: {total == distinct}", flush=True)
        print(f"distributed / local: {remote_s / local_s:.2f}x wall time, {remote_cpu / local_cpu:.2f}x CPU", flush=True)


def merge_speed(m: int, work: Path) -> None:
    articles = Articles(NewsGenerator(seed=3), 0.1)
    chunk = [articles.next() for _ in range(m)]
    with Archive(work / "shard.part") as shard:
        run_id = shard.start_run("bench")
        shard.save_many(chunk, source="bench", run_id=run_id)
        shard.finish_run(run_id, "ok", shard.run_counts(run_id))
    (work / "shard.part").rename(work / "bench.shard.db")

    start, cpu = time.perf_counter(), time.process_time()
    with Archive(work / "local-store.db") as archive:
        archive.save_many(chunk, source="bench")
    store_s, store_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"store (save_many, the local path): {m} articles in {store_s:.1f} s = {m / store_s:,.0f} articles/s, "
          f"{m / store_cpu:,.0f} per CPU-second", flush=True)

    start, cpu = time.perf_counter(), time.process_time()
    with Archive(work / "merged.db") as archive:
        result = merge_shard(archive, work / "bench.shard.db", keep=True)
    merge_s, merge_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert result.merged and result.runs[0]["new"] + result.runs[0]["duplicate"] == m, result.runs
    print(f"merge: {m} articles in {merge_s:.1f} s = {m / merge_s:,.0f} articles/s, {m / merge_cpu:,.0f} per "
          f"CPU-second ({store_s / merge_s:.2f}x the local storing path)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.distributed")
    parser.add_argument("--n", type=int, default=300, help="sources (default 300)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--articles", type=int, default=20_000, help="articles in the merged shard")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        work = Path(tmp)
        merge_speed(args.articles, work)
        if shutil.which("redis-server"):
            crawl_both(args.n, args.workers, work)
        else:
            print("redis-server not installed (make redis): the distributed crawl is not measured", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
