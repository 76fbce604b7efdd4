"""`newsdesk schedule`: every source crawled on its schedule, unattended, until stopped.

APScheduler's BackgroundScheduler fires one job per source (a CronTrigger or an
IntervalTrigger); the job only marks the source due. A dispatcher thread gathers the sources
that fall due together (within GATHER_S), turns away those backing off or held by their
publisher, and runs the rest as batches (ingest.run.batches: a host's sources together), each
batch one child process with its time limit (ingest.run.runner), up to MAX_CONCURRENT_BATCHES
at once. A source is never in two runs at once: falling due while it runs, it is skipped.
The main thread only waits for signals:
- SIGINT / SIGTERM: stop cleanly; running crawls get SIGTERM, SIGKILL after a grace
  (a second signal: at once), and are recorded `interrupted`; exit 0.
- SIGHUP: reload sources.toml (add, remove and reschedule jobs); history stays in the archive.

Jobs use max_instances=1 (one run per source at a time), coalesce=True and a misfire
grace of one period (runs missed while the machine slept become one run on waking). An
interval source first runs one period after its last recorded run, or at once; a cron
source runs at once if a fire time passed since its last run. One scheduler per archive
(an flock next to it). On start, `running` rows whose process is gone become `interrupted`.

Polling etiquette, decided before each run from the archive:
- a source whose runs keep failing backs off: after n >= 2 failures in a row its runs are
  skipped until min(interval * 2^(n-1), max(6 h, interval)) after the last failure; one
  good run resets it;
- a run is skipped when every feed of the source is under a Retry-After / ttl
  (feed_state.not_before, written by the crawl).
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ingest.errors import ConfigError, IngestError
from ingest.run.batches import plan_batches
from ingest.run.logs import setup_logging
from ingest.run.runner import BatchRunner, CrawlRunner, RunResult, describe, run_errors
from ingest.sources.config import Source, load_sources
from storage import Archive
from storage.source_state import (clear_next_runs, feeds_not_before, format_time, get_state,
                                  parse_time, set_state)

log = logging.getLogger("newsdesk.scheduler")

MAX_CONCURRENT_BATCHES = 4  # child processes at once; each batch is ~150 MB and up
GATHER_S = 1.0  # sources falling due within this of the first one run in the same batch
BACKOFF_CAP_S = 6 * 3600
HEARTBEAT_S = 30.0  # the main loop nudges APScheduler this often (wall-clock jumps, suspend)
# Every night the full-text index is merged into one segment: crawls add a segment a batch,
# and a search reads every segment (p95 at 100,000 articles: 27 ms as crawled, 15 merged).
OPTIMIZE_JOB = "newsdesk:optimize"  # a ':' no source key can hold
OPTIMIZE_AT = {"hour": 3, "minute": 17}
FEED_KINDS = ("feeds", "news_sitemaps", "sitemaps")  # the URLs that carry feed_state


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


# -- schedules and backoff (pure) ------------------------------------------------------

def make_trigger(source: Source, *, start: datetime | None = None) -> BaseTrigger:
    if source.schedule.cron:
        return CronTrigger.from_crontab(source.schedule.cron)
    return IntervalTrigger(seconds=source.schedule.every_s, start_date=start or now_utc())


def interval_s(source: Source) -> float:
    """The schedule's period; for cron, the gap between its next two fire times."""
    if source.schedule.every_s:
        return float(source.schedule.every_s)
    trigger = CronTrigger.from_crontab(source.schedule.cron)
    first = trigger.get_next_fire_time(None, now_utc())
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    return (second - first).total_seconds() if first and second else 3600.0


def backoff_delay_s(failures: int, interval: float) -> float:
    """How long a source rests after `failures` failed runs in a row (0: run on schedule).

    One failure is noise (a timeout, a deploy); from the second on, the rest doubles.
    """
    if failures < 2:
        return 0.0
    return min(interval * 2 ** (failures - 1), max(BACKOFF_CAP_S, interval))


def misfire_grace_s(source: Source) -> int:
    # With coalesce, the newest missed fire time is at most one period old: a grace of one
    # period means a machine waking from sleep runs each source once, right away.
    return int(max(60.0, interval_s(source)))


def feed_urls(source: Source) -> list[str]:
    return [u for kind in FEED_KINDS for u in getattr(source, kind)]


def why_skip(source: Source, state: dict[str, Any], not_before: dict[str, datetime | None],
             now: datetime) -> str | None:
    """The reason to skip this run, or None to crawl."""
    backoff = parse_time(state.get("backoff_until"))
    if backoff and backoff > now:
        return f"backing off until {format_time(backoff)} after {state['failures']} failed runs"
    # Sections have no feed state, so a source with sections is always due.
    urls = feed_urls(source)
    if urls and not source.sections and all(not_before.get(u) and not_before[u] > now for u in urls):
        until = min(t for t in not_before.values() if t)
        return f"every feed asked not to be polled before {format_time(until)} (Retry-After / ttl)"
    return None


# -- one scheduled run -----------------------------------------------------------------

class Scheduler:
    """The jobs, the runner, and the state they share."""

    def __init__(self, db_path: str, sources_path: str, *, max_concurrent: int = MAX_CONCURRENT_BATCHES,
                 runner: BatchRunner | None = None):
        """`runner`: how batches run; by default here, each as a child process (CrawlRunner)."""
        self.db_path = db_path
        self.sources_path = sources_path
        self.sources: dict[str, Source] = load_sources(sources_path)
        self.runner: BatchRunner = runner or CrawlRunner(db_path, sources_path)
        self.max_concurrent = max_concurrent
        self.aps: BackgroundScheduler | None = None
        self._due: list[str] = []  # marked due, waiting for the dispatcher
        self._active: set[str] = set()  # due or running: never two runs of a source at once
        self._due_lock = threading.Lock()
        self._due_event = threading.Event()
        self._dispatch_stop = threading.Event()
        self._wake = threading.Event()
        self._stop_requested = False
        self._reload_requested = False

    # -- the runs themselves, shared by the daemon and --once

    def mark_due(self, key: str) -> None:
        """The APScheduler job of a source: it joins the next batch, unless it is already due
        or running (one run per source at a time)."""
        with self._due_lock:
            if key in self._active:
                log.info("%s: still running or queued; this firing is skipped", key)
                return
            self._active.add(key)
            self._due.append(key)
        self._due_event.set()

    def _dispatch(self, pool: ThreadPoolExecutor) -> None:
        """The dispatcher thread: due sources, gathered for GATHER_S, go out as batches."""
        while not self._dispatch_stop.is_set():
            if not self._due_event.wait(0.5):
                continue
            self._dispatch_stop.wait(GATHER_S)  # the sources falling due with it join the batch
            with self._due_lock:
                keys, self._due = self._due, []
                self._due_event.clear()
            if not keys or self._dispatch_stop.is_set():  # stopping: due sources are let go unrun
                self._release(keys)
                continue
            try:
                batches, _ = self.plan(keys)
                for batch in batches:
                    pool.submit(self._run_and_release, batch)
            except Exception as exc:  # noqa: BLE001 - the dispatcher must outlive any one round
                log.error("could not start the due sources %s: %s: %s", ", ".join(keys), type(exc).__name__, exc)
                self._release(keys)

    def _release(self, keys: Iterable[str]) -> None:
        """These sources are no longer due nor running: their next firing may run them."""
        with self._due_lock:
            self._active.difference_update(keys)

    def _run_and_release(self, batch: list[Source]) -> list[RunResult]:
        try:
            return self.run_batch(batch)
        finally:
            self._release(source.key for source in batch)

    def plan(self, keys: list[str]) -> tuple[list[list[Source]], list[RunResult]]:
        """The batches to run for these due sources, and the "skipped" results of those that
        are not run, each logged and let go here (removed from the configuration, backing
        off, held by its publisher)."""
        runnable: list[Source] = []
        skipped: list[RunResult] = []
        with Archive(self.db_path) as archive:
            for key in keys:
                source = self.sources.get(key)
                reason = "no longer configured" if source is None else why_skip(
                    source, get_state(archive, key), feeds_not_before(archive, feed_urls(source)), now_utc())
                if reason:
                    log.info("%s: run skipped: %s", key, reason)
                    skipped.append(RunResult(key, "skipped", error=reason))
                    self._release([key])
                    if source is not None:
                        self._note_next_run(key)
                else:
                    runnable.append(source)
        return [[self.sources[key] for key in batch] for batch in plan_batches(runnable)], skipped

    def run_batch(self, batch: list[Source]) -> list[RunResult]:
        """One batch now; then each source's log lines, backoff and next run. Never raises:
        one ERROR line and the scheduler goes on."""
        states: dict[str, dict[str, Any]] = {}
        try:
            with Archive(self.db_path) as archive:
                states = {source.key: get_state(archive, source.key) for source in batch}
            results = self.runner.run_batch(batch)
        except Exception as exc:  # noqa: BLE001 - a service logs and continues
            log.error("%s: batch failed inside the scheduler: %s: %s", ", ".join(s.key for s in batch),
                      type(exc).__name__, exc)
            log.debug("traceback", exc_info=True)
            results = [RunResult(source.key, "failed", error=str(exc)) for source in batch]
        for source, result in zip(batch, results):
            if result.status == "skipped":
                continue
            level = logging.WARNING if result.status != "ok" else logging.INFO
            log.log(level, "%s: %s", source.key, describe(result))
            for err in run_errors(self.db_path, result.run_id):
                log.warning("%s: error %s: %s", source.key, err["url"], err["reason"] or f"HTTP {err['status']}")
            try:
                self._update_backoff(source, states.get(source.key) or {"failures": 0}, result)
                self._note_next_run(source.key)
            except Exception as exc:  # noqa: BLE001
                log.error("%s: could not record the run's outcome: %s: %s", source.key, type(exc).__name__, exc)
        return results

    def _update_backoff(self, source: Source, state: dict[str, Any], result: RunResult) -> None:
        if result.status == "interrupted":
            return  # says nothing about the site
        with Archive(self.db_path) as archive:
            if result.failed:
                failures = get_state(archive, source.key)["failures"] + 1
                delay = backoff_delay_s(failures, interval_s(source))
                until = now_utc() + timedelta(seconds=delay) if delay else None
                set_state(archive, source.key, failures=failures, backoff_until=format_time(until),
                          last_error=result.error)
                if until:
                    log.warning("%s: %d failed runs in a row; backing off until %s", source.key, failures,
                                format_time(until))
            else:
                if state["failures"]:
                    log.info("%s: recovered after %d failed runs", source.key, state["failures"])
                set_state(archive, source.key, failures=0, backoff_until=None, last_error=None)

    def _note_next_run(self, key: str) -> None:
        """Store when this source will next really run (after any backoff), for `newsdesk sources`."""
        if self.aps is None or not self.aps.running:
            return
        job = self.aps.get_job(key)
        if job is None or job.next_run_time is None:
            return
        when = job.next_run_time
        with Archive(self.db_path) as archive:
            backoff = parse_time(get_state(archive, key)["backoff_until"])
            if backoff and backoff > when:
                when = job.trigger.get_next_fire_time(None, backoff) or when
            set_state(archive, key, next_run_at=format_time(when))

    # -- the daemon

    def _add_job(self, source: Source, history: dict[str, datetime]) -> None:
        """Schedule a source, catching up at once if a run was due while nobody was running."""
        last = history.get(source.key)
        now = now_utc()
        first: datetime | None = None
        if source.schedule.every_s:
            period = timedelta(seconds=source.schedule.every_s)
            # The first run comes one period after the last one, or now if that is past.
            first = max(now, last + period) if last else now
            trigger = make_trigger(source, start=first)
        else:
            trigger = make_trigger(source)
            missed = last is None or (trigger.get_next_fire_time(None, last + timedelta(seconds=1)) or now) <= now
            first = now if missed else None  # never run, or a fire time passed unserved
        kwargs: dict[str, Any] = {"next_run_time": first} if first else {}
        self.aps.add_job(self.mark_due, trigger, args=[source.key], id=source.key, name=source.key,
                         max_instances=1, coalesce=True, misfire_grace_time=misfire_grace_s(source),
                         replace_existing=True, **kwargs)
        self._note_next_run(source.key)

    def optimize_index(self) -> None:
        """The nightly job: merge the full-text index, in short steps crawls can interleave with."""
        try:
            with Archive(self.db_path) as archive:
                before = archive.fts_segments()
                steps = archive.optimize()
            log.info("full-text index: %d segments merged into one in %d steps", before, steps)
        except Exception as exc:  # noqa: BLE001 - a service logs and continues
            log.error("full-text index merge failed: %s: %s", type(exc).__name__, exc)

    def _last_starts(self) -> dict[str, datetime]:
        with Archive(self.db_path) as archive:
            rows = archive.conn.execute("SELECT source, max(started_at) FROM runs GROUP BY source").fetchall()
        return {s: t for s, t in ((s, parse_time(v)) for s, v in rows) if t}

    def reload(self) -> None:
        """SIGHUP: re-read sources.toml; add, remove and reschedule jobs. A bad file changes nothing."""
        try:
            fresh = load_sources(self.sources_path)
        except ConfigError as exc:
            log.error("reload failed, keeping the current sources: %s", exc)
            return
        old, self.sources = self.sources, fresh
        history = self._last_starts()
        for key in old.keys() - fresh.keys():
            self.aps.remove_job(key)
            with Archive(self.db_path) as archive:
                set_state(archive, key, next_run_at=None)
            log.info("%s: removed from the schedule", key)
        for key, source in fresh.items():
            if key not in old:
                self._add_job(source, history)
                log.info("%s: added, %s", key, source.schedule)
            elif old[key].schedule != source.schedule:
                self._add_job(source, history)
                log.info("%s: rescheduled, %s", key, source.schedule)
        log.info("reloaded %s: %d sources", self.sources_path, len(fresh))

    def _on_signal(self, signum: int, _frame: Any) -> None:
        if signum == signal.SIGHUP:
            self._reload_requested = True
        else:
            if self._stop_requested:  # a second Ctrl-C: no more grace
                self.runner.stop_all(at_once=True)
            self._stop_requested = True
        self._wake.set()

    def _install_signals(self, hup: bool) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        if hup:
            signal.signal(signal.SIGHUP, self._on_signal)

    def serve(self) -> int:
        self._install_signals(hup=True)
        self.aps = BackgroundScheduler(executors={"default": JobExecutor(2)},  # jobs only mark sources due
                                       job_defaults={"max_instances": 1, "coalesce": True})
        batches = ThreadPoolExecutor(max_workers=self.max_concurrent, thread_name_prefix="newsdesk-batch")
        dispatcher = threading.Thread(target=self._dispatch, args=(batches,), name="newsdesk-dispatch", daemon=True)
        dispatcher.start()
        self.aps.start(paused=True)
        history = self._last_starts()
        for source in self.sources.values():
            self._add_job(source, history)
        self.aps.add_job(self.optimize_index, CronTrigger(**OPTIMIZE_AT), id=OPTIMIZE_JOB,
                         name="merge the full-text index", misfire_grace_time=3600)
        self.aps.resume()
        log.info("scheduler started (pid %d): %d sources from %s into %s", os.getpid(), len(self.sources),
                 self.sources_path, self.db_path)
        while True:
            self._wake.wait(timeout=HEARTBEAT_S)
            self._wake.clear()
            if self._stop_requested:
                break
            if self._reload_requested:
                self._reload_requested = False
                self.reload()
            self.aps.wakeup()
        log.info("stopping: %d crawls running", len(self.runner.running()))
        self.aps.pause()
        self._dispatch_stop.set()
        self.runner.stop_all()
        dispatcher.join()
        batches.shutdown(wait=True)  # batch threads record their interrupted runs
        self.aps.shutdown(wait=True)
        with Archive(self.db_path) as archive:
            clear_next_runs(archive)
        log.info("scheduler stopped")
        return 0

    def once(self) -> int:
        """Each source once, in batches, a few batches at a time; 1 if any run failed."""
        self._install_signals(hup=False)
        batches, skipped = self.plan(list(self.sources))
        with ThreadPoolExecutor(max_workers=max(1, min(self.max_concurrent, len(batches)))) as pool:
            futures = [pool.submit(self.run_batch, batch) for batch in batches]
            # The main thread stays free for signals; the pool threads run the crawls.
            while not all(f.done() for f in futures):
                self._wake.wait(timeout=0.5)
                if self._stop_requested:
                    log.info("stopping: %d crawls running", len(self.runner.running()))
                    for future in futures:
                        future.cancel()
                    self.runner.stop_all()
                    break
            results = [r for f in futures if not f.cancelled() for r in f.result()] + skipped
        failed = [r.source for r in results if r.failed]
        log.info("once: %d runs, %d failed%s", len(results), len(failed), f" ({', '.join(failed)})" if failed else "")
        return 1 if failed and not self._stop_requested else 0


def _lock_archive(db_path: str) -> Any:
    """One scheduler per archive: a second one would run every crawl twice.

    An flock on a file next to the archive; the kernel drops it when the process dies,
    so a crashed scheduler never leaves a stale lock behind.
    """
    path = os.path.abspath(db_path) + ".schedule.lock"
    handle = open(path, "a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise IngestError(f"a scheduler (pid {holder}) is already running on {db_path}; "
                          f"stop it first, or use another --db") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def run_scheduler(db_path: str, sources_path: str, *, once: bool = False, log_level: str = "INFO",
                  log_file: str | None = None, max_concurrent: int = MAX_CONCURRENT_BATCHES,
                  runner: BatchRunner | None = None) -> int:
    """Run the scheduler (or every source once) and return the process exit code. `runner`:
    see Scheduler (ingest.distributed.workers.RemoteRunner sends batches to Celery workers)."""
    setup_logging(log_level, log_file)
    scheduler = Scheduler(db_path, sources_path, max_concurrent=max_concurrent, runner=runner)
    if not scheduler.sources:
        raise ConfigError(f"{sources_path}: no sources configured; add a [sources.<key>] table")
    lock = _lock_archive(db_path)  # held until this process exits
    with Archive(db_path) as archive:
        stale = archive.mark_stale_runs()
    if stale:
        log.warning("marked %d stale running runs interrupted: %s", len(stale), ", ".join(map(str, stale)))
    try:
        return scheduler.once() if once else scheduler.serve()
    finally:
        lock.close()


def source_status(archive: Archive, source: Source) -> dict[str, Any]:
    """What `newsdesk sources` shows beyond the last run: next run, backoff and a status line.

    status: "backing off until <time>", "running", the last run's status, or "never run".
    feeds_held_until: when every feed is under a Retry-After / ttl, the earliest it ends.
    """
    state = get_state(archive, source.key)
    now = now_utc()
    last = next(iter(archive.runs(source.key, limit=1)), None)
    backoff = parse_time(state["backoff_until"])
    backing_off = bool(backoff and backoff > now)
    urls = feed_urls(source)
    held = feeds_not_before(archive, urls)
    held_until = None
    if urls and all(held.get(u) and held[u] > now for u in urls):
        held_until = min(t for t in held.values() if t)
    if backing_off:
        status = f"backing off until {format_time(backoff)}"
    elif last and last["status"] == "running":
        status = "running"
    else:
        status = last["status"] if last else "never run"
    return {"status": status, "next_run": state["next_run_at"], "failures": state["failures"],
            "backing_off": backing_off, "backoff_until": format_time(backoff) if backing_off else None,
            "feeds_held_until": format_time(held_until)}
