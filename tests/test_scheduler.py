"""`newsdesk schedule` end to end: the real scheduler process, real crawls, a real local news
site on 127.0.0.1 whose routes the tests can break (hang, 429, 500), a real archive file.

Every wait is bounded; the clock is only read to order events (requests vs not_before).
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("council minister harbour budget election court report police hospital river union "
         "farmers teachers railway bridge parliament inquiry weather festival museum company "
         "workers energy prices water city county village mayor judge committee vote plan "
         "agreement talks border trade tax schools housing transport climate storm flood").split()

pytestmark = pytest.mark.timeout(120)


# -- a small local news site whose routes a test can break -------------------------------

def _paragraphs(slug: str, count: int = 6) -> list[str]:
    rng = random.Random(slug)
    out = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 60))]
        out.append(" ".join(words).capitalize() + ".")
    return out


def article_html(base: str, slug: str) -> str:
    title = f"{slug.replace('-', ' ').title()} as officials meet"
    paras = "\n".join(f"<p>{p}</p>" for p in _paragraphs(slug))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Local Gazette</title>
<link rel="canonical" href="{base}/news/{slug}">
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="og:site_name" content="Local Gazette">
<meta property="article:published_time" content="2026-11-20T08:30:00+00:00">
<meta name="author" content="Ada Reporter"></head>
<body><header><nav><a href="/">Home</a> <a href="/news/">News</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By Ada Reporter, 20 November 2026</p>
{paras}
</article></main><footer>Local Gazette, 1 High Street</footer></body></html>"""


def rss(base: str, slugs: list[str]) -> str:
    items = "".join(
        f"<item><title>{s}</title><link>{base}/news/{s}</link><guid>{base}/news/{s}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 08:30:00 GMT</pubDate></item>" for s in slugs)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local Gazette</title>'
            f"<link>{base}/</link><description>news</description>{items}</channel></rss>")


class Site:
    """Feeds at /feeds/<name>.xml listing /news/<slug> articles; `faults[path]` breaks a route:
    ("hang", seconds), ("status", code) or ("429", retry_after_s) once, then normal."""

    def __init__(self) -> None:
        self.feeds: dict[str, list[str]] = {}
        self.faults: dict[str, tuple[str, float]] = {}
        self.log: list[tuple[float, str, int]] = []  # (time.time(), path, status)
        self.lock = threading.Lock()
        self.closing = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                status, body, ctype, headers = site.answer(self.path)
                with site.lock:
                    site.log.append((time.time(), self.path, status))
                if status == 0:
                    return
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[int, str, str, dict[str, str]]:
        with self.lock:
            fault = self.faults.get(path)
            if fault and fault[0] == "429":
                del self.faults[path]  # once
        if fault:
            kind, value = fault
            if kind == "hang":
                self.closing.wait(value)
                return 0, "", "", {}
            if kind == "status":
                return int(value), "unavailable", "text/plain", {}
            if kind == "429":
                return 429, "slow down", "text/plain", {"Retry-After": str(int(value))}
        if path == "/robots.txt":
            return 200, "User-agent: *\nAllow: /\n", "text/plain", {}
        if path.startswith("/feeds/") and path.endswith(".xml"):
            slugs = self.feeds.get(path[len("/feeds/"):-len(".xml")])
            if slugs is not None:
                return 200, rss(self.base, slugs), "application/rss+xml", {}
        if path.startswith("/news/") and len(path) > len("/news/"):
            return 200, article_html(self.base, path[len("/news/"):]), "text/html; charset=utf-8", {}
        return 404, "not found", "text/plain", {}

    def requests(self, path: str) -> list[tuple[float, int]]:
        with self.lock:
            return [(t, s) for t, p, s in self.log if p == path]

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


# -- driving the real CLI ----------------------------------------------------------------

def newsdesk(db: Path, sources: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ingest", "--db", str(db), "--sources", str(sources), *args]


def write_sources(path: Path, base: str, sources: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for key, opts in sources.items():
        lines.append(f"[sources.{key}]")
        for name, value in opts.items():
            if name == "feeds":
                value = [base + v for v in value]
            lines.append(f"{name} = {json.dumps(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class Scheduler:
    """A `newsdesk schedule` process logging to a file."""

    def __init__(self, tmp: Path, db: Path, sources: Path):
        self.log_path = tmp / "schedule.log"
        self.proc = subprocess.Popen(
            newsdesk(db, sources, "schedule", "--log-level", "DEBUG", "--log-file", str(self.log_path)),
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
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

def test_every_2s_runs_each_source_twice_then_sigterm_exits_clean(tmp_path, site, scheduler_factory):
    site.feeds["metro"] = [f"metro-story-{i}" for i in range(4)]
    site.feeds["sport"] = [f"sport-story-{i}" for i in range(3)]
    db = tmp_path / "news.db"
    sources = write_sources(tmp_path / "sources.toml", site.base, {
        "metro": {"feeds": ["/feeds/metro.xml"], "schedule": "every 2s", "delay": 0},
        "sport": {"feeds": ["/feeds/sport.xml"], "schedule": "every 2s", "delay": 0},
    })
    sched = scheduler_factory(db, sources)

    def two_finished_each():
        done = {k: [r for r in runs(db, k) if r["status"] != "running"] for k in ("metro", "sport")}
        return done if all(len(v) >= 2 for v in done.values()) else None

    done = wait_for("two finished runs of each source", two_finished_each, 60, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    for key, expected in (("metro", 4), ("sport", 3)):
        first, second = done[key][0], done[key][1]
        assert first["status"] == "ok", first
        assert first["new"] == expected, first
        assert second["status"] == "ok", second
        assert second["new"] == 0 and second["updated"] == 0, f"the second run stored something: {second}"
        assert len(query(db, "SELECT id FROM articles WHERE source = ?", (key,))) == expected
    assert query(db, "SELECT id, source FROM runs WHERE status = 'running'") == []
    assert query(db, "SELECT next_run_at FROM source_state WHERE next_run_at IS NOT NULL") == [], \
        "a stopped scheduler still advertises next runs"
    log = sched.log
    assert "metro: run started" in log and "scheduler stopped" in log
    assert "Traceback" not in log, log[-3000:]


def test_hung_crawl_is_killed_at_its_limit_and_the_next_run_comes(tmp_path, site, scheduler_factory):
    site.feeds["slow"] = ["slow-story-1"]
    site.faults["/feeds/slow.xml"] = ("hang", 60)  # answers nothing for a minute
    db = tmp_path / "news.db"
    sources = write_sources(tmp_path / "sources.toml", site.base, {
        "slow": {"feeds": ["/feeds/slow.xml"], "schedule": "every 2s", "delay": 0,
                 "timeout": 60, "run_timeout": 3},
    })
    sched = scheduler_factory(db, sources)
    wait_for("a timed-out run", lambda: [r for r in runs(db, "slow") if r["status"] == "timeout"], 30, sched)
    timed_out = next(r for r in runs(db, "slow") if r["status"] == "timeout")
    # The next run starts at its next fire time: one failure does not back a source off.
    following = wait_for("the run after the timeout",
                         lambda: [r for r in runs(db, "slow") if r["id"] > timed_out["id"]], 20, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    assert "run time limit" in (timed_out["last_error"] or ""), timed_out
    assert timed_out["ended_at"], timed_out
    assert parse(following[0]["started_at"]) >= parse(timed_out["ended_at"])
    assert "slow: run skipped" not in sched.log
    if timed_out["pid"]:
        assert pid_gone(timed_out["pid"]), "the hung crawl is still alive"
    statuses = [r["status"] for r in runs(db, "slow")]
    assert "running" not in statuses, statuses
    # Interrupted by the SIGTERM, or timed out again before it: either way, recorded.
    assert set(statuses) <= {"timeout", "interrupted"}, statuses


def test_scheduled_crawl_and_20_one_off_ingests_share_the_archive(tmp_path, site, scheduler_factory):
    feed = [f"feed-story-{i}" for i in range(30)]
    manual = [f"manual-story-{i}" for i in range(20)]
    site.feeds["metro"] = feed
    db = tmp_path / "news.db"
    sources = write_sources(tmp_path / "sources.toml", site.base, {
        # A delay between requests keeps the crawl writing while the one-off ingests run.
        "metro": {"feeds": ["/feeds/metro.xml"], "schedule": "every 1h", "delay": 0.3},
    })
    sched = scheduler_factory(db, sources)
    wait_for("the scheduled crawl to start",
             lambda: [r for r in runs(db, "metro") if r["status"] == "running"], 30, sched)
    ingests = [subprocess.Popen(newsdesk(db, sources, "ingest", f"{site.base}/news/{slug}"), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for slug in manual]
    outputs = []
    for proc in ingests:
        out, err = proc.communicate(timeout=90)
        outputs.append((proc.returncode, out, err))
    wait_for("the scheduled crawl to finish",
             lambda: [r for r in runs(db, "metro") if r["status"] not in ("running",)], 60, sched)
    assert sched.stop() == 0, sched.log[-3000:]

    for code, out, err in outputs:
        assert "locked" not in (out + err).lower(), out + err
        assert code == 0 and out.rstrip().endswith("\tnew"), (code, out, err)
    assert "locked" not in sched.log.lower()
    run = runs(db, "metro")[0]
    assert run["status"] == "ok" and run["new"] == 30 and run["errors"] == 0, run
    urls = [r["url"] for r in query(db, "SELECT url FROM articles")]
    expected = {f"{site.base}/news/{slug}" for slug in feed + manual}
    assert sorted(urls) == sorted(expected), "articles lost or stored twice"
    fts = query(db, "SELECT count(*) AS n FROM articles_fts")[0]["n"]
    assert fts == len(expected)


def test_archive_first_open_from_many_processes_at_once(tmp_path):
    db = tmp_path / "fresh.db"
    code = "import sys; from storage import Archive; Archive(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for _ in range(12)]
    errors = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    assert all(rc == 0 for rc, _ in errors), errors
    from storage.schema import SCHEMA_VERSION

    conn = sqlite3.connect(str(db))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'source_state'").fetchone()[0] == 1


def test_retry_after_holds_the_next_poll(tmp_path, site, scheduler_factory):
    site.feeds["busy"] = ["busy-story-1"]
    site.faults["/feeds/busy.xml"] = ("429", 6)
    db = tmp_path / "news.db"
    sources = write_sources(tmp_path / "sources.toml", site.base, {
        "busy": {"feeds": ["/feeds/busy.xml"], "schedule": "every 2s", "delay": 0},
    })
    sched = scheduler_factory(db, sources)
    polls = wait_for("a poll after the 429",
                     lambda: (p := site.requests("/feeds/busy.xml")) and len(p) >= 2 and p, 40, sched)
    state = query(db, "SELECT not_before FROM feed_state WHERE url = ?", (f"{site.base}/feeds/busy.xml",))
    assert sched.stop() == 0, sched.log[-3000:]

    assert polls[0][1] == 429, polls
    assert state and state[0]["not_before"], "the crawl did not store the Retry-After"
    not_before = parse(state[0]["not_before"]).timestamp()
    # A poll may only come once the publisher's Retry-After (6 s) is over; at least two fire
    # times of the 2 s schedule fell inside it.
    assert not_before >= polls[0][0] + 4, (not_before, polls[0][0])
    early = [t for t, _ in polls[1:] if t < not_before]
    assert not early, f"polled {not_before - early[0]:.1f}s before not_before"
    assert polls[1][1] == 200


def test_failing_source_backs_off_and_recovers(tmp_path, site, scheduler_factory):
    site.feeds["flaky"] = ["flaky-story-1"]
    site.faults["/feeds/flaky.xml"] = ("status", 500)
    db = tmp_path / "news.db"
    sources = write_sources(tmp_path / "sources.toml", site.base, {
        "flaky": {"feeds": ["/feeds/flaky.xml"], "schedule": "every 2s", "delay": 0},
    })
    sched = scheduler_factory(db, sources)

    def listing() -> dict[str, Any]:
        out = subprocess.run(newsdesk(db, sources, "sources", "--json"), cwd=ROOT, capture_output=True,
                             text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return {r["source"]: r for r in json.loads(out.stdout)}

    wait_for("two failed runs", lambda: len([r for r in runs(db, "flaky") if r["status"] == "failed"]) >= 2,
             40, sched)
    backing = wait_for("sources to say backing off", lambda: (r := listing()["flaky"])["backing_off"] and r, 10,
                       sched)
    assert backing["status"].startswith("backing off until "), backing
    assert backing["failures"] >= 2 and backing["next_run"], backing
    until = parse(backing["backoff_until"])

    del site.faults["/feeds/flaky.xml"]  # the site answers again
    ok = wait_for("a good run", lambda: [r for r in runs(db, "flaky") if r["status"] == "ok"], 60, sched)
    recovered = listing()["flaky"]
    assert sched.stop() == 0, sched.log[-3000:]

    # No run began between the failure that earned the backoff and its end.
    failures = [r for r in runs(db, "flaky") if r["status"] == "failed"]
    earned = [r for r in failures if parse(r["ended_at"]) <= until][-1]
    during = [r for r in runs(db, "flaky") if parse(earned["ended_at"]) < parse(r["started_at"]) < until]
    assert not during, f"ran while backing off until {until}: {during}"
    assert parse(ok[0]["started_at"]) >= until
    assert recovered["failures"] == 0 and not recovered["backing_off"], recovered
    assert recovered["status"] == "ok", recovered
    assert "backing off" in sched.log and "recovered after" in sched.log
