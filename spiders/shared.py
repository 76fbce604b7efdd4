"""What the crawls of one batch share in their one process: connections, the pool, the writer.

A batch runs every source's spider in one Scrapy process (spiders.run). Per source stay its
spider, settings (robots, delay, user agent, time limit), page budget, run record and
failure; shared are what would otherwise be paid once per source: the reactor thread's
archive connection (seen-checks, feed state, run records), the extraction pool (worker
processes, forked once per batch: start_early) and the storing thread with its own connection, so
batches of pages from every source are written one after another by one writer.

Everything is opened by the first crawl that asks and closed when the last one lets go.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ingest.run.pool import ExtractionPool
from storage import Archive

__all__ = ["Shared", "acquire", "release", "shared_for", "start_early"]

# The storing connection's page cache. A bulk load wants 64 MiB (storage.archive); a crawl
# stores 16 pages a transaction and its process's memory counts: a real-page crawl's main
# process held 217 MB with 64 MiB, and stored as fast with this.
CRAWL_CACHE_KIB = 16384


@dataclass
class Shared:
    """One process's shared crawl resources for one archive."""

    db_path: str
    workers: int
    extract_timeout_s: float
    reader: Archive = field(init=False)  # the reactor thread's connection
    users: int = 0
    _store: Archive | None = None
    _writer: ThreadPoolExecutor | None = None
    _pool: ExtractionPool | None = None

    def __post_init__(self) -> None:
        self.reader = Archive(self.db_path)

    @property
    def store(self) -> Archive:
        """The storing thread's connection, opened on first use (a poll that finds nothing never needs it)."""
        if self._store is None:
            # opened here, used only on the writer thread
            self._store = Archive(self.db_path, writer_cache_kib=CRAWL_CACHE_KIB)
        return self._store

    @property
    def writer(self) -> ThreadPoolExecutor:
        """One thread: every batch commits in the order it was flushed, never two at once."""
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsdesk-store")
        return self._writer

    @property
    def pool(self) -> ExtractionPool:
        if self._pool is None:
            self._pool = ExtractionPool(self.workers, self.extract_timeout_s)
        return self._pool

    def close(self) -> None:
        try:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
        finally:
            for archive in (self._store, self.reader):
                if archive is not None:
                    archive.close()
            if self._pool is not None:
                self._pool.close()


_lock = threading.Lock()
_shared: dict[str, Shared] = {}


def acquire(db_path: str, workers: int, extract_timeout_s: float) -> Shared:
    """The process's Shared for this archive, opened by the first caller."""
    with _lock:
        shared = _shared.get(db_path)
        if shared is None:
            shared = _shared[db_path] = Shared(db_path, workers, extract_timeout_s)
        shared.users += 1
        return shared


def release(shared: Shared) -> None:
    """Let go of a Shared; the last user closes it."""
    with _lock:
        shared.users -= 1
        if shared.users > 0:
            return
        _shared.pop(shared.db_path, None)
    shared.close()


def shared_for(settings: Any) -> Shared:
    """acquire() with a crawl's settings (NEWSDESK_DB, NEWSDESK_WORKERS, NEWSDESK_EXTRACT_TIMEOUT)."""
    return acquire(settings["NEWSDESK_DB"], settings.getint("NEWSDESK_WORKERS"),
                   settings.getfloat("NEWSDESK_EXTRACT_TIMEOUT"))


def start_early(db_path: str, overrides: dict[str, str] | None = None) -> Shared:
    """Fork the extraction workers before Scrapy is imported and any page is read: each worker
    then holds only the extractor, not a copy of the crawl's process (40 MB less each on a
    crawl of real pages). The caller releases the Shared when its crawls are over."""
    from spiders import settings

    overrides = overrides or {}
    shared = acquire(db_path, int(overrides.get("NEWSDESK_WORKERS") or settings.NEWSDESK_WORKERS),
                     float(overrides.get("NEWSDESK_EXTRACT_TIMEOUT") or settings.NEWSDESK_EXTRACT_TIMEOUT))
    shared.pool.start()
    return shared
