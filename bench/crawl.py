"""Crawl benchmark: a local site of 2,000 article pages behind a sitemap, crawled end to end by
newsdesk and by a naive baseline (bench/baseline.py) in the same run; pages/s and peak RSS.

    python -m bench.crawl [--articles 2000] [--real] [--rounds N] [--keep DIR]

--real serves the real pages of ../shared/realpages and ../shared/webpages instead (1,452
pages of 10-300 KB, their bytes as saved, read from there and never copied), behind the
same kind of sitemap.

Both crawlers start as subprocesses (start-up included), obey robots.txt, use no delay and no
AutoThrottle, and fetch from the same in-process HTTP server. Peak memory is summed over the
crawl's whole process tree (newsdesk's extraction workers included), sampled every 0.1 s:
RSS (shared pages counted in each process) and PSS (shared pages split between them).
"""
from __future__ import annotations

import argparse
import html
import os
import random
import shutil
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ingest.run.crawl import crawl_source

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("council budget river harbour minister election railway hospital school teachers farmers drought "
         "rainfall festival museum library bridge tunnel airport shipping market prices inflation wages union "
         "strike court judge appeal verdict police investigation reporters archive statement parliament "
         "committee inquiry report findings residents housing rents tenants mayor district province coast "
         "energy solar wind grid outage engineers repairs contract company exports harvest wheat rice").split()


def page(i: int, n: int) -> bytes:
    """A news page of realistic weight (~35 KB): navigation, scripts, the story, related links, footer."""
    rng = random.Random(i)
    title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
    paragraphs = "\n".join(
        "<p>" + " ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 22))).capitalize() + "."
                         for _ in range(rng.randint(3, 6))) + "</p>" for _ in range(rng.randint(8, 14)))
    nav = "".join(f'<li><a href="/section/{w}">{w.title()}</a></li>' for w in WORDS[:40])
    related = "".join(f'<li><a href="/news/story-{j}-{WORDS[j % 40]}-update">{html.escape(" ".join(WORDS[j % 50:j % 50 + 7]))}'
                      f'</a><p class="teaser">{" ".join(WORDS[j % 30:j % 30 + 15])}</p></li>'
                      for j in rng.sample(range(n), 12))
    script = "<script>window.dataLayer=window.dataLayer||[];" + "function f(a){return a*2};" * 150 + "</script>"
    style = "<style>" + ".c{margin:0;padding:0;color:#222}" * 120 + "</style>"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Bench Times</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-05-{1 + i % 28:02d}T{i % 24:02d}:00:00+05:30">
<meta name="author" content="Staff Reporter">{style}{script}</head><body>
<header><div class="logo">Bench Times</div><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{title}</h1><div class="byline">By Staff Reporter</div>
<div class="share">Share: Facebook Twitter WhatsApp</div>{paragraphs}</article>
<aside><h3>Related</h3><ul>{related}</ul></aside></main>
<footer><ul>{nav}</ul><p>© Bench Times. All rights reserved.</p></footer>{script}</body></html>""".encode()


def generated_pages(n: int) -> dict[str, bytes]:
    return {f"/news/story-{i}-{WORDS[i % 40]}-update": page(i, n) for i in range(n)}


def real_pages() -> dict[str, bytes]:
    """Every page of the real-page corpora present, by a path of its own."""
    import gzip
    import json

    from bench.quality import realpages_dir, webpages_dir

    pages = {}
    for directory in (realpages_dir(), webpages_dir()):
        if directory is None:
            continue
        for key in json.loads((directory / "expected.json").read_text(encoding="utf-8")):
            path = directory / key
            if path.is_file():
                pages["/pages/" + key.removesuffix(".html.gz").replace(".", "-")] = gzip.decompress(path.read_bytes())
    return pages


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sitemap = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + "".join(f"<url><loc>{base}{p}</loc></url>" for p in pages) + "</urlset>").encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = sitemap if self.path == "/sitemap.xml" else pages.get(self.path)
            status = 200 if body is not None else 404
            body = body if body is not None else b"not found"
            self.send_response(status)
            self.send_header("Content-Type", "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server.RequestHandlerClass = Handler
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def _sample(pid: int) -> tuple[int, int, float] | None:
    """(RSS KB, PSS KB, CPU seconds) of one process, or None once it is gone."""
    try:
        rss = pss = 0
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return rss, pss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class PeakMemory:
    """Samples this process's descendants (the crawl's process tree) every 0.1 s: peak RSS and
    PSS summed over the tree (RSS counts pages shared by forked workers once per process; PSS
    splits them), and the CPU seconds each process used (a measure the machine's load does not skew
    the way it skews wall time)."""

    def __enter__(self) -> "PeakMemory":
        self.rss_kb = self.pss_kb = 0
        self.cpu_s: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            rss = pss = 0
            stack, seen = [os.getpid()], set()
            while stack:
                for child in _children(stack.pop()):
                    if child not in seen:
                        seen.add(child)
                        stack.append(child)
                        sample = _sample(child)
                        if sample:
                            rss, pss = rss + sample[0], pss + sample[1]
                            self.cpu_s[child] = sample[2]
            self.rss_kb, self.pss_kb = max(self.rss_kb, rss), max(self.pss_kb, pss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def bound(self, pages: int) -> float:
        """Pages/s this CPU use allows on an idle machine: no process can use more than one core,
        and all of them together no more than the machine's cores."""
        total, busiest = sum(self.cpu_s.values()), max(self.cpu_s.values(), default=0.0)
        return pages / max(busiest, total / (os.cpu_count() or 1), 1e-9)

    def describe(self, pages: int) -> str:
        total, busiest = sum(self.cpu_s.values()), max(self.cpu_s.values(), default=0.0)
        return (f"peak RSS {self.rss_kb / 1024:.0f} MB (PSS {self.pss_kb / 1024:.0f} MB), "
                f"CPU {1000 * total / max(pages, 1):.1f} ms/page in {len(self.cpu_s)} processes "
                f"(busiest {1000 * busiest / max(pages, 1):.1f} ms/page), CPU-bound ceiling "
                f"{self.bound(pages):.0f} pages/s")


def run_newsdesk(base: str, work: Path, n: int) -> tuple[float, int, PeakMemory]:
    sources = work / "sources.toml"
    sources.write_text(f'[sources.bench]\nsitemaps = ["{base}/sitemap.xml"]\ndelay = 0\nmax_pages = {n + 10}\n'
                       f'run_timeout = 3600\n')
    with PeakMemory() as memory:
        started = time.perf_counter()
        run = crawl_source(str(work / "newsdesk.db"), str(sources), "bench")
        elapsed = time.perf_counter() - started
    assert run["status"] == "ok", run
    return elapsed, int(run["pages"]), memory


def run_baseline(base: str, work: Path) -> tuple[float, int, PeakMemory]:
    db = work / "baseline.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    with PeakMemory() as memory:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.baseline", "--sitemap", f"{base}/sitemap.xml", "--db", str(db)],
                       check=True, env=env, cwd=work)
        elapsed = time.perf_counter() - started
    stored = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    return elapsed, stored, memory


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--real", action="store_true", help="serve the real-page corpora instead of generated pages")
    parser.add_argument("--rounds", type=int, default=1,
                        help="Alternate the two crawlers this many times; the median ratio is reported.")
    parser.add_argument("--keep", help="Keep the archives in this directory.")
    args = parser.parse_args()
    pages = real_pages() if args.real else generated_pages(args.articles)
    if not pages:
        print("no real pages found (../shared/realpages, ../shared/webpages); nothing to measure", file=sys.stderr)
        return
    args.articles = len(pages)
    server, base = serve(pages)
    size = sum(len(p) for p in pages.values()) / len(pages) / 1024
    print(f"site: {len(pages)} {'real' if args.real else 'generated'} pages (mean {size:.0f} KB) at {base}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    ratios = []
    try:
        for round_ in range(1, args.rounds + 1):
            work = Path(args.keep or tempfile.mkdtemp(prefix="newsdesk-bench-")) / f"round-{round_}"
            work.mkdir(parents=True, exist_ok=True)
            try:
                # pages/s counts every page fetched; what each stored is shown beside it
                b_time, b_stored, b_mem = run_baseline(base, work)
                b_count = n_pages = len(pages)
                print(f"baseline (Scrapy + inline trafilatura + sqlite-utils insert per item): {b_stored} articles of "
                      f"{n_pages} pages in {b_time:.1f}s = {n_pages / b_time:.1f} pages/s, {b_mem.describe(n_pages)}",
                      flush=True)
                n_time, n_count, n_mem = run_newsdesk(base, work, args.articles)
                print(f"newsdesk (extraction in a process pool, cleaning, revisions, FTS): {n_count} pages in "
                      f"{n_time:.1f}s = {n_count / n_time:.1f} pages/s, {n_mem.describe(n_count)}", flush=True)
                ratios.append((n_count / n_time) / (b_count / b_time))
                print(f"speed-up: {ratios[-1]:.2f}x measured (load {os.getloadavg()[0]:.1f}); "
                      f"{n_mem.bound(n_count) / b_mem.bound(b_count):.2f}x from CPU use", flush=True)
            finally:
                if not args.keep:
                    shutil.rmtree(work.parent, ignore_errors=True)
        if len(ratios) > 1:
            print(f"median speed-up over {len(ratios)} rounds: {statistics.median(ratios):.2f}x", flush=True)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
