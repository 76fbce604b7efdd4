"""The scheduler's side of a crawl: run a batch of sources through `crawl_batch`, and stop them all.

`ingest.run.crawl.crawl_batch` does the real work for every caller (the CLI, the scheduler, the
benchmarks): a child process per batch (a Twisted reactor cannot restart, and a hung or
leaking crawl must not take the scheduler down), its time limit, and run records that are
never left "running". This module only tracks which batches are running so a shutdown can
stop them, and turns run records into the RunResults the scheduler logs and backs off on.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from ingest.run.batches import batch_time_limit
from ingest.run.crawl import StopSignal, crawl_batch
from ingest.sources.config import Source
from storage import Archive
from storage.archive import RUN_COUNTERS

log = logging.getLogger("newsdesk.runner")

FAILED = ("failed", "timeout")  # run statuses that count towards a source's backoff


@dataclass
class RunResult:
    source: str
    status: str  # ok, failed, timeout, interrupted (as in the runs table), or skipped
    run_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in FAILED


class BatchRunner(Protocol):
    """What the scheduler runs batches with: CrawlRunner here, or
    ingest.distributed.workers.RemoteRunner when a broker spreads them over machines."""

    def run_batch(self, sources: list[Source]) -> list[RunResult]: ...

    def stop_all(self, *, at_once: bool = False) -> None: ...

    def running(self) -> list[str]: ...


class CrawlRunner:
    """Runs batches of crawls (each in the calling thread, as a child process) and can stop them all."""

    def __init__(self, db_path: str, sources_path: str):
        self.db_path = db_path
        self.sources_path = sources_path
        self._running: dict[int, tuple[list[str], StopSignal]] = {}  # by the StopSignal's id
        self._lock = threading.Lock()
        self.stopping = False

    def run_batch(self, sources: list[Source]) -> list[RunResult]:
        """Crawl these sources now as one batch and wait for it; their results in order. The
        batch is stopped at its time limit (ingest.run.batches.batch_time_limit)."""
        keys = [source.key for source in sources]
        stop = StopSignal()
        # Register under the lock: stop_all() either sees this batch or prevents its start.
        with self._lock:
            if self.stopping:
                return [RunResult(key, "skipped", error="the scheduler is stopping") for key in keys]
            self._running[id(stop)] = (keys, stop)
        limit = batch_time_limit(sources)
        for key in keys:
            log.info("%s: run started (batch of %d, limit %gs)", key, len(keys), limit)
        started = time.monotonic()
        try:
            rows = crawl_batch(self.db_path, self.sources_path, keys, timeout_s=limit, stop=stop)
        finally:
            with self._lock:
                self._running.pop(id(stop), None)
        seconds = time.monotonic() - started
        if rows and rows[0].get("log"):
            log.debug("batch log kept at %s", rows[0]["log"])
        return [RunResult(key, row.get("status") or "failed", row.get("id"),
                          {k: int(row.get(k) or 0) for k in RUN_COUNTERS}, row.get("last_error"), seconds)
                for key, row in zip(keys, rows)]

    def stop_all(self, *, at_once: bool = False) -> None:
        """Refuse new runs and ask every running batch to stop (at once: no grace)."""
        with self._lock:
            self.stopping = True
            running = list(self._running.values())
        for keys, stop in running:
            log.info("%s: stopping the running crawl", ", ".join(keys))
            stop.kill() if at_once else stop.stop()

    def running(self) -> list[str]:
        """The keys of every source in a running batch."""
        with self._lock:
            return [key for keys, _ in self._running.values() for key in keys]


def describe(result: RunResult) -> str:
    """One log line's worth: `run 7 ok in 3.1s: 12 pages, 4 new, ...`."""
    counts = ", ".join(f"{result.counts.get(k, 0)} {k}" for k in RUN_COUNTERS)
    text = f"run {result.run_id} {result.status} in {result.seconds:.1f}s: {counts}"
    return text + (f"; {result.error}" if result.error and result.status != "ok" else "")


def run_errors(db_path: str, run_id: int | None, limit: int = 20) -> list[dict[str, Any]]:
    """The fetch errors of one run, with their URLs, for the log."""
    if run_id is None:
        return []
    with Archive(db_path) as archive:
        return list(archive.db.query(
            "SELECT url, status, reason FROM fetches WHERE run_id = ? AND outcome = 'error' ORDER BY id LIMIT ?",
            [run_id, limit]))
