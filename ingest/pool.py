"""The extraction pool: process_page in worker processes, each page under a time limit.

Extraction is pure Python holding the GIL, so it runs in processes, off the crawler's event
loop. Nothing inside trafilatura bounds the time one pathological page takes
(trafilatura#704): a page over the limit becomes an error result and its worker is killed
and replaced (pebble), so one bad page can neither stall nor kill a crawl.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from ingest.extract import ExtractOptions
from ingest.models import Extraction, Page, Rejected
from ingest.page import process_page


_SAMPLE = ("<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
           + "<p>The council met on Tuesday to agree the budget for the coming year, and members said "
             "the new bridge would open in the spring after repairs to the harbour road.</p>" * 6
           + "</article></body></html>").encode()


def _warm_up() -> None:
    """Run one small page through the extractor in each new worker: trafilatura and htmldate
    initialize lazily, and that first-call cost must not count against a real page's limit."""
    url = "https://warm-up.invalid/news/warm-up-page"
    process_page(Page(url=url, final_url=url, body=_SAMPLE, content_type="text/html"))


class ExtractionPool:
    """A few worker processes running process_page; `await pool.extract(page)`."""

    def __init__(self, workers: int | None = None, time_limit_s: float = 30.0):
        self.workers = max(1, workers or os.cpu_count() or 2)
        self.time_limit_s = time_limit_s
        # forkserver: workers (and their replacements) fork from a clean process that already
        # imported the extractor, never from the crawler with its threads and sockets.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["ingest.page"])
        self._pool = ProcessPool(max_workers=self.workers, initializer=_warm_up, context=context)

    async def extract(self, page: Page, options: ExtractOptions | None = None) -> Extraction:
        future = self._pool.schedule(process_page, args=(page, options), timeout=self.time_limit_s)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            return Rejected(page.url, f"extraction timed out after {self.time_limit_s:g}s", kind="error")
        except ProcessExpired as exc:  # the worker died: out of memory, a crash in lxml...
            return Rejected(page.url, f"extraction worker died (exit code {exc.exitcode})", kind="error")
        except Exception as exc:  # a bug in extraction must not end the crawl; keep its reason
            return Rejected(page.url, f"extraction failed: {type(exc).__name__}: {exc}", kind="error")

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=10)
