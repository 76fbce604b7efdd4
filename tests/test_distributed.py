"""Crawls on Celery workers: a real Redis server on loopback, real `newsdesk worker` processes,
shards merged into the main archive. Skipped when redis-server is not installed (`make redis`)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from crawl_fixtures import FixtureSite, rss
from ingest.distributed.shards import make_task
from ingest.distributed.workers import make_app, send, slot_now
from ingest.sources.config import load_sources
from storage import Archive

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server not installed (make redis installs Debian's)")

ROOT = Path(__file__).resolve().parent.parent
VISIBILITY_S = 8  # the broker re-delivers a lost worker's batch after this


def _wait_until(ready: Callable[[], object], what: str, *, timeout_s: float = 60,
                alive: subprocess.Popen | None = None) -> None:
    """Poll until `ready()`; fail naming `what` after timeout_s, or at once if `alive` ended."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        assert alive is None or alive.poll() is None, f"{what}: the process ended first"
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s:g}s"
        time.sleep(0.1)


def _succeeded(tmp_path: Path, key: str) -> int:
    """How many times the workers (their logs in tmp_path) finished the task `key`."""
    return sum(log.read_text().count(f"[{key}] succeeded") for log in tmp_path.glob("worker-*.log"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """redis-server on a loopback port, with an append-only file so a restart keeps the queue."""

    def __init__(self, data: Path):
        self.port, self.data = _free_port(), data
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.data.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.data)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)


def _tree(pid: int) -> list[int]:
    """pid and every process below it."""
    found, stack = [pid], [pid]
    while stack:
        parent = stack.pop()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == parent:
                    found.append(int(entry.name))
                    stack.append(int(entry.name))
    return found


class Workers:
    def __init__(self, broker: str, shards: Path, logs: Path):
        self.broker, self.shards, self.logs = broker, shards, logs
        self.procs: list[subprocess.Popen] = []

    def start(self, n: int = 1, visibility_s: int = VISIBILITY_S) -> None:
        """visibility_s: the broker delivers an unacknowledged batch again after it (longer
        than any batch of the test, unless the test wants a re-delivery)."""
        env = {**os.environ, "NEWSDESK_VISIBILITY_TIMEOUT": str(visibility_s)}
        for _ in range(n):
            log = self.logs / f"worker-{len(self.procs)}.log"
            proc = subprocess.Popen([sys.executable, "-m", "ingest", "worker", "--broker", self.broker,
                                     "--shards", str(self.shards)], cwd=ROOT, env=env,
                                    stdout=open(log, "wb"), stderr=subprocess.STDOUT)
            self.procs.append(proc)
            _wait_until(lambda: b" ready." in log.read_bytes(), f"worker ready ({log})", alive=proc)

    def lose(self, proc: subprocess.Popen) -> None:
        """A worker machine gone: the worker and everything it started, killed at once."""
        for pid in _tree(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                tree = _tree(proc.pid)
                proc.send_signal(signal.SIGQUIT)  # Celery's cold shutdown
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    pass
                for pid in tree:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Redis, Workers]]:
    redis = Redis(tmp_path / "redis")
    redis.start()
    workers = Workers(redis.url, tmp_path / "shards", tmp_path)
    try:
        yield redis, workers
    finally:
        workers.stop()
        redis.stop()


def _newsdesk(tmp: Path, db: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", "--db", str(db), "--sources", str(tmp / "sources.toml"),
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _archive_view(db: Path) -> tuple[dict[str, tuple[str, str]], set[frozenset[str]]]:
    """Every article (url -> title, text) and the clusters as sets of URLs."""
    conn = sqlite3.connect(db)
    articles = {url: (title, text) for url, title, text in conn.execute("SELECT url, title, text FROM articles")}
    clusters: dict[int, set[str]] = {}
    for url, cluster in conn.execute("SELECT url, cluster_id FROM articles"):
        clusters.setdefault(cluster, set()).add(url)
    return articles, {frozenset(urls) for urls in clusters.values()}


def _checks_pass(db: Path) -> None:
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")  # raises if broken
    assert conn.execute("SELECT count(*) FROM articles").fetchone() == \
        conn.execute("SELECT count(DISTINCT url) FROM articles").fetchone()


def test_three_workers_and_a_scheduler_store_what_a_local_crawl_stores(tmp_path: Path, cluster):
    """300 sources on 30 loopback hosts, each source a feed of its own story and one story
    every host carries (syndication: clusters across hosts)."""
    redis, workers = cluster
    sites = [FixtureSite(f"127.0.0.{20 + h}") for h in range(30)]
    lines = []
    try:
        for h, site in enumerate(sites):
            site.__enter__()
            for j in range(10):
                own = 1000 + h * 10 + j
                site.add(f"/feed-{j}.xml", rss(site.base, [own, j]), "application/rss+xml")
                site.add_articles([own, j])
                lines += [f"[sources.h{h}s{j}]", f'feeds = ["{site.base}/feed-{j}.xml"]', "delay = 0", ""]
        (tmp_path / "sources.toml").write_text("\n".join(lines))
        local = _newsdesk(tmp_path, tmp_path / "local.db", "crawl", "--all", "--quiet")
        assert local.returncode == 0, local.stderr[-2000:]

        workers.start(3, visibility_s=300)
        remote = _newsdesk(tmp_path, tmp_path / "main.db", "schedule", "--once", "--broker", redis.url,
                           "--shards", str(tmp_path / "shards"))
        assert remote.returncode == 0, remote.stderr[-3000:]
    finally:
        for site in sites:
            site.__exit__()

    local_view, remote_view = _archive_view(tmp_path / "local.db"), _archive_view(tmp_path / "main.db")
    assert len(remote_view[0]) == 600
    assert remote_view == local_view
    _checks_pass(tmp_path / "main.db")
    with Archive(tmp_path / "main.db") as archive:
        runs = archive.runs(limit=1000)
        assert len(runs) == 300 and {r["status"] for r in runs} == {"ok"}
        assert sum(r["new"] for r in runs) + sum(r["duplicate"] for r in runs) == 600
    shards = tmp_path / "shards"
    assert not list(shards.glob("*.shard.db")), "merged shards are removed"
    assert len(list(shards.glob("*.merged"))) == 2  # two batches, each leaves a marker


def _slow_source(tmp_path: Path, site: FixtureSite, stories: list[int]) -> None:
    site.add("/feed.xml", rss(site.base, stories), "application/rss+xml")
    site.add_articles(stories)
    (tmp_path / "sources.toml").write_text(f'[sources.slow]\nfeeds = ["{site.base}/feed.xml"]\ndelay = 1\n')


def _crawl_until_fetched(tmp_path: Path, redis: Redis, site: FixtureSite, story: int) -> subprocess.Popen:
    """`newsdesk crawl --all --broker` in the background, returned once the story is fetched."""
    crawl = subprocess.Popen([sys.executable, "-m", "ingest", "--db", str(tmp_path / "main.db"), "--sources",
                              str(tmp_path / "sources.toml"), "crawl", "--all", "--quiet", "--broker", redis.url,
                              "--shards", str(tmp_path / "shards")], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    _wait_until(lambda: site.hits_for(f"/news/2024/05/story-number-{story}-about-the-council"),
                f"story {story} fetched", alive=crawl)
    return crawl


def test_a_worker_lost_mid_batch_is_replaced_by_another_and_nothing_is_lost_or_stored_twice(tmp_path: Path, cluster):
    redis, workers = cluster
    with FixtureSite("127.0.0.60") as site:
        _slow_source(tmp_path, site, list(range(1, 9)))
        workers.start(1)
        crawl = _crawl_until_fetched(tmp_path, redis, site, 3)
        workers.lose(workers.procs[0])  # mid-batch: two of eight stories fetched
        assert not list((tmp_path / "shards").glob("*.shard.db"))
        workers.start(1)  # the batch is delivered to it once the visibility timeout has passed
        out, err = crawl.communicate(timeout=180)
        assert crawl.returncode == 0, err[-2000:]
        assert "8 new" in out
        assert len(site.hits_for("/news/2024/05/story-number-8-about-the-council")) >= 1
    with Archive(tmp_path / "main.db") as archive:
        assert archive.count() == 8
        (run,) = archive.runs("slow")
        assert (run["status"], run["new"], run["pages"]) == ("ok", 8, 8)
    _checks_pass(tmp_path / "main.db")


def test_a_batch_sent_twice_and_merged_twice_is_stored_once(tmp_path: Path, cluster):
    redis, workers = cluster
    with FixtureSite("127.0.0.61") as site:
        site.add("/feed.xml", rss(site.base, [1, 2, 3]), "application/rss+xml")
        site.add_articles([1, 2, 3])
        (tmp_path / "sources.toml").write_text(f'[sources.one]\nfeeds = ["{site.base}/feed.xml"]\ndelay = 0\n')
        sources = load_sources(tmp_path / "sources.toml")
        with Archive(tmp_path / "main.db") as archive:
            task = make_task(archive, tmp_path / "sources.toml", [sources["one"]], slot=slot_now(), timeout_s=60)
        app = make_app(redis.url)
        send(app, task)
        send(app, task)  # a replay: the same key
        workers.start(2)
        shard = tmp_path / "shards" / f"{task.key}.shard.db"
        _wait_until(lambda: _succeeded(tmp_path, task.key) == 2, "both copies of the batch ran")
    assert [p.name for p in (tmp_path / "shards").iterdir()] == [shard.name]

    first = _newsdesk(tmp_path, tmp_path / "main.db", "merge", str(tmp_path / "shards"), "--keep")
    assert first.returncode == 0 and "merged 1 shards" in first.stderr, first.stderr
    assert "one: ok: 3 pages; articles 3 new" in first.stdout
    before = sqlite3.connect(tmp_path / "main.db").execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM fetches), (SELECT count(*) FROM runs), "
        "(SELECT count(*) FROM revisions)").fetchone()
    second = _newsdesk(tmp_path, tmp_path / "main.db", "merge", str(tmp_path / "shards"))
    assert second.returncode == 0 and "merged 0 shards (1 merged before)" in second.stderr, second.stderr
    after = sqlite3.connect(tmp_path / "main.db").execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM fetches), (SELECT count(*) FROM runs), "
        "(SELECT count(*) FROM revisions)").fetchone()
    assert before == after == (3, 3, 1, 3)
    assert not shard.exists(), "a merged shard is removed without --keep"
    # delivered once more after the merge (a broker's re-delivery, a replay): nothing crawled
    # (a crawl now, its site gone, would leave a shard of failed runs)
    send(app, task)
    _wait_until(lambda: _succeeded(tmp_path, task.key) == 3, "the third delivery ran")
    assert not shard.exists() and not list((tmp_path / "shards").glob("*.part"))
    _checks_pass(tmp_path / "main.db")


def test_a_broker_restarted_during_a_run_loses_nothing(tmp_path: Path, cluster):
    redis, workers = cluster
    with FixtureSite("127.0.0.62") as site:
        _slow_source(tmp_path, site, list(range(1, 6)))
        workers.start(1)
        crawl = _crawl_until_fetched(tmp_path, redis, site, 1)
        redis.stop()
        time.sleep(1)
        redis.start()
        out, err = crawl.communicate(timeout=180)
        assert crawl.returncode == 0, err[-2000:]
    with Archive(tmp_path / "main.db") as archive:
        assert archive.count() == 5
        assert [r["status"] for r in archive.runs("slow")] == ["ok"]
    _checks_pass(tmp_path / "main.db")


def test_broker_without_shards_is_a_usage_error(tmp_path: Path):
    (tmp_path / "sources.toml").write_text('[sources.one]\nfeeds = ["http://127.0.0.1:9/feed.xml"]\n')
    done = _newsdesk(tmp_path, tmp_path / "main.db", "crawl", "--all", "--broker", "redis://127.0.0.1:9/0")
    assert done.returncode == 2 and "--broker and --shards go together" in done.stderr
    closed = f"redis://127.0.0.1:{_free_port()}/0"
    done = _newsdesk(tmp_path, tmp_path / "main.db", "crawl", "--all", "--broker", closed, "--shards", str(tmp_path))
    assert done.returncode == 1 and done.stderr.startswith(f"error: broker {closed} unreachable (")
    assert "Traceback" not in done.stderr


def test_a_batch_no_worker_took_in_time_is_recorded_failed_and_merged_when_it_comes(tmp_path: Path, cluster):
    from ingest.distributed.workers import wait_and_merge

    redis, workers = cluster
    with FixtureSite("127.0.0.63") as site:
        site.add("/feed.xml", rss(site.base, [1, 2]), "application/rss+xml")
        site.add_articles([1, 2])
        (tmp_path / "sources.toml").write_text(f'[sources.one]\nfeeds = ["{site.base}/feed.xml"]\ndelay = 0\n')
        sources = load_sources(tmp_path / "sources.toml")
        with Archive(tmp_path / "main.db") as archive:
            task = make_task(archive, tmp_path / "sources.toml", [sources["one"]], slot=slot_now(), timeout_s=60)
        send(make_app(redis.url), task)
        (run,) = wait_and_merge(str(tmp_path / "main.db"), str(tmp_path / "shards"), task, deadline_s=1)
        assert run["status"] == "failed" and "no worker finished the batch within 1s" in run["last_error"]

        workers.start(1)  # a worker comes back: the queued batch is crawled
        shard = tmp_path / "shards" / f"{task.key}.shard.db"
        _wait_until(shard.exists, "the queued batch crawled")
    merged = _newsdesk(tmp_path, tmp_path / "main.db", "merge", str(tmp_path / "shards"))
    assert "merged 1 shards" in merged.stderr, merged.stderr
    with Archive(tmp_path / "main.db") as archive:
        assert archive.count() == 2
        assert [r["status"] for r in archive.runs("one")] == ["ok", "failed"]  # newest first
