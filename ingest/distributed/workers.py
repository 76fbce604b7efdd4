"""Crawl batches on Celery workers on other machines, with Redis as the broker.

The scheduler (APScheduler) and `newsdesk crawl` decide what to crawl, as they do locally;
with a broker each batch becomes a Celery task (a ShardTask, ingest.distributed.shards) that a worker
(`newsdesk worker`) crawls into a shard archive in the directory every machine shares, and
the sending side merges each shard into the main archive when it appears (ingest.distributed.merge).
Nothing but this module imports Celery; without a broker none of it runs.

Settings that survive faults: a task is acknowledged only after it ran (a worker that dies
mid-batch leaves its task to be delivered again once the broker's visibility timeout has
passed), a worker takes one task at a time, and every task is safe to run twice (the shard
is named by the task's deterministic key; ingest.distributed.shards).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

from ingest.distributed.merge import BadShard, MergeResult, merge_dir, merge_shard
from ingest.distributed.shards import ShardTask, make_task, run_task, shard_path
from ingest.errors import IngestError
from ingest.run.batches import batch_time_limit, plan_batches
from ingest.run.crawl import GRACE_S, StopSignal
from ingest.run.runner import RunResult
from ingest.sources.config import Source, load_sources
from storage import Archive
from storage.archive import RUN_COUNTERS

log = logging.getLogger("newsdesk.distributed")

TASK = "newsdesk.crawl_batch"
QUEUE = "newsdesk.batches"
# How long the broker waits for a task's acknowledgement before delivering it again: longer
# than the longest batch (a batch runs at most its time limit plus the crawl's grace).
VISIBILITY_TIMEOUT_S = int(os.environ.get("NEWSDESK_VISIBILITY_TIMEOUT", "3600"))
POLL_S = 0.5


def make_app(broker: str, *, visibility_timeout_s: int = VISIBILITY_TIMEOUT_S) -> Celery:
    app = Celery("newsdesk", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # acknowledged after the batch ran, not when it was received
        task_reject_on_worker_lost=True,  # a pool process that died: the task goes back to the queue
        worker_prefetch_multiplier=1,  # a worker holds no batch it is not crawling
        task_ignore_result=True,  # the result is the shard file
        task_serializer="json", accept_content=["json"], task_compression="zlib",
        task_default_queue=QUEUE,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility_timeout_s,
            # sweep for tasks of lost workers every few seconds, not every 100
            "unacked_restore_interval": 5, "unacked_restore_throttle": 1,
        },
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )

    @app.task(name=TASK, bind=True)
    def crawl_batch_task(self: Any, payload: dict[str, Any]) -> str:
        task = ShardTask.from_json(payload)
        shards = self.app.conf.newsdesk_shards
        log.info("batch %s: %d sources: %s", task.key, len(task.sources), ", ".join(task.sources))
        return str(run_task(task, shards))

    return app


def run_worker(broker: str, shards_dir: str, *, concurrency: int = 1, visibility_timeout_s: int = VISIBILITY_TIMEOUT_S,
               loglevel: str = "INFO") -> None:
    """`newsdesk worker`: a Celery worker crawling batches into shards in `shards_dir`."""
    Path(shards_dir).mkdir(parents=True, exist_ok=True)
    app = make_app(broker, visibility_timeout_s=visibility_timeout_s)
    app.conf.newsdesk_shards = str(Path(shards_dir).resolve())
    app.worker_main(["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}", "-Q", QUEUE,
                     "-n", f"newsdesk-{os.getpid()}@{socket.gethostname()}", "--without-gossip", "--without-mingle"])


def send(app: Celery, task: ShardTask) -> None:
    """Queue one batch; the task id is its key, so the same batch sent twice is one shard."""
    try:
        app.send_task(TASK, args=[task.to_json()], task_id=task.key, queue=QUEUE,
                      time_limit=task.timeout_s + GRACE_S + 60)
    except OperationalError as exc:
        raise IngestError(f"broker {app.conf.broker_url} unreachable ({str(exc).rstrip('.')}): "
                          f"is Redis running there?") from exc


def slot_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


# A remote batch's scheduler thread only waits for its shard: many may be out at once.
REMOTE_CONCURRENT_BATCHES = 64


class RemoteRunner:
    """The scheduler's runner when a broker is set: each batch is sent to the workers and
    waited for, and its shard merged into the main archive (the same interface as
    ingest.run.runner.CrawlRunner)."""

    def __init__(self, db_path: str, sources_path: str, broker: str, shards_dir: str, *,
                 visibility_timeout_s: int = VISIBILITY_TIMEOUT_S):
        self.db_path = db_path
        self.sources_path = sources_path
        self.shards_dir = shards_dir
        self.visibility_timeout_s = visibility_timeout_s
        self.app = make_app(broker, visibility_timeout_s=visibility_timeout_s)
        self._running: dict[str, tuple[list[str], StopSignal]] = {}
        self._lock = threading.Lock()
        self.stopping = False

    def run_batch(self, sources: list[Source], *, slot: str | None = None) -> list[RunResult]:
        keys = [source.key for source in sources]
        limit = batch_time_limit(sources)
        with Archive(self.db_path) as archive:
            task = make_task(archive, self.sources_path, sources, slot=slot or slot_now(), timeout_s=limit)
        stop = StopSignal()
        with self._lock:
            if self.stopping:
                return [RunResult(key, "skipped", error="the scheduler is stopping") for key in keys]
            self._running[task.key] = (keys, stop)
        started = time.monotonic()
        try:
            send(self.app, task)
            log.info("%s: batch %s sent to the workers (limit %gs)", ", ".join(keys), task.key, limit)
            merged = wait_and_merge(self.db_path, self.shards_dir, task, self.deadline(limit), stop)
            with Archive(self.db_path) as archive:
                merge_dir(archive, self.shards_dir)  # any shard whose sender stopped waiting for it
        finally:
            with self._lock:
                self._running.pop(task.key, None)
        seconds = time.monotonic() - started
        return [RunResult(run["source"], run["status"], run.get("id"), {k: int(run.get(k) or 0) for k in RUN_COUNTERS},
                          run.get("last_error"), seconds) for run in merged]

    def deadline(self, limit: float) -> float:
        """How long to wait for a batch's shard: its run, and one more delivery after a lost worker."""
        return limit + GRACE_S + self.visibility_timeout_s + 60

    def stop_all(self, *, at_once: bool = False) -> None:
        """Stop waiting; the batches go on on their workers and their shards are merged later."""
        with self._lock:
            self.stopping = True
            running = list(self._running.values())
        for _, stop in running:
            stop.stop()

    def running(self) -> list[str]:
        with self._lock:
            return [key for keys, _ in self._running.values() for key in keys]


def wait_and_merge(db_path: str, shards_dir: str, task: ShardTask, deadline_s: float,
                   stop: StopSignal | None = None) -> list[dict[str, Any]]:
    """Wait for one task's shard and merge it; its runs as the main archive holds them. A
    batch no worker finished in time gets a failed run per source, one whose wait was stopped
    an interrupted run (its shard, if it comes, is merged by a later merge)."""
    path = shard_path(shards_dir, task.key)
    ends = time.monotonic() + deadline_s
    with Archive(db_path) as archive:
        while True:
            if path.exists():
                try:
                    result = merge_shard(archive, path)
                except BadShard as exc:
                    return _unfinished_runs(archive, task, "failed", str(exc))
                if not result.merged:  # another merger was first
                    result = _ledger_runs(archive, path.name)
                break
            if merged_before(archive, path.name):  # another merger took it and removed it
                result = _ledger_runs(archive, path.name)
                break
            if stop and stop.requested.is_set():  # the scheduler is stopping: not the batch's fault
                return _unfinished_runs(archive, task, "interrupted", "stopped waiting for the workers")
            if time.monotonic() > ends:
                return _unfinished_runs(archive, task, "failed", f"no worker finished the batch within "
                                                                 f"{deadline_s:g}s (are workers running on the broker?)")
            time.sleep(POLL_S)
    by_source = {run["source"]: run for run in result.runs}
    return [by_source.get(key) or {"source": key, "status": "failed", "last_error": "no run in the shard"}
            for key in task.sources]


def _unfinished_runs(archive: Archive, task: ShardTask, status: str, why: str) -> list[dict[str, Any]]:
    """A run per source of a batch whose shard did not come; its shard, if it comes, is merged later."""
    runs = []
    for key in task.sources:
        run_id = archive.start_run(key)
        archive.finish_run(run_id, status, last_error=f"batch {task.key}: {why}")
        runs.append(next(archive.db.query("SELECT * FROM runs WHERE id = ?", [run_id])))
    return runs


def merged_before(archive: Archive, name: str) -> bool:
    row = archive.conn.execute("SELECT state FROM merged_shards WHERE name = ?", (name,)).fetchone()
    return bool(row) and row[0] == "merged"


def _ledger_runs(archive: Archive, name: str) -> MergeResult:
    row = archive.conn.execute("SELECT run_ids FROM merged_shards WHERE name = ?", (name,)).fetchone()
    runs = list(archive.db.query("SELECT * FROM runs WHERE id IN (SELECT value FROM json_each(?))",
                                 [row[0] if row else "[]"]))
    return MergeResult(name, merged=False, runs=runs)


def crawl_remote(db_path: str, sources_path: str, keys: list[str], broker: str, shards_dir: str, *,
                 max_pages: int | None = None, progress: bool = True) -> bool:
    """`newsdesk crawl --broker`: send every batch at once, merge shards as they arrive, then
    print the summary a local crawl prints. False when any run did not finish "ok"."""
    from rich.console import Console
    from rich.progress import Progress as Bar, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ingest.run.crawl import print_summary

    err = Console(stderr=True)
    sources = load_sources(sources_path)
    batches = plan_batches([sources[key] for key in dict.fromkeys(keys)])
    runner = RemoteRunner(db_path, sources_path, broker, shards_dir)
    slot = slot_now()
    with Archive(db_path) as archive:
        merge_dir(archive, shards_dir)  # shards finished since the last merge
        tasks = [make_task(archive, sources_path, [sources[k] for k in batch], slot=slot,
                           timeout_s=batch_time_limit(sources[k] for k in batch), max_pages=max_pages)
                 for batch in batches]
    for task in tasks:
        send(runner.app, task)
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def wait(task: ShardTask) -> None:
        runs = wait_and_merge(db_path, shards_dir, task, runner.deadline(task.timeout_s))
        with lock:
            results.extend(runs)

    threads = [threading.Thread(target=wait, args=(task,), daemon=True) for task in tasks]
    for thread in threads:
        thread.start()
    if progress:
        with Bar(SpinnerColumn(), TextColumn("[bold]{task.description}"), TimeElapsedColumn(), console=err,
                 transient=True) as bar:
            shown = bar.add_task(f"{len(tasks)} batches sent to the workers")
            while any(thread.is_alive() for thread in threads):
                with lock:
                    done = len(results)
                bar.update(shown, description=f"{len(tasks)} batches on the workers: "
                                               f"{done} of {len(keys)} sources merged")
                time.sleep(POLL_S)
    for thread in threads:
        thread.join()
    order = {key: i for i, key in enumerate(keys)}
    results.sort(key=lambda run: order.get(run["source"], len(order)))
    print_summary(results, err)
    return all(run.get("status") == "ok" for run in results)
