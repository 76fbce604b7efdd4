"""Archive bench: bulk ingest rate, search latency, export rate and memory, file size.

    python -m bench.archive            # 100,000 generated articles
    python -m bench.archive --n 10000  # smaller

One generated article in ten is an altered copy of a recent story (`--copies`), as wire
copy is in a real archive. Articles go through the real storing path (Archive.save_many,
and Archive.save for the one-by-one rate) with the full-text index and clustering on.
Searches are timed on the index as the ingest left it, then after Archive.optimize().
The last line, `BENCH-JSON {...}`, holds the key figures for tools to tabulate.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.newsgen import SITES, NewsGenerator, Story
from ingest.cli import record, write_records
from ingest.models import Article
from storage import Archive

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "election", "asylum", "parliament budget", "covid-19", "U.S. election", '"said in a statement"',
    "parlia*", "assange asylum", "earthquake OR flood", "minister NOT court", "refugees border",
    "title:election", '"it was not immediately clear"', "ceasefire sanctions", "nato",
]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


_EXPORT = """
import resource, sys, time
from ingest.cli import main
start = time.process_time()
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(time.process_time() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def export_run(db: Path, *args: str) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of `newsdesk export` in its own process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _EXPORT, "--db", str(db), "export", *args, "-o", os.devnull],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu, rss_kb = done.stderr.strip().splitlines()[-1].split()
    return elapsed, float(cpu), int(rss_kb) / 1024


class Articles:
    """Generated articles: new stories, and with probability `copies` an altered copy of one
    of the last 1,000 stories (real archives hold wire copy: clustering has copies to find)."""

    def __init__(self, gen: NewsGenerator, copies: float):
        self.gen, self.copies = gen, copies
        self.recent: list[Story] = []

    def next(self) -> Article:
        gen = self.gen
        if self.recent and gen.rng.random() < self.copies:
            site = gen.rng.choice(SITES)
            alterations = gen.rng.sample(["lead", "footer", "truncate", "edit"], k=gen.rng.randint(1, 2))
            return gen.article(gen.copy_of(gen.rng.choice(self.recent), alterations, site), site=site)
        story = gen.story(paragraphs=(3, 9))
        self.recent.append(story)
        del self.recent[:-1000]
        return gen.article(story)


def search_rounds(archive: Archive, state: str) -> dict[str, float]:
    """Time every query 5 times (after one warm-up round) plain, collapsed and filtered.

    Returns the figures of the plain searches: wall p50/p95 (the targets) and CPU p95,
    and the p95 of the collapsed and filtered ones; keys end in `_unoptimized` unless
    the index is `optimized`."""
    figures: dict[str, float] = {}
    suffix = "" if state == "optimized" else "_unoptimized"
    for key, label, kwargs in (("search", "search", {}), ("collapse", "search --collapse", {"collapse": True}),
                               ("filtered", "search --source herald --since 2024-06-01",
                                {"source": "herald", "since": "2024-06-01"})):
        for q in QUERIES:  # warm the page cache
            archive.search(q, **kwargs)
        times, cpus, hits = [], [], 0
        for _ in range(5):
            for q in QUERIES:
                start, start_cpu = time.perf_counter(), time.thread_time()
                hits += len(archive.search(q, limit=20, **kwargs))
                times.append((time.perf_counter() - start) * 1000)
                cpus.append((time.thread_time() - start_cpu) * 1000)
        p95, cpu_p95 = percentile(times, 0.95), percentile(cpus, 0.95)
        print(f"{label} ({state}): wall p50 {statistics.median(times):.1f} ms  p95 {p95:.1f} ms  "
              f"max {max(times):.1f} ms; CPU p50 {statistics.median(cpus):.1f} ms  "
              f"p95 {cpu_p95:.1f} ms  ({len(QUERIES)} queries x 5, {hits / 5:.0f} hits a round)")
        if key == "search":
            figures[f"search_p50_ms{suffix}"] = round(statistics.median(times), 2)
            figures[f"search_p95_ms{suffix}"] = round(p95, 2)
            figures[f"search_cpu_p95_ms{suffix}"] = round(cpu_p95, 2)
        else:
            figures[f"{key}_p95_ms{suffix}"] = round(p95, 2)
            figures[f"{key}_cpu_p95_ms{suffix}"] = round(cpu_p95, 2)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="articles to ingest (default 100,000)")
    parser.add_argument("--batch", type=int, default=500, help="articles per save_many transaction")
    parser.add_argument("--singles", type=int, default=1000, help="articles then saved one by one")
    parser.add_argument("--copies", type=float, default=0.1,
                        help="share of articles that are syndicated copies of a recent story (default 0.1)")
    parser.add_argument("--db", type=Path, help="archive file (default: a temporary one, removed)")
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="newsdesk-bench-")
    db = args.db or Path(tmp.name) / "bench.db"
    articles = Articles(NewsGenerator(seed=1), args.copies)
    print(f"archive: {db}  articles: {args.n:,}  batch: {args.batch}", flush=True)

    with Archive(db) as archive:
        spent, cpu, done = 0.0, 0.0, 0
        while done < args.n:
            chunk = [articles.next() for _ in range(min(args.batch, args.n - done))]
            start, start_cpu = time.perf_counter(), time.process_time()
            archive.save_many(chunk)
            spent += time.perf_counter() - start
            cpu += time.process_time() - start_cpu
            done += len(chunk)
            if done % (args.batch * 40) == 0:
                print(f"  {done:,} saved, {done / spent:,.0f} articles/s", file=sys.stderr, flush=True)
        words = archive.conn.execute("SELECT avg(word_count) FROM articles").fetchone()[0]
        print(f"ingest (save_many): {done / spent:,.0f} articles/s wall, {done / cpu:,.0f} per CPU-second  "
              f"({spent:.1f} s, {words:.0f} words/article)")
        figures: dict[str, object] = {"n": args.n, "ingest_per_s": round(done / spent),
                                      "ingest_per_cpu_s": round(done / cpu)}

        singles = [articles.next() for _ in range(args.singles)]
        start, start_cpu = time.perf_counter(), time.process_time()
        for article in singles:
            archive.save(article)
        elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
        print(f"ingest (save, one transaction each): {len(singles) / elapsed:,.0f} articles/s wall, "
              f"{len(singles) / used:,.0f} per CPU-second")
        figures.update(save_per_s=round(len(singles) / elapsed), save_per_cpu_s=round(len(singles) / used))

        syndicated = archive.conn.execute(
            "SELECT count(*) FROM (SELECT cluster_id FROM articles GROUP BY cluster_id HAVING count(*) > 1)"
        ).fetchone()[0]
        print(f"clusters with more than one article: {syndicated}")

        figures["clusters"] = syndicated

        figures.update(search_rounds(archive, "as ingested"))
        start_cpu = time.process_time()
        steps = archive.optimize()
        print(f"optimize (full-text index merged into one segment): {time.process_time() - start_cpu:.1f} "
              f"CPU-seconds in {steps} steps")
        optimized = search_rounds(archive, "optimized")
        figures.update(optimized)

        start = time.perf_counter()
        with open(os.devnull, "w", encoding="utf-8") as out:
            count = write_records((record(r) for r in archive.articles()), "jsonl", out)
        elapsed = time.perf_counter() - start
        print(f"export jsonl (in process): {count / elapsed:,.0f} articles/s")
        figures["export_in_process_per_s"] = round(count / elapsed)
        archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    total = args.n + args.singles
    part_s, part_cpu, part_mb = export_run(db, "--source", "herald")
    full_s, full_cpu, full_mb = export_run(db)
    csv_s, csv_cpu, _ = export_run(db, "--format", "csv")
    print(f"newsdesk export (jsonl, all {total:,}): {total / full_s:,.0f} articles/s wall, "
          f"{total / full_cpu:,.0f} per CPU-second, peak RSS {full_mb:.0f} MB")
    print(f"newsdesk export (jsonl, one source of 8): peak RSS {part_mb:.0f} MB")
    print(f"newsdesk export (csv, all): {total / csv_s:,.0f} articles/s wall, {total / csv_cpu:,.0f} per CPU-second")
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    print(f"file size: {size / 1e6:,.0f} MB  ({size / total / 1024:.1f} KiB per article)")
    tmp.cleanup()
    figures.update(
        export_per_s=round(total / full_s), export_per_cpu_s=round(total / full_cpu), peak_rss_mb=round(full_mb),
        peak_rss_one_source_mb=round(part_mb), file_mb=round(size / 1e6, 1),
        file_kib_per_article=round(size / total / 1024, 2),
        bench_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
    # one line for `make bench` and other tools to tabulate
    print("BENCH-JSON " + json.dumps({"bench": "archive", **figures}, sort_keys=False))


if __name__ == "__main__":
    main()
