"""Running crawls and one-off fetches: each in its own Scrapy subprocess (`python -m spiders.run`).

A Twisted reactor cannot restart (scrapy#2941), and a hung or leaking crawl must not take its
caller (the CLI, the scheduler) down: so every crawl is a child process, as Scrapyd does it.
The child records its run in the archive; this side watches the archive for progress and
repairs the run record if the child dies without closing it. Nothing here imports Scrapy.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from ingest.models import Saved
from ingest.links import link_problem, normalize
from storage import Archive
from storage.archive import RUN_COUNTERS

ROOT = Path(__file__).resolve().parent.parent  # where the spiders package lives
POLL_S = 0.3
GRACE_S = 30.0  # after SIGTERM, how long a crawl may take to close cleanly

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


def crawl_source(db_path: str, sources_path: str, key: str, *, max_pages: int | None = None,
                 timeout_s: float | None = None, on_progress: Progress | None = None,
                 log_path: str | None = None) -> dict[str, Any]:
    """Crawl one source in a subprocess and return its run record (a row of `runs`, plus `log`:
    the crawl's log file, kept when the run was not "ok" or `log_path` was given).

    On `timeout_s` the crawl is asked to stop (SIGTERM: Scrapy closes cleanly, the run is
    "interrupted"), and killed if it has not within GRACE_S. If the caller is interrupted
    (KeyboardInterrupt, SystemExit), the crawl is stopped the same way, its run closed as
    "interrupted", and the exception goes on.
    """
    cmd = [sys.executable, "-m", "spiders.run", "--db", str(db_path), "--sources", str(sources_path),
           "crawl", key]
    if max_pages:
        cmd += ["--max-pages", str(max_pages)]
    with Archive(db_path) as archive:  # create or migrate the file before the child opens it
        archive.mark_stale_runs(key)  # earlier runs of this source killed before they could close
    log = Path(log_path) if log_path else Path(tempfile.mkstemp(prefix=f"newsdesk-{key}-", suffix=".log")[1])
    started = time.monotonic()
    why: str | None = None  # set when we stop the crawl ourselves
    with open(log, "ab") as log_file, Archive(db_path) as archive:
        # Its own session: a Ctrl-C at the terminal reaches only us, and we send the child exactly
        # one SIGTERM (a second signal would make Scrapy quit without closing its run).
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=_child_env(),
                                start_new_session=True)
        try:
            run: dict[str, Any] | None = None
            while proc.poll() is None:
                time.sleep(POLL_S)
                run = run or archive.run_by_pid(key, proc.pid)
                if run and on_progress:
                    on_progress(key, archive.run_counts(run["id"]))
                if timeout_s and time.monotonic() - started > timeout_s:
                    why = f"stopped after its run timeout ({timeout_s:g}s)"
                    break
        except BaseException:
            why = "interrupted"
            raise
        finally:
            killed = _stop(proc) if proc.poll() is None else False
            _close_run(archive, key, proc, why, killed, log)
        result = dict(archive.run_by_pid(key, proc.pid) or {})
    result["log"] = str(log)
    if not log_path and result.get("status") == "ok":
        log.unlink(missing_ok=True)
        result["log"] = None
    return result


def _stop(proc: subprocess.Popen) -> bool:
    """SIGTERM, then SIGKILL after GRACE_S; True when it had to be killed."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(GRACE_S)
        return False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return True


def _close_run(archive: Archive, key: str, proc: subprocess.Popen, why: str | None, killed: bool,
               log: Path) -> None:
    """Make sure the crawl's run is closed, whatever became of the child."""
    run = archive.run_by_pid(key, proc.pid)
    if run is None:  # the child ended before it could open a run
        run_id = archive.start_run(key, pid=proc.pid)
        if why:
            archive.finish_run(run_id, "interrupted", last_error=f"{why}, before it started")
        else:  # a bad install, a crash at start-up
            archive.finish_run(run_id, "failed", last_error=f"crawl process exited with code {proc.returncode}: "
                                                            f"{_tail(log, 3) or 'no output'}")
    elif run["status"] == "running":  # killed, or crashed, before it could close its own run
        reason = f"{why}; killed after {GRACE_S:g}s more" if killed and why else (
            why or _child_error(log) or f"crawl process exited with code {proc.returncode}")
        archive.finish_run(run["id"], "interrupted" if why else "failed", archive.run_counts(run["id"]),
                           last_error=reason)
    elif why:
        archive.finish_run(run["id"], run["status"], last_error=why)


def _child_error(log: Path) -> str | None:
    """The reason the crawl process gave for stopping (spiders.run's last "newsdesk: " line)."""
    lines = [line for line in _tail(log, 5).splitlines() if line.startswith("newsdesk: ")]
    return lines[-1].removeprefix("newsdesk: ") if lines else None


def crawl_sources(db_path: str, sources_path: str, keys: list[str], *, max_pages: int | None = None,
                  progress: bool = True) -> bool:
    """`newsdesk crawl`: crawl each source in turn with live progress, then print a summary.

    Returns False when any crawl did not finish "ok".
    """
    from rich.console import Console
    from rich.progress import Progress as Bar, SpinnerColumn, TextColumn, TimeElapsedColumn

    err = Console(stderr=True)
    results: list[dict[str, Any]] = []
    for key in keys:
        try:
            if progress:
                with Bar(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.fields[line]}"),
                         TimeElapsedColumn(), console=err, transient=True) as bar:
                    task = bar.add_task(key, line="starting")

                    def show(_: str, counts: dict[str, int]) -> None:
                        bar.update(task, line=_counts_line(counts))

                    results.append(crawl_source(db_path, sources_path, key, max_pages=max_pages, on_progress=show))
            else:
                results.append(crawl_source(db_path, sources_path, key, max_pages=max_pages))
        except KeyboardInterrupt:
            # crawl_source has stopped the child, which closed its run as "interrupted"
            err.print(f"interrupted during {key}; later sources were not crawled")
            with Archive(db_path) as archive:
                results.extend(archive.runs(key, limit=1))
            _print_summary(results, err)
            return False
    _print_summary(results, err)
    return all(r.get("status") == "ok" for r in results)


def _counts_line(counts: dict[str, int]) -> str:
    return (f"{counts['pages']} pages, {counts['new']} new, {counts['updated']} upd, {counts['unchanged']} same, "
            f"{counts['duplicate']} dup, {counts['rejected']} rej, {counts['errors']} err")


def _print_summary(results: list[dict[str, Any]], err: Any) -> None:
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
