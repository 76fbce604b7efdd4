"""Polling many sources: batches against one process per source, same feeds, same run.

N sources (default 1,000), each a feed of 20 short stories on a loopback host of its own
(127.0.0.2 and up: each address is a host, as far as politeness and batching go), served by
one asyncio server in this process. Three rounds:
  1. every story is new and stored;
  2. nothing is new (the feeds answer 304 to their ETag);
  3. a tenth of the feeds gained one story: exactly those are stored.
newsdesk runs each round as batches (ingest.run.batches, ingest.run.crawl.crawl_batch), two batch
processes at a time on two cores. Beside it, today's way before batches, one process per
source (a batch of one), on a sample of the sources with an archive of its own. Per round:
wall time, CPU-seconds of the crawl processes (children's rusage, extraction workers
included), CPU per source, peak RSS of the largest process so far.

Run: python -m bench.poll [--n 1000] [--sample 20]
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import resource
import sqlite3
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ingest.run.batches import plan_batches
from ingest.run.crawl import crawl_batch
from ingest.sources.config import load_sources

STORIES = 20
WORDS = ("council budget river harbour minister election railway hospital school teachers farmers drought "
         "festival museum library bridge tunnel airport shipping market prices wages court judge").split()


def host_of(i: int) -> str:
    """The loopback address of source i: 127.0.0.2, 127.0.0.3, ... 127.0.1.2, ..."""
    return f"127.0.{i // 250}.{i % 250 + 2}"


SYLLABLES = "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru " \
            "sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu".split()


def article(i: int, n: int) -> bytes:
    """A short story of its own: words drawn from a vocabulary of thousands, so no two stories
    look like syndicated copies of each other (as the feeds of different newsrooms would not)."""
    rng = random.Random(i * 100_003 + n)
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(100)]
    paragraphs = "".join(f"<p>{' '.join(words[p * 20:(p + 1) * 20]).capitalize()}, the {rng.choice(WORDS)} desk "
                         f"reported.</p>" for p in range(5))
    return (f"<html><head><title>Desk {i} story {n}</title><meta property='og:type' content='article'>"
            f"<meta property='article:published_time' content='2026-11-{1 + n % 28:02d}T08:00:00+00:00'></head>"
            f"<body><article><h1>Desk {i} story {n}</h1>{paragraphs}</article></body></html>").encode()


def feed(i: int, base: str, count: int) -> bytes:
    day = datetime(2026, 11, 1, tzinfo=timezone.utc)
    items = "".join(f"<item><title>Desk {i} story {n}</title><link>{base}/news/{n}</link>"
                    f"<pubDate>{format_datetime(day + timedelta(hours=n))}</pubDate><guid>{n}</guid></item>"
                    for n in range(count))
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Desk {i}</title>"
            f"<link>{base}/</link>{items}</channel></rss>").encode()


class FeedServer:
    """One asyncio HTTP/1.1 server listening on every source's loopback address."""

    def __init__(self, n: int):
        self.n = n
        self.counts = [STORIES] * n
        self.port = 0
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> "FeedServer":
        self._thread.start()
        self._ready.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)

    def base(self, i: int) -> str:
        return f"http://{host_of(i)}:{self.port}"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        first = self._loop.run_until_complete(asyncio.start_server(self._handle, host_of(0), 0))
        self.port = first.sockets[0].getsockname()[1]
        for i in range(1, self.n):
            self._loop.run_until_complete(asyncio.start_server(self._handle, host_of(i), self.port))
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        parts = [int(p) for p in host.split(".")]
        i = parts[2] * 250 + parts[3] - 2
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                status, body, extra = self._route(i, path, headers)
                writer.write(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    def _route(self, i: int, path: str, headers: dict[str, str]) -> tuple[str, bytes, str]:
        if path == "/robots.txt":
            return "200 OK", b"User-agent: *\nAllow: /\n", "Content-Type: text/plain\r\n"
        if path == "/feed.xml":
            count = self.counts[i]
            etag = '"' + hashlib.sha1(f"{i}-{count}".encode()).hexdigest()[:12] + '"'
            if headers.get("if-none-match") == etag:
                return "304 Not Modified", b"", f"ETag: {etag}\r\n"
            return "200 OK", feed(i, self.base(i), count), f"Content-Type: application/rss+xml\r\nETag: {etag}\r\n"
        if path.startswith("/news/"):
            return "200 OK", article(i, int(path.rsplit("/", 1)[1])), "Content-Type: text/html; charset=utf-8\r\n"
        return "404 Not Found", b"not found", "Content-Type: text/plain\r\n"


@dataclass
class Round:
    wall: float
    cpu: float
    sources: int
    new: int
    runs_ok: int
    peak_mb: float

    def line(self, name: str) -> str:
        return (f"{name:<22} {self.sources:>5} sources  wall {self.wall:7.1f} s  CPU {self.cpu:7.1f} s  "
                f"{1000 * self.cpu / self.sources:6.1f} ms CPU/source  new {self.new:>6}  ok {self.runs_ok}/{self.sources}  "
                f"peak RSS {self.peak_mb:.0f} MB")


def write_sources(path: Path, server: FeedServer, keys: range, schedule: str = "every 15m") -> None:
    lines = []
    for i in keys:
        lines += [f"[sources.s{i:05d}]", f'feeds = ["{server.base(i)}/feed.xml"]', "delay = 0", "max_pages = 100",
                  f'schedule = "{schedule}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_round(db: Path, sources_path: Path, batches: list[list[str]], parallel: int) -> Round:
    cpu, start = children_cpu(), time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        runs = [run for batch in pool.map(lambda b: crawl_batch(str(db), str(sources_path), b), batches) for run in batch]
    return Round(time.perf_counter() - start, children_cpu() - cpu, len(runs), sum(r.get("new") or 0 for r in runs),
                 sum(r.get("status") == "ok" for r in runs), peak_mb())


def stored_once(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        total, distinct = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        return total == distinct
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="sources (default 1,000)")
    parser.add_argument("--sample", type=int, default=20, help="sources polled one process each (default 20)")
    parser.add_argument("--parallel", type=int, default=os.cpu_count() or 2, help="batch processes at once")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-poll-"))
    with FeedServer(args.n) as server:
        sources_path, sample_path = work / "sources.toml", work / "sample.toml"
        write_sources(sources_path, server, range(args.n))
        sample = min(args.sample, args.n)
        write_sources(sample_path, server, range(sample))
        sources = load_sources(sources_path)
        batches = plan_batches(sources.values())
        singles = [[key] for key in load_sources(sample_path)]
        print(f"{args.n} sources on {args.n} loopback hosts, {STORIES} stories each; newsdesk: {len(batches)} batches, "
              f"{args.parallel} at a time; one process per source: {sample} of them", flush=True)
        bumped = range(0, args.n, 10)
        ok = True
        for number in (1, 2, 3):
            if number == 3:
                for i in bumped:
                    server.counts[i] += 1
            batch = run_round(work / "newsdesk.db", sources_path, batches, args.parallel)
            single = run_round(work / "single.db", sample_path, singles, 1)
            print(f"round {number}:")
            print(batch.line("  newsdesk batches"))
            print(single.line("  one process/source"))
            ratio = (single.cpu / single.sources) / (batch.cpu / batch.sources) if batch.cpu else float("inf")
            print(f"  CPU per source, one process each / batches: {ratio:.1f}x", flush=True)
            expected = {1: args.n * STORIES, 2: 0, 3: len(bumped)}[number]
            if batch.new != expected:
                print(f"  MISMATCH: round {number} stored {batch.new} new articles, expected {expected}")
                ok = False
        print(f"every article stored once: {stored_once(work / 'newsdesk.db')}")
        print(f"requests served: {server.requests}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
