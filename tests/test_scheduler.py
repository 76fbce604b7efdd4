"""`newsdesk schedule` end to end: the real scheduler process, real crawls, the demo news
sites on 127.0.0.1 (their feed breakable: hang, 429, 500), a real archive file.

Every wait is for the real condition (polled), bounded by a safety net of 120 s or more that a
healthy run never approaches (each wait includes starting Python and Scrapy, on a busy machine);
the clock is only read to order events (requests vs not_before).
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

from ingest.demo_sites.config import sources_toml
from ingest.demo_sites.routes import Response, render
from ingest.demo_sites.server import DemoServer, Request

ROOT = Path(__file__).resolve().parent.parent
# Generous bounds: they only matter when something is broken, and the machine may be busy.
pytestmark = pytest.mark.timeout(240)
FEED = "/stories.rss"  # the herald demo site's RSS feed


class Feed:
    """The herald feed, breakable: mode None serves it; ("hang", s), ("status", code) or
    ("429", retry_after_s) break it (429 once, then back to normal). Logs (time, status)."""

    def __init__(self) -> None:
        self.mode: tuple[str, float] | None = None
        self.polls: list[tuple[float, int]] = []
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self.lock:
            mode = self.mode
            if mode and mode[0] == "429":
                self.mode = None
        if mode and mode[0] == "hang":
            request.wait(mode[1])
            response = Response(200, "<html><body><p>Too late.</p></body></html>")
        elif mode and mode[0] == "status":
            response = Response(int(mode[1]), "<html><body><h1>Server error</h1></body></html>")
        elif mode and mode[0] == "429":
            response = Response(429, "<html><body><h1>Too Many Requests</h1></body></html>",
                                headers={"Retry-After": str(int(mode[1]))})
        else:
            server = request.server
            with server._lock:
                response = render(server.sites, request.site, request.path, request.query, server.bases)
        with self.lock:
            self.polls.append((time.time(), response.status))
        return response


@pytest.fixture
def sites():
    with DemoServer() as server:
        yield server


@pytest.fixture
def feed(sites):
    route = Feed()
    sites.route(FEED, route, site="herald")
    return route


def herald_feed_only(sites: DemoServer, path: Path, **opts: Any) -> Path:
    """sources.toml with one source, `herald`, polling only its RSS feed."""
    return feed_sources(path, {"herald": (sites.url("herald", FEED), opts)})


def feed_sources(path: Path, sources: dict[str, tuple[str, dict[str, Any]]]) -> Path:
    """sources.toml with one feed per source: {key: (feed URL, other settings)}."""
    lines = []
    for key, (url, opts) in sources.items():
        lines += [f"[sources.{key}]", f'feeds = ["{url}"]', "delay = 0"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in opts.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- driving the real CLI ----------------------------------------------------------------

def newsdesk(db: Path, sources: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ingest", "--db", str(db), "--sources", str(sources), *args]


class Scheduler:
    """A `newsdesk schedule` process logging to a file."""

    def __init__(self, tmp: Path, db: Path, sources: Path):
        self.log_path = tmp / "schedule.log"
        self.proc = subprocess.Popen(
            newsdesk(db, sources, "schedule", "--log-level", "DEBUG", "--log-file", str(self.log_path)),
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 120) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"the scheduler did not stop within {timeout}s of signal {sig}")

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8") if self.log_path.exists() else ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def scheduler_factory(tmp_path):
    started: list[Scheduler] = []

    def start(db: Path, sources: Path) -> Scheduler:
        s = Scheduler(tmp_path, db, sources)
        started.append(s)
        return s

    yield start
    for s in started:
        s.close()


def query(db: Path, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(str(db), timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        conn.close()


def runs(db: Path, source: str) -> list[dict[str, Any]]:
    return query(db, "SELECT * FROM runs WHERE source = ? ORDER BY id", (source,))


def wait_for(what: str, check: Callable[[], Any], timeout: float, sched: Scheduler | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if sched is not None and sched.proc.poll() is not None:
            raise AssertionError(f"the scheduler exited ({sched.proc.returncode}) while waiting for {what}:\n"
                                 f"{sched.log[-3000:]}")
        time.sleep(0.2)
    log = sched.log[-4000:] if sched else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{log}")


def parse(ts: str) -> datetime:
    value = datetime.fromisoformat(ts)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# -- the tests -----------------------------------------------------------------------------

def test_every_2s_runs_each_source_twice_then_sigterm_exits_clean(tmp_path, sites, scheduler_factory):
    db = tmp_path / "news.db"
    sources = tmp_path / "sources.toml"
    text = sources_toml(sites.bases, schedule="every 2s", delay=0)
    sources.write_text(text.split("[sources.wirenews]")[0], encoding="utf-8")  # herald and wpdaily
    keys = ("herald", "wpdaily")
    sched = scheduler_factory(db, sources)

    def two_finished_each():
        done = {k: [r for r in runs(db, k) if r["status"] != "running"] for k in keys}
        return done if all(len(v) >= 2 for v in done.values()) else None

    done = wait_for("two finished runs of each source", two_finished_each, 120, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    for key in keys:
        first, second = done[key][0], done[key][1]
        assert first["status"] == "ok" and first["new"] > 0, first
        assert second["status"] == "ok", second
        assert second["new"] == 0 and second["updated"] == 0, f"the second run stored something: {second}"
        stored = query(db, "SELECT count(*) AS n FROM articles WHERE source = ?", (key,))[0]["n"]
        assert stored == sum(r["new"] for r in runs(db, key)), key
    assert query(db, "SELECT id, source FROM runs WHERE status = 'running'") == []
    assert query(db, "SELECT next_run_at FROM source_state WHERE next_run_at IS NOT NULL") == [], \
        "a stopped scheduler still advertises next runs"
    log = sched.log
    assert "herald: run started" in log and "scheduler stopped" in log
    assert "Traceback" not in log, log[-3000:]


def test_hung_crawl_is_killed_at_its_limit_and_the_next_run_comes(tmp_path, sites, feed, scheduler_factory):
    feed.mode = ("hang", 60)  # the feed answers nothing for a minute
    db = tmp_path / "news.db"
    sources = herald_feed_only(sites, tmp_path / "sources.toml", schedule="every 2s", timeout=60, run_timeout=3)
    sched = scheduler_factory(db, sources)
    wait_for("a timed-out run", lambda: [r for r in runs(db, "herald") if r["status"] == "timeout"], 120, sched)
    timed_out = next(r for r in runs(db, "herald") if r["status"] == "timeout")
    # The next run starts at its next fire time: one failure does not back a source off.
    following = wait_for("the run after the timeout",
                         lambda: [r for r in runs(db, "herald") if r["id"] > timed_out["id"]], 120, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    assert "run time limit" in (timed_out["last_error"] or ""), timed_out
    assert parse(following[0]["started_at"]) >= parse(timed_out["ended_at"])
    assert "herald: run skipped" not in sched.log
    # crawl_batch records the child's pid itself when the child never got to: always there
    assert timed_out["pid"], f"the timed-out run recorded no pid: {timed_out}"
    assert pid_gone(timed_out["pid"]), "the hung crawl is still alive"
    statuses = [r["status"] for r in runs(db, "herald")]
    # Each run timed out, or was cut short by the SIGTERM: none is left `running`.
    assert set(statuses) <= {"timeout", "interrupted"}, statuses


@pytest.mark.timeout(600)  # 20 ingests are 40 Python processes importing Scrapy, on 2 cores
def test_scheduled_crawl_second_crawl_and_20_ingests_share_the_archive(tmp_path, sites, scheduler_factory):
    db = tmp_path / "news.db"
    blocks = sources_toml(sites.bases, schedule="every 1h", delay=0.2).split("\n\n")
    scheduled = tmp_path / "sources.toml"  # herald, crawled by the scheduler
    scheduled.write_text(blocks[0] + "\ntimeout = 300\n", encoding="utf-8")
    by_hand = tmp_path / "by-hand.toml"  # wpdaily, crawled by `newsdesk crawl` meanwhile
    by_hand.write_text(blocks[1] + "\n", encoding="utf-8")
    manual = [r["url"] for r in sites.expected("wirenews") if not r.get("private")][:20]
    assert len(manual) == 20
    # Herald's articles wait behind a gate, so the scheduled crawl is provably mid-run while
    # the others write; the gate opens once the second crawl and the ingests are writing.
    gate = threading.Event()

    def gated(request: Request) -> Response:
        while not gate.wait(0.2) and not request.server._stopping.is_set():
            pass
        server = request.server
        with server._lock:
            return render(server.sites, request.site, request.path, request.query, server.bases)

    for record in sites.expected("herald"):
        sites.route(record["url"][len(sites.bases["herald"]):], gated, site="herald")

    sched = scheduler_factory(db, scheduled)
    wait_for("the scheduled crawl to start", lambda: runs(db, "herald"), 120, sched)
    second = subprocess.Popen(newsdesk(db, by_hand, "crawl", "wpdaily", "--quiet"), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ingests = [subprocess.Popen(newsdesk(db, scheduled, "ingest", url), cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for url in manual]
    wait_for("the second crawl and the ingests to store articles",
             lambda: query(db, "SELECT 1 FROM articles WHERE source = 'wpdaily' LIMIT 1")
             and len(query(db, "SELECT id FROM articles WHERE source = 'manual'")) >= 3, 300, sched)
    gate.set()
    outputs = []
    for proc in ingests:
        out, err = proc.communicate(timeout=300)
        outputs.append((proc.returncode, out, err))
    second_out = second.communicate(timeout=300)[0]
    herald = wait_for("the scheduled crawl to finish",
                      lambda: [r for r in runs(db, "herald") if r["status"] != "running"], 180, sched)[0]
    wait_for("the scheduler to log its run", lambda: f"herald: run {herald['id']} " in sched.log, 120, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    for code, out, err in outputs:
        assert "locked" not in (out + err).lower(), out + err
        assert code == 0 and out.rstrip().endswith("\tnew"), (code, out, err)
    assert "locked" not in (sched.log + second_out).lower()
    assert second.returncode == 0, second_out
    wpdaily = runs(db, "wpdaily")[0]
    for run in (herald, wpdaily):
        assert run["status"] == "ok" and run["new"] > 0, run
    # The only errors allowed: the demo sites' robots-disallowed /private/ article.
    errors = query(db, "SELECT url, reason FROM fetches WHERE outcome = 'error'")
    assert all("/private/" in e["url"] and "robots" in e["reason"] for e in errors), errors
    assert wpdaily["started_at"] <= herald["ended_at"], "the two crawls did not overlap"
    articles = query(db, "SELECT url, source FROM articles")
    assert len({r["url"] for r in articles}) == len(articles)
    stored = [r["url"] for r in articles if r["source"] == "manual"]
    assert sorted(stored) == sorted(out.split("\t")[0] for _, out, _ in outputs), "one-off articles lost"
    for run in (herald, wpdaily):
        assert len([r for r in articles if r["source"] == run["source"]]) == run["new"], run
    assert len(articles) == herald["new"] + wpdaily["new"] + 20
    assert query(db, "SELECT count(*) AS n FROM articles_fts")[0]["n"] == len(articles)


def test_archive_first_open_from_many_processes_at_once(tmp_path):
    db = tmp_path / "fresh.db"
    code = "import sys; from storage import Archive; Archive(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for _ in range(8)]
    errors = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(rc == 0 for rc, _ in errors), errors
    from storage.schema import SCHEMA_VERSION

    conn = sqlite3.connect(str(db))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'source_state'").fetchone()[0] == 1


def test_retry_after_holds_the_next_poll(tmp_path, sites, feed, scheduler_factory):
    feed.mode = ("429", 6)
    db = tmp_path / "news.db"
    sources = herald_feed_only(sites, tmp_path / "sources.toml", schedule="every 2s")
    sched = scheduler_factory(db, sources)
    url = sites.url("herald", FEED)

    def held_by_the_429() -> str | None:
        rows = query(db, "SELECT not_before FROM feed_state WHERE url = ?", (url,))
        return rows[0]["not_before"] if rows and rows[0]["not_before"] and len(feed.polls) == 1 else None

    stored = wait_for("the crawl to store the Retry-After", held_by_the_429, 120, sched)
    polls = wait_for("a poll after the 429", lambda: len(feed.polls) >= 2 and list(feed.polls), 120, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    assert polls[0][1] == 429, polls
    not_before = parse(stored).timestamp()
    # The publisher asked for 6 s: at least two fire times of the 2 s schedule fell inside.
    assert not_before >= polls[0][0] + 4, (not_before, polls[0][0])
    assert polls[1][0] >= not_before, f"polled {not_before - polls[1][0]:.1f}s before not_before"
    assert polls[1][1] == 200
    # That the scheduler itself starts no run while held (not only the spider skipping the
    # feed): test_a_source_held_by_retry_after_gets_no_run_until_it_ends.


def test_a_source_held_by_retry_after_gets_no_run_until_it_ends(tmp_path, sites, feed, scheduler_factory):
    """The scheduler's promise (why_skip): a source whose every feed is under a Retry-After is
    not run at all: no crawl process, no run record; each firing is logged as skipped.
    An hour's hold: however slow the machine, every firing after the first run falls inside it."""
    feed.mode = ("429", 3600)
    db = tmp_path / "news.db"
    sources = herald_feed_only(sites, tmp_path / "sources.toml", schedule="every 2s")
    sched = scheduler_factory(db, sources)
    skipped = "herald: run skipped: every feed asked not to be polled before"

    def two_firings_skipped() -> bool:
        held = runs(db, "herald")
        assert len(held) <= 1, f"the scheduler started a run while the feed was held: {held}"
        return sched.log.count(skipped) >= 2

    wait_for("two firings skipped for the Retry-After", two_firings_skipped, 120, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    held = runs(db, "herald")
    assert len(held) == 1 and held[0]["status"] != "running", held  # only the run that met the 429
    assert [status for _, status in feed.polls] == [429]
    not_before = parse(query(db, "SELECT not_before FROM feed_state WHERE url = ?",
                             (sites.url("herald", FEED),))[0]["not_before"])
    assert not_before.timestamp() >= feed.polls[0][0] + 3000, not_before


def test_failing_source_backs_off_and_recovers(tmp_path, sites, feed, scheduler_factory):
    feed.mode = ("status", 500)
    db = tmp_path / "news.db"
    sources = herald_feed_only(sites, tmp_path / "sources.toml", schedule="every 2s")
    sched = scheduler_factory(db, sources)

    def listing() -> dict[str, Any]:
        out = subprocess.run(newsdesk(db, sources, "sources", "--json"), cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return {r["source"]: r for r in json.loads(out.stdout)}

    wait_for("two failed runs", lambda: len([r for r in runs(db, "herald") if r["status"] == "failed"]) >= 2,
             120, sched)
    backing = wait_for("sources to say backing off", lambda: (r := listing()["herald"])["backing_off"] and r,
                       120, sched)
    assert backing["status"].startswith("backing off until "), backing
    assert backing["failures"] >= 2 and backing["next_run"], backing
    until = parse(backing["backoff_until"])

    feed.mode = None  # the site answers again
    ok = wait_for("a good run", lambda: [r for r in runs(db, "herald") if r["status"] == "ok"], 120, sched)
    # The scheduler updates its state once the crawl process has exited.
    recovered = wait_for("sources to show the recovery", lambda: (r := listing()["herald"])["failures"] == 0 and r,
                         120, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    # No run began between the failure that earned the backoff and its end.
    failures = [r for r in runs(db, "herald") if r["status"] == "failed"]
    earned = [r for r in failures if parse(r["ended_at"]) <= until][-1]
    during = [r for r in runs(db, "herald") if parse(earned["ended_at"]) < parse(r["started_at"]) < until]
    assert not during, f"ran while backing off until {until}: {during}"
    assert parse(ok[0]["started_at"]) >= until
    assert not recovered["backing_off"] and recovered["backoff_until"] is None, recovered
    assert recovered["status"] == "ok", recovered
    assert "backing off" in sched.log and "recovered after" in sched.log


def test_sighup_reloads_sources_without_losing_history(tmp_path, sites, scheduler_factory):
    db = tmp_path / "news.db"
    sources = feed_sources(tmp_path / "sources.toml", {
        "herald": (sites.url("herald", FEED), {"schedule": "every 1h"})})
    sched = scheduler_factory(db, sources)
    first = wait_for("herald's first run", lambda: [r for r in runs(db, "herald") if r["status"] == "ok"], 120, sched)

    feed_sources(sources, {"wire": (sites.url("wirenews", "/feed.json"), {"schedule": "every 1h"})})
    sched.proc.send_signal(signal.SIGHUP)
    wait_for("the added source's run", lambda: [r for r in runs(db, "wire") if r["status"] == "ok"], 120, sched)
    wait_for("the reload logged", lambda: "herald: removed from the schedule" in sched.log, 120, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    assert runs(db, "herald") == first, "a removed source ran again, or lost its history"
    assert "wire: added" in sched.log


def test_once_runs_every_source_and_fails_when_one_fails(tmp_path, sites, feed):
    db = tmp_path / "news.db"
    sources = feed_sources(tmp_path / "sources.toml", {
        "herald": (sites.url("herald", FEED), {}),
        "wire": (sites.url("wirenews", "/feed.json"), {})})
    # A run left `running` by a crawl that died with its machine: its pid is gone.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    from storage import Archive

    with Archive(db) as archive:
        stale = archive.start_run("herald", pid=dead.pid)
    feed.mode = ("status", 500)

    out = subprocess.run(newsdesk(db, sources, "schedule", "--once"), cwd=ROOT, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 1, out.stderr[-3000:]
    assert [r["status"] for r in runs(db, "wire")] == ["ok"]
    herald = runs(db, "herald")
    assert [r["status"] for r in herald] == ["interrupted", "failed"], herald
    assert herald[0]["id"] == stale
    assert "herald: run" in out.stderr and "once: 2 runs, 1 failed (herald)" in out.stderr

    feed.mode = None
    again = subprocess.run(newsdesk(db, sources, "schedule", "--once"), cwd=ROOT, capture_output=True, text=True,
                           timeout=180)
    assert again.returncode == 0, again.stderr[-3000:]


def test_serve_schedules_the_nightly_index_merge(tmp_path):
    """`newsdesk schedule` registers the nightly full-text merge: a daily job calling
    optimize_index, seen on the running scheduler's own APScheduler. The scheduler runs in
    this process (serve() on the main thread, as the CLI runs it), stopped by a real SIGTERM."""
    from apscheduler.schedulers.base import STATE_RUNNING
    from apscheduler.triggers.cron import CronTrigger

    from ingest.run.scheduler import Scheduler as Daemon
    from storage import Archive

    db = tmp_path / "news.db"
    sources = feed_sources(tmp_path / "sources.toml", {"quiet": ("http://127.0.0.1:9/feed.xml", {"schedule": "every 1h"})})
    with Archive(db) as archive:  # it ran just now, so its next run is an hour away: no crawl starts
        archive.finish_run(archive.start_run("quiet"), "ok")
    daemon = Daemon(str(db), str(sources))
    jobs: dict[str, Any] = {}
    served = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 120  # a safety net; the scheduler is up in well under a second
        while not served.is_set() and time.monotonic() < deadline:
            aps = daemon.aps
            if aps is not None and aps.state == STATE_RUNNING:  # every job added, resumed
                jobs.update({job.id: job for job in aps.get_jobs()})
                break
            served.wait(0.05)
        if not served.is_set():
            os.kill(os.getpid(), signal.SIGTERM)  # caught by serve()'s own handler: a clean stop

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        assert daemon.serve() == 0
    finally:
        served.set()
        watcher.join(120)
        for sig, handler in handlers.items():  # serve() installed its own
            signal.signal(sig, handler)

    assert "quiet" in jobs, f"the scheduler never came up: {sorted(jobs)}"
    nightly = [job for key, job in jobs.items() if key != "quiet"]
    assert len(nightly) == 1, f"expected the source's job and one nightly job: {sorted(jobs)}"
    job = nightly[0]
    assert job.func == daemon.optimize_index, job
    assert isinstance(job.trigger, CronTrigger), job.trigger
    # Once a day, at night: the fire times after a fixed winter day (no DST change)
    start = datetime(2026, 1, 10, 12, 0, tzinfo=job.trigger.timezone)
    first = job.trigger.get_next_fire_time(None, start)
    second = job.trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    assert second - first == timedelta(days=1), (first, second)
    assert first.hour < 6, f"the merge runs at {first:%H:%M}, not at night"
    assert job.next_run_time is not None and job.next_run_time - datetime.now(timezone.utc) <= timedelta(days=1)
