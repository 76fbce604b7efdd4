"""The scheduler's side of a crawl: run one source through `crawl_source`, and stop them all.

`ingest.crawl.crawl_source` does the real work for every caller (the CLI, the scheduler, the
benchmarks): a child process per crawl (a Twisted reactor cannot restart, and a hung or
leaking crawl must not take the scheduler down), its time limit, and a run record that is
never left "running". This module only tracks which crawls are running so a shutdown can
stop them, and turns a run record into the RunResult the scheduler logs and backs off on.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ingest.crawl import StopSignal, crawl_source
from ingest.sources import Source
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


class CrawlRunner:
    """Runs crawls (each in the calling thread, as a child process) and can stop them all."""

    def __init__(self, db_path: str, sources_path: str):
        self.db_path = db_path
        self.sources_path = sources_path
        self._running: dict[str, StopSignal] = {}
        self._lock = threading.Lock()
        self.stopping = False

    def run(self, source: Source) -> RunResult:
        """Crawl one source now and wait for it; it is stopped at `source.run_timeout_s`."""
        key = source.key
        stop = StopSignal()
        # Register under the lock: stop_all() either sees this crawl or prevents its start.
        with self._lock:
            if self.stopping:
                return RunResult(key, "skipped", error="the scheduler is stopping")
            self._running[key] = stop
        log.info("%s: run started (limit %gs)", key, source.run_timeout_s)
        started = time.monotonic()
        try:
            row = crawl_source(self.db_path, self.sources_path, key, timeout_s=source.run_timeout_s, stop=stop)
        finally:
            with self._lock:
                self._running.pop(key, None)
        if row.get("log"):
            log.debug("%s: crawl log kept at %s", key, row["log"])
        counts = {k: int(row.get(k) or 0) for k in RUN_COUNTERS}
        return RunResult(key, row.get("status") or "failed", row.get("id"), counts, row.get("last_error"),
                         time.monotonic() - started)

    def stop_all(self, *, at_once: bool = False) -> None:
        """Refuse new runs and ask every running crawl to stop (at once: no grace)."""
        with self._lock:
            self.stopping = True
            running = list(self._running.items())
        for key, stop in running:
            log.info("%s: stopping the running crawl", key)
            stop.kill() if at_once else stop.stop()

    def running(self) -> list[str]:
        with self._lock:
            return list(self._running)


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
