"""Run one source's crawl in a child process with a time limit, and record how it ended.

Why a child process per crawl: a Twisted reactor cannot restart inside one process, and a
hung or leaking crawl must not take the scheduler down. The child is the public CLI
(`python -m ingest crawl KEY --quiet`), started in its own session so that the whole
process group (Scrapy plus any extraction workers) can be stopped together.

The child writes its own run row. When it is killed it cannot finish that row, so the
runner finds it (by pid, else the source's newest run since launch) and finishes it as
`timeout` or `interrupted`; if the child died before writing one, the runner writes it.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import ingest
from ingest.sources import Source
from storage import Archive
from storage.archive import RUN_COUNTERS
from storage.source_state import find_run, max_run_id

log = logging.getLogger("newsdesk.runner")

TERM_GRACE_S = 20.0  # after SIGTERM, how long a crawl may take to close (Scrapy needs ~10 s) before SIGKILL
CLAIM_POLL_S = 0.5  # how often a running crawl's run row is looked for
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


@dataclass
class _Child:
    proc: subprocess.Popen
    stopped: bool = False  # stop_all() asked it to end
    exited: threading.Event = field(default_factory=threading.Event)
    groups: set[int] = field(default_factory=set)  # process groups of the crawl's process tree

    def signal(self, sig: signal.Signals) -> None:
        """SIGTERM goes to our child's group only: the crawl CLI stops its own Scrapy child
        (exactly one SIGTERM, so Scrapy closes its run). SIGKILL goes to every group of the
        tree, remembered from earlier calls since orphans lose their link to us."""
        self.groups |= {self.proc.pid, *descendants(self.proc.pid).values()}
        self.groups.discard(os.getpgrp())  # never ourselves
        for pgid in (self.groups if sig == signal.SIGKILL else {self.proc.pid}):
            _signal_group(pgid, sig)


def crawl_command(db_path: str, sources_path: str, key: str) -> list[str]:
    """The CLI contract a scheduled run uses; absolute paths so the child's cwd cannot matter."""
    return [sys.executable, "-m", "ingest", "--db", os.path.abspath(db_path),
            "--sources", os.path.abspath(sources_path), "crawl", key, "--quiet"]


def _child_env() -> dict[str, str]:
    # Run from a source checkout as well as from an install: the child must import the
    # same `ingest` package as the scheduler.
    env = dict(os.environ)
    root = str(Path(ingest.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def descendants(pid: int) -> dict[int, int]:
    """Every live descendant of `pid` as {pid: process group}, read from /proc (Linux).

    The crawl CLI starts Scrapy in a session of its own, so killing our child's group alone
    would orphan a hung Scrapy: the runner signals each descendant's group as well. Where
    /proc is missing this returns {} and only the child's group is signalled.
    """
    parents: dict[int, int] = {}
    groups: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])  # after "pid (comm)": state, ppid, pgrp
        groups[int(entry)] = int(fields[2])
    found: dict[int, int] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                found[child] = groups[child]
                frontier.append(child)
    return found


class CrawlRunner:
    """Starts crawls as child processes and can stop every one of them at once."""

    def __init__(self, db_path: str, sources_path: str, *, term_grace_s: float = TERM_GRACE_S):
        self.db_path = db_path
        self.sources_path = sources_path
        self.term_grace_s = term_grace_s
        self._children: dict[str, _Child] = {}
        self._lock = threading.Lock()
        self.stopping = False

    def run(self, source: Source) -> RunResult:
        """Crawl one source now and wait for it, killing it at `source.run_timeout_s`."""
        key = source.key
        with Archive(self.db_path) as archive:
            before_id = max_run_id(archive)
        output = tempfile.TemporaryFile()
        started = time.monotonic()
        # Launch under the lock: stop_all() either sees this child or prevents its start.
        with self._lock:
            if self.stopping:
                output.close()
                return RunResult(key, "skipped", error="the scheduler is stopping")
            proc = subprocess.Popen(crawl_command(self.db_path, self.sources_path, key), stdin=subprocess.DEVNULL,
                                    stdout=output, stderr=subprocess.STDOUT, env=_child_env(),
                                    start_new_session=True)
            child = self._children[key] = _Child(proc)
        log.info("%s: run started (pid %d, limit %gs)", key, proc.pid, source.run_timeout_s)
        timed_out = False
        run_id: int | None = None
        deadline = started + source.run_timeout_s
        try:
            while True:
                try:
                    proc.wait(timeout=max(0.0, min(CLAIM_POLL_S, deadline - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() >= deadline:
                        raise
                    # Learn which run row is ours while the crawl is alive: its writer is in
                    # our child's process group. A manual crawl of the same source is not.
                    run_id = run_id or self._claim(key, before_id, proc.pid)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.warning("%s: run over its limit of %gs; killing pid %d", key, source.run_timeout_s, proc.pid)
            # A crawl past its limit is presumed hung: a short grace, then SIGKILL.
            child.signal(signal.SIGTERM)
            _wait_tree(child, lambda: min(3.0, self.term_grace_s))
        finally:
            if child.stopped and not timed_out:
                # Give the crawl its grace to close its run cleanly.
                _wait_tree(child, lambda: self.term_grace_s)
            # Then end whatever the crawl left behind (Scrapy, extraction workers).
            child.signal(signal.SIGKILL)
            proc.wait()
            child.exited.set()
            with self._lock:
                self._children.pop(key, None)
        seconds = time.monotonic() - started
        output.seek(0)
        tail = output.read()[-8000:].decode("utf-8", "replace")
        output.close()
        if tail.strip():
            log.debug("%s: crawl output:\n%s", key, tail.rstrip())

        if timed_out:
            status, error = "timeout", f"killed after the run time limit of {source.run_timeout_s:g}s"
        elif child.stopped:
            status, error = "interrupted", "stopped by the scheduler's shutdown"
        else:
            status, error = None, None  # the child's own verdict stands
        return self._record(key, before_id, run_id, proc, status, error, tail, seconds)

    def _claim(self, key: str, before_id: int, child_pid: int) -> int | None:
        with Archive(self.db_path) as archive:
            rows = archive.conn.execute("SELECT id, pid FROM runs WHERE source = ? AND id > ? AND pid IS NOT NULL",
                                        (key, before_id)).fetchall()
        if not rows:
            return None
        ours = {child_pid, *descendants(child_pid)}
        return next((run_id for run_id, pid in rows if pid in ours), None)

    def _record(self, key: str, before_id: int, run_id: int | None, proc: subprocess.Popen, status: str | None,
                error: str | None, tail: str, seconds: float) -> RunResult:
        with Archive(self.db_path) as archive:
            row = None
            if run_id is not None:
                row = next(iter(archive.db.query("SELECT * FROM runs WHERE id = ?", [run_id])), None)
            row = row or find_run(archive, key, after_id=before_id, pid=proc.pid)
            if row is None:
                # The child died before recording a run (bad config, crash at import...).
                row = {"id": archive.start_run(key, pid=proc.pid), "status": "running"}
                if status is None:
                    status, error = "failed", _last_line(tail) or f"crawl exited with code {proc.returncode}"
            elif status is None and row["status"] == "running":
                status = "failed"
                error = _last_line(tail) or f"crawl exited with code {proc.returncode} without finishing its run"
            if status is not None:
                archive.finish_run(row["id"], status, last_error=error)
            final = next(iter(archive.db.query("SELECT * FROM runs WHERE id = ?", [row["id"]])))
        counts = {k: final.get(k) or 0 for k in RUN_COUNTERS}
        return RunResult(key, final["status"], final["id"], counts, final.get("last_error"), seconds)

    def stop_all(self) -> None:
        """Refuse new runs; SIGTERM every running crawl, SIGKILL those still alive after the grace."""
        with self._lock:
            self.stopping = True
            children = list(self._children.items())
        for key, child in children:
            child.stopped = True
            log.info("%s: stopping the running crawl (pid %d)", key, child.proc.pid)
            child.signal(signal.SIGTERM)
        # term_grace_s is read on every turn: a second Ctrl-C sets it to 0 to kill at once.
        began = time.monotonic()
        while not all(c.exited.is_set() for _, c in children) and time.monotonic() - began < self.term_grace_s:
            time.sleep(0.1)
        for key, child in children:
            if not child.exited.is_set():
                log.warning("%s: crawl pid %d still running %.0fs after SIGTERM; killing it", key, child.proc.pid,
                            time.monotonic() - began)
                child.signal(signal.SIGKILL)

    def running(self) -> list[str]:
        with self._lock:
            return list(self._children)


def _wait_tree(child: _Child, grace: Callable[[], float]) -> None:
    """Wait until the child and every process it started have exited, or the grace is over.

    The grace is read on every turn: a second Ctrl-C sets it to 0.
    """
    began = time.monotonic()
    while time.monotonic() - began < grace():
        alive = child.proc.poll() is None or any(_group_alive(g) for g in child.groups - {child.proc.pid})
        if not alive:
            return
        time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _last_line(text: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:500] if lines else None


def describe(result: RunResult) -> str:
    """One log line's worth: `ok in 3.1s: 12 pages, 4 new, ...`."""
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
