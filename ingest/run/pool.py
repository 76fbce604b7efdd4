"""The extraction pool: process_page in worker processes, each page under a time limit.

Extraction is pure Python holding the GIL, so it runs in processes, off the crawler's event
loop. Nothing inside trafilatura bounds the time one pathological page takes
(trafilatura#704): a page over the limit becomes an error result and its worker is killed
and replaced (pebble), so one bad page can neither stall nor kill a crawl.
"""
from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from ingest.clusters import signature
from ingest.compression import compress_html
from ingest.extract import ExtractOptions
from ingest.models import Article, Extraction, Page, Rejected
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


def _nothing() -> None:
    return None


def preload() -> None:
    """Build, in this process, the tables the extractor builds lazily on first use, then keep
    the garbage collector off them, so that workers forked from here share one copy instead of
    each building its own: trafilatura's justext stoplist of every language and the month names
    of every dateparser locale, about 35 MB that each worker of a real-page crawl otherwise
    built for itself. (dateparser's compiled locales are left to the workers, which build only
    the few languages their pages are in: ingest.datelanguages.)"""
    from htmldate.extractors import month_words
    from justext.core import define_stoplist
    from trafilatura.external import JT_STOPLIST, jt_stoplist_init

    from ingest.datelanguages import locale_tables

    define_stoplist(JT_STOPLIST or jt_stoplist_init())  # lru_cached: the lowered set is kept too
    month_words()
    locale_tables()
    gc.collect()
    gc.freeze()  # a collection would write to every tracked object's header, unsharing its page


def extract_and_sign(page: Page, options: ExtractOptions | None = None) -> Extraction:
    """process_page, plus what storing the article needs that a worker can make: its MinHash
    signature (a third of what storing cost the crawl's main process) and its page
    compressed as the archive keeps it (which also halves what travels back here)."""
    result = process_page(page, options)
    if isinstance(result, Article):
        result.signature = signature(result.text)
        if result.html is not None:
            result.html_zlib, result.html = compress_html(result.html), None
    _trim()
    return result


def _trim() -> None:
    """Hand the heap's free pages back to the system. A page's parse trees (lxml, several per
    extractor) free their memory to malloc, which keeps it: a worker grew to 200 MB over a crawl
    of real pages, each holding the high-water mark of the largest page it had met."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> object | None:
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # glibc only
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()


class ExtractionPool:
    """A few worker processes running process_page; `await pool.extract(page)`."""

    def __init__(self, workers: int | None = None, time_limit_s: float = 30.0):
        self.workers = max(1, workers or os.cpu_count() or 2)
        self.time_limit_s = time_limit_s
        self._in_flight = 0
        self._pool = self._new_pool()

    def start(self) -> None:
        """Fork the workers now, while this process is still small: a worker forked from it
        holds less it will never use. pebble forks them all when its first task is scheduled;
        their warm-up then runs while this process goes on."""
        preload()
        self._pool.schedule(_nothing)

    def _new_pool(self) -> ProcessPool:
        # fork: pebble's own, best-tested start method; with forkserver a worker killed from
        # outside could leave the pool in an error state with futures that never resolve.
        return ProcessPool(max_workers=self.workers, initializer=_warm_up, context=multiprocessing.get_context("fork"))

    async def extract(self, page: Page, options: ExtractOptions | None = None) -> Extraction:
        pool = self._pool
        future = pool.schedule(extract_and_sign, args=(page, options), timeout=self.time_limit_s)
        # A watchdog above pebble's own limit, for a pool that stopped answering at all: the
        # page waits for those queued before it, then for its own time limit.
        self._in_flight += 1
        watchdog = self.time_limit_s * (2 + self._in_flight / self.workers) + 30
        try:
            # shielded: the watchdog's timeout must not cancel the task, or a pool that stopped
            # answering would look like a page over its time limit
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), watchdog)
        except FutureTimeout:
            if not future.done():  # the watchdog, not pebble: start a fresh pool
                self._recycle(pool)
                return Rejected(page.url, f"extraction pool stalled; no result after {watchdog:g}s", kind="error")
            return Rejected(page.url, f"extraction timed out after {self.time_limit_s:g}s", kind="error")
        except ProcessExpired as exc:  # the worker died: out of memory, a crash in lxml, killed...
            return Rejected(page.url, f"extraction worker died (exit code {exc.exitcode})", kind="error")
        except asyncio.CancelledError:
            if future.cancelled():  # its pool was recycled under it, not our caller cancelling us
                return Rejected(page.url, "extraction cancelled: the worker pool was restarted", kind="error")
            raise
        except Exception as exc:  # a bug in extraction must not end the crawl; keep its reason
            return Rejected(page.url, f"extraction failed: {type(exc).__name__}: {exc}", kind="error")
        finally:
            self._in_flight -= 1

    def _recycle(self, pool: ProcessPool) -> None:
        if pool is self._pool:
            self._pool = self._new_pool()
            pool.stop()

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=10)
