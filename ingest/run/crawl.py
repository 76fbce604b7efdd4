"""Running crawls and one-off fetches: each batch of sources, each set of one-off URLs, and
each site being discovered, in its own Scrapy subprocess (`python -m spiders.run`).

A Twisted reactor cannot restart (scrapy#2941), and a hung or leaking crawl must not take its
caller (the CLI, the scheduler) down: so every batch is a child process, as Scrapyd does it.
The child records a run per source in the archive; this side watches the archive for
progress and repairs the run records if the child dies without closing them. Nothing here
imports Scrapy.
"""
from __future__ import annotations

import json
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
from urllib.parse import urlsplit

from ingest.discover.site import Found
from ingest.errors import ConfigError, IngestError
from ingest.links import link_problem, normalize
from ingest.models import Saved
from ingest.sources.config import DEFAULT_USER_AGENT
from storage import Archive
from storage.archive import RUN_COUNTERS
from storage.clock import utcnow

ROOT = Path(__file__).resolve().parents[2]  # where the spiders package lives
POLL_S = 0.3
GRACE_S = 20.0  # after SIGTERM, how long a crawl may take to close cleanly (Scrapy needs ~10 s)
TIMEOUT_GRACE_S = 3.0  # a crawl past its time limit is presumed hung: little grace

Progress = Callable[[str, dict[str, int]], None]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["SCRAPY_SETTINGS_MODULE"] = "spiders.settings"
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class StopSignal:
    """Lets another thread stop a running crawl: `stop()` asks it to close cleanly (SIGTERM,
    then SIGKILL after GRACE_S); `kill()` ends the grace at once (a second Ctrl-C)."""

    requested: threading.Event = field(default_factory=threading.Event)
    urgent: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self.requested.set()

    def kill(self) -> None:
        self.urgent.set()
        self.requested.set()


def crawl_source(db_path: str, sources_path: str, key: str, *, max_pages: int | None = None,
                 timeout_s: float | None = None, stop: StopSignal | None = None,
                 on_progress: Progress | None = None, log_path: str | None = None) -> dict[str, Any]:
    """One source's crawl: a batch of one (see crawl_batch); its run record."""
    return crawl_batch(db_path, sources_path, [key], max_pages=max_pages, timeout_s=timeout_s, stop=stop,
                       on_progress=on_progress, log_path=log_path)[0]


def crawl_batch(db_path: str, sources_path: str, keys: list[str], *, max_pages: int | None = None,
                timeout_s: float | None = None, stop: StopSignal | None = None,
                on_progress: Progress | None = None, log_path: str | None = None) -> list[dict[str, Any]]:
    """Crawl a batch of sources in one subprocess; their run records (rows of `runs`, plus
    `log`: the batch's log file, kept when a run was not "ok" or `log_path` was given), in the
    order of `keys`.

    The CLI, the scheduler and the benchmarks all crawl through here. Each source keeps its
    own run, counts, status and time limit inside the batch (spiders.run); `timeout_s` bounds
    the whole batch. Past it the batch is presumed hung: SIGTERM, a short grace, then SIGKILL
    to its whole process group, and every run still open is recorded "timeout". When `stop`
    is signalled, or the caller is interrupted (KeyboardInterrupt, SystemExit), it gets
    SIGTERM and GRACE_S to close cleanly, and open runs are recorded "interrupted" (the
    exception goes on). No run is ever left "running". `on_progress` hears the batch's
    summed counts, under the first key.
    """
    keys = list(dict.fromkeys(keys))
    cmd = [sys.executable, "-m", "spiders.run", "--db", str(db_path), "--sources", str(sources_path),
           "crawl", *keys]
    if max_pages:
        cmd += ["--max-pages", str(max_pages)]
    stop = stop or StopSignal()
    with Archive(db_path) as archive:  # create or migrate the file before the child opens it
        archive.mark_stale_runs()  # earlier runs killed before they could close
    name = keys[0] if len(keys) == 1 else f"batch-{len(keys)}"
    log = Path(log_path) if log_path else Path(tempfile.mkstemp(prefix=f"newsdesk-{name}-", suffix=".log")[1])
    started = time.monotonic()
    # (status, why, grace, when) when we stop the crawl ourselves
    ending: tuple[str, str, float, str] | None = None
    with open(log, "ab") as log_file, Archive(db_path) as archive:
        # Its own session: a Ctrl-C at the terminal reaches only us, and we send the child exactly
        # one SIGTERM (a second signal would make Scrapy quit without closing its runs); its
        # extraction workers share its process group, so one killpg ends the whole crawl.
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=_child_env(),
                                start_new_session=True)
        try:
            while proc.poll() is None:
                stop.requested.wait(POLL_S)
                if on_progress:
                    runs = archive.runs_by_pid(proc.pid, keys)
                    if runs:
                        on_progress(keys[0], archive.run_counts(*(r["id"] for r in runs.values())))
                if stop.requested.is_set():
                    ending = ("interrupted", "stopped on request", GRACE_S, utcnow())
                    break
                if timeout_s and time.monotonic() - started > timeout_s:
                    ending = ("timeout", f"killed after the run time limit of {timeout_s:g}s", TIMEOUT_GRACE_S, utcnow())
                    break
        except BaseException:
            ending = ("interrupted", "interrupted", GRACE_S, utcnow())
            raise
        finally:
            try:
                killed = _stop(proc, ending[2] if ending else 0.0, stop.urgent)
            except KeyboardInterrupt:  # a second Ctrl-C before the grace began: no grace at all
                killed = _stop(proc, 0.0, stop.urgent)
            runs = archive.runs_by_pid(proc.pid, keys)
            for key in keys:
                _close_run(archive, key, runs.get(key), proc, ending, killed, log)
        runs = archive.runs_by_pid(proc.pid, keys)
        results = [dict(runs.get(key) or {}) for key in keys]
    keep = log_path or any(r.get("status") != "ok" for r in results)
    if not keep:
        log.unlink(missing_ok=True)
    for result in results:
        result["log"] = str(log) if keep else None
    return results


def _stop(proc: subprocess.Popen, grace_s: float, urgent: threading.Event) -> bool:
    """SIGTERM, then after `grace_s` SIGKILL to the crawl's whole process group (stray
    extraction workers included); True when it had to be killed. A Ctrl-C during the grace
    (the impatient second one) ends it at once, like `urgent`: it must not unwind past the
    SIGKILL, or the crawl, in a session of its own, would go on alone."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        try:
            while proc.poll() is None and time.monotonic() < deadline and not urgent.is_set():
                time.sleep(0.1)
        except KeyboardInterrupt:
            urgent.set()
    killed = proc.poll() is None
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    return killed


def _close_run(archive: Archive, key: str, run: dict[str, Any] | None, proc: subprocess.Popen,
               ending: tuple[str, str, float, str] | None, killed: bool, log: Path) -> None:
    """Make sure a source's run in the batch is closed, whatever became of the child."""
    if run is None:  # the child ended before it could open a run
        run_id = archive.start_run(key, pid=proc.pid)
        if ending:
            archive.finish_run(run_id, ending[0], last_error=f"{ending[1]}, before it started")
        else:  # a bad install, a crash at start-up
            archive.finish_run(run_id, "failed", last_error=f"crawl process exited with code {proc.returncode}: "
                                                            f"{_tail(log, 3) or 'no output'}")
    elif ending and (run["status"] == "running" or run["status"] == "interrupted" and run["ended_at"] >= ending[3]):
        # our verdict stands over what the child recorded as it was stopped; a run that had
        # finished on its own before (ok, failed) keeps its status
        why = f"{ending[1]}; killed after {ending[2]:g}s more" if killed else ending[1]
        archive.finish_run(run["id"], ending[0], archive.run_counts(run["id"]), last_error=why)
    elif run["status"] == "running":  # crashed, or killed from outside, before it could close its run
        archive.finish_run(run["id"], "failed", archive.run_counts(run["id"]),
                           last_error=_child_error(log) or f"crawl process exited with code {proc.returncode}")


def _child_error(log: Path) -> str | None:
    """The reason the crawl process gave for stopping (spiders.run's last "newsdesk: " line)."""
    lines = [line for line in _tail(log, 5).splitlines() if line.startswith("newsdesk: ")]
    return lines[-1].removeprefix("newsdesk: ") if lines else None


def crawl_sources(db_path: str, sources_path: str, keys: list[str], *, max_pages: int | None = None,
                  progress: bool = True) -> bool:
    """`newsdesk crawl`: crawl the sources in batches (ingest.run.batches) with live progress, then
    print a summary per source.

    Returns False when any crawl did not finish "ok".
    """
    from rich.console import Console
    from rich.progress import Progress as Bar, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ingest.run.batches import batch_time_limit, plan_batches
    from ingest.sources.config import load_sources

    err = Console(stderr=True)
    sources = load_sources(sources_path)
    chosen = [sources[key] for key in dict.fromkeys(keys)]
    batches = plan_batches(chosen)
    results: list[dict[str, Any]] = []
    for number, batch in enumerate(batches, 1):
        limit = batch_time_limit(sources[key] for key in batch)
        label = batch[0] if len(batch) == 1 else f"batch {number}/{len(batches)} ({len(batch)} sources)"
        try:
            if progress:
                with Bar(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.fields[line]}"),
                         TimeElapsedColumn(), console=err, transient=True) as bar:
                    task = bar.add_task(label, line="starting")

                    def show(_: str, counts: dict[str, int]) -> None:
                        bar.update(task, line=_counts_line(counts))

                    results.extend(crawl_batch(db_path, sources_path, batch, max_pages=max_pages, timeout_s=limit,
                                               on_progress=show))
            else:
                results.extend(crawl_batch(db_path, sources_path, batch, max_pages=max_pages, timeout_s=limit))
        except KeyboardInterrupt:
            # crawl_batch has stopped the child, which closed its runs as "interrupted"
            err.print(f"interrupted during {label}; later sources were not crawled")
            with Archive(db_path) as archive:
                for key in batch:
                    results.extend(archive.runs(key, limit=1))
            print_summary(results, err)
            return False
    print_summary(results, err)
    return all(r.get("status") == "ok" for r in results)


def _counts_line(counts: dict[str, int]) -> str:
    return (f"{counts['pages']} pages, {counts['new']} new, {counts['updated']} upd, {counts['unchanged']} same, "
            f"{counts['duplicate']} dup, {counts['rejected']} rej, {counts['errors']} err")


def print_summary(results: list[dict[str, Any]], err: Any) -> None:
    totals = {k: 0 for k in RUN_COUNTERS}
    for run in results:
        counts = {k: int(run.get(k) or 0) for k in RUN_COUNTERS}
        for k in RUN_COUNTERS:
            totals[k] += counts[k]
        print(f"{run.get('source')}: {run.get('status')}: {counts['pages']} pages fetched; articles "
              f"{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
              f"{counts['duplicate']} duplicate; {counts['rejected']} rejected as not articles; "
              f"{counts['errors']} errors", flush=True)
        if run.get("last_error"):
            err.print(f"  last error: {run['last_error']}", markup=False, highlight=False, soft_wrap=True)
        if run.get("status") != "ok" and run.get("log"):
            err.print(f"  crawl log: {run['log']}", markup=False, highlight=False, soft_wrap=True)
    if len(results) > 1:
        print(f"total: {totals['pages']} pages fetched; articles {totals['new']} new, {totals['updated']} updated, "
              f"{totals['unchanged']} unchanged, {totals['duplicate']} duplicate; {totals['rejected']} rejected "
              f"as not articles; {totals['errors']} errors", flush=True)


def fetch_and_store(db_path: str, urls: list[str], *, source: str = "manual",
                    timeout_s: float | None = None) -> list[Saved]:
    """`newsdesk ingest URL...`: fetch each URL through Scrapy, extract, store; results in input order."""
    results: list[Saved | None] = [None] * len(urls)
    with Archive(db_path) as archive:
        for i, url in enumerate(urls):
            if problem := link_problem(url):
                results[i] = archive.record_error(url, problem, source=source)
    # Tracking parameters and fragments go before fetching, as in crawls: one page, one spelling.
    to_fetch = [normalize(url) for url, saved in zip(urls, results) if saved is None]
    if to_fetch:
        by_url = _fetch(db_path, to_fetch, source, timeout_s)
        with Archive(db_path) as archive:
            for i, url in enumerate(urls):
                if results[i] is None:
                    queue = by_url.get(normalize(url))
                    results[i] = queue.pop(0) if queue else archive.record_error(
                        url, "fetch did not complete (the fetch process failed; see its log)", source=source)
    return [r for r in results if r is not None]


def _fetch(db_path: str, urls: list[str], source: str, timeout_s: float | None) -> dict[str, list[Saved]]:
    with tempfile.TemporaryDirectory(prefix="newsdesk-fetch-") as tmp:
        out, log = Path(tmp) / "results.jsonl", Path(tmp) / "fetch.log"
        cmd = [sys.executable, "-m", "spiders.run", "--db", str(db_path), "fetch", "--results", str(out),
               "--source", source]
        if timeout_s:
            cmd += ["--timeout", str(timeout_s)]
        with open(log, "wb") as log_file:
            proc = subprocess.run([*cmd, "--", *urls], stdout=log_file, stderr=subprocess.STDOUT, env=_child_env())
        by_url: dict[str, list[Saved]] = {}
        if out.exists():
            for line in out.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                by_url.setdefault(row.pop("requested"), []).append(Saved(**row))
        elif proc.returncode:
            print(f"newsdesk: the fetch process failed (exit {proc.returncode}):\n{_tail(log)}", file=sys.stderr)
        return by_url


def discover_site(url: str, *, delay: float = 1.0, user_agent: str = DEFAULT_USER_AGENT,
                  timeout_s: float = 20.0) -> Found:
    """`newsdesk sources add`: what a site offers (ingest.discover.site), found from its address
    by `python -m spiders.run discover`, fetching as politely as a crawl. ConfigError when the
    address itself cannot be fetched (an unreachable host, a 404...) and nothing else was found;
    IngestError when the site offers nothing to crawl."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{url!r}: expected the site's http(s) address, e.g. https://news.example.org/")
    with tempfile.TemporaryDirectory(prefix="newsdesk-discover-") as tmp:
        out, log = Path(tmp) / "found.json", Path(tmp) / "discover.log"
        env = {**_child_env(), "NEWSDESK_DELAY": str(delay), "NEWSDESK_TIMEOUT": str(timeout_s)}
        with open(log, "wb") as log_file:
            proc = subprocess.run([sys.executable, "-m", "spiders.run", "discover", "--results", str(out),
                                   "--user-agent", user_agent, url],
                                  stdout=log_file, stderr=subprocess.STDOUT, env=env)
        if not out.exists():
            raise IngestError(f"discovery of {url} failed (exit {proc.returncode}):\n{_tail(log)}")
        data = json.loads(out.read_text(encoding="utf-8"))
    data["tried"] = [tuple(t) for t in data["tried"]]
    found = Found(**data)
    if found.page_error and not found.anything:
        raise ConfigError(f"{url}: {found.page_error}; check the address (nothing else was found there either)")
    if not found.anything:
        raise IngestError(f"nothing to crawl found at {url}: tried {found.tried_summary()}")
    return found
