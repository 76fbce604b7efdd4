"""Crash safety: crawls and one-off ingests killed with SIGKILL at random moments, and a disk
that fills up mid-crawl, never lose or duplicate an article, nor corrupt the archive.

Each kill takes down the whole process tree of `newsdesk` (the CLI, its Scrapy child and the
extraction workers), as a power cut would. A kill of the CLI's process group alone would miss the
Scrapy child: crawl_source starts it in a session of its own, so it would finish the crawl unharmed. The moments are drawn from a
seeded RNG, so a failure can be replayed with the same seed (printed in the assertion).
"""
from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from faultkit import ROOT, assert_archive_sound, newsdesk, rows, snapshot
from ingest.demo_sites import DemoServer, sources_toml
from storage import Archive

SEED = int(os.environ.get("NEWSDESK_CRASH_SEED", "20261128"))
KILLS = 20
EXTRA_PER_SITE = 8  # more articles, so each crawl has enough work for kills to land mid-write


def start(db: Path, sources: Path | None, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "ingest", "--db", str(db)]
    if sources is not None:
        cmd += ["--sources", str(sources)]
    # A session of its own: the kill reaches the Scrapy child and the extraction workers too.
    return subprocess.Popen([*cmd, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, start_new_session=True)


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:  # the task ended meanwhile
            pass
    return found


def kill_tree(root: int) -> None:
    """SIGKILL a process and all its descendants at once: each is stopped first (a stopped
    process cannot fork), until no new descendant turns up, then all are killed."""
    stopped: set[int] = set()
    frontier = {root}
    while frontier:
        for pid in frontier:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        stopped |= frontier
        frontier = set().union(*(children(pid) for pid in frontier)) - stopped
    for pid in stopped:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def kill_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the process tree after `delay` seconds; False when it had finished by then."""
    try:
        proc.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        pass
    kill_tree(proc.pid)
    proc.communicate()
    return True


def count(db: Path, table: str) -> int:
    return rows(db, f"SELECT count(*) AS n FROM {table}")[0]["n"] if db.exists() else 0


def kill_after_stores(proc: subprocess.Popen, db: Path, fetches: int, extra_s: float) -> bool:
    """SIGKILL the process group once the fetches table holds `fetches` rows (plus extra_s)."""
    while proc.poll() is None:
        try:
            if count(db, "fetches") >= fetches:
                return kill_after(proc, extra_s)
        except sqlite3.OperationalError:  # the file is being created or migrated
            pass
        time.sleep(0.01)
    proc.communicate()
    return False


def quick_check(db: Path) -> str:
    if not db.exists():
        return "ok"
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie still answers kill(0); its /proc status says so
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def assert_every_article_once(db: Path, demo: DemoServer, expected: list[dict[str, Any]]) -> dict[str, int]:
    """Each expected article stored exactly once, whole (revision 1, raw page, one 'new' fetch),
    and findable by a word of its own text."""
    stored = {r["url"]: r for r in rows(db, "SELECT id, url, text, revision, title FROM articles")}
    missing = [r["url"] for r in expected if r["url"] not in stored]
    assert not missing, f"seed {SEED}: {len(missing)} articles missing, e.g. {missing[:3]}"
    # Nothing else is stored: no second copy of an article, and none of the demo's non-articles
    # (listings, wpdaily's /about/ page).
    extra = set(stored) - {r["url"] for r in expected}
    assert not extra, f"unexpected rows: {sorted(extra)[:5]}"
    news = rows(db, "SELECT url, count(*) AS n FROM fetches WHERE outcome = 'new' GROUP BY url HAVING n > 1")
    assert news == [], f"seed {SEED}: stored as new more than once: {news[:5]}"
    assert rows(db, "SELECT id FROM articles WHERE revision != 1") == [], "a re-run changed an article"
    assert rows(db, "SELECT a.id FROM articles a LEFT JOIN raw_pages r ON r.article_id = a.id "
                    "WHERE r.article_id IS NULL") == []
    assert rows(db, "SELECT a.id FROM articles a LEFT JOIN revisions v ON v.article_id = a.id "
                    "WHERE v.article_id IS NULL") == []
    with Archive(db) as archive:
        for record in expected:
            row = stored[record["url"]]
            word = max(re.findall(r"\w{6,}", row["text"]), key=len)
            hits = archive.search(f'"{word}"', limit=200)
            assert row["id"] in {h["id"] for h in hits}, f"search for {word!r} misses {record['url']}"
    return {"articles": len(stored), "extra": len(extra)}


@pytest.fixture(scope="module")
def killed_crawls(tmp_path_factory):
    """KILLS crawls of the three demo sites, each SIGKILLed at a random moment, then one complete run.
    One in four kills a batch crawling all three sources in one process.

    The sources set `recheck = true`: every run fetches and stores every article again (as
    'unchanged'), so each run writes from its first second to its last and a kill at any moment
    lands mid-write. (Without it, the later runs would have little left to do.)
    """
    tmp = tmp_path_factory.mktemp("kills")
    rng = random.Random(SEED)
    with DemoServer() as demo:
        for site in demo.bases:
            for _ in range(EXTRA_PER_SITE):
                demo.add_article(site)
        expected = demo.expected()
        sources = tmp / "sources.toml"
        sources.write_text(re.sub(r"(max_pages = \d+)", r"\1\nrecheck = true", sources_toml(demo.bases, delay=0.0)),
                           encoding="utf-8")
        db = tmp / "archive.db"

        started = time.monotonic()
        keys = list(demo.bases)
        kills, finished_early, progress, checks = 0, 0, [], []
        while kills < KILLS and finished_early <= 5:  # more early finishes: nothing left to interrupt
            before = count(db, "fetches")
            attempt = kills + finished_early
            # every fourth attempt kills a batch of all three sources (one process crawling them)
            target = ["--all"] if attempt % 4 == 3 else [keys[attempt % len(keys)]]
            key = " ".join(target)
            proc = start(db, sources, "crawl", "--quiet", *target)
            # A few kills during start-up (archive creation, migration, run record); the rest after
            # a random number of stored pages, so they land anywhere in the write phase whatever
            # the machine's speed.
            if rng.random() < 0.15:
                killed = kill_after(proc, rng.uniform(0.05, 1.5))
            else:
                killed = kill_after_stores(proc, db, before + rng.randint(1, 30), rng.uniform(0, 0.2))
            kills += killed
            finished_early += not killed
            checks.append((key, quick_check(db)))
            progress.append(count(db, "fetches") - before)  # pages stored (new or unchanged) before the kill
        killed_s = time.monotonic() - started
        final = newsdesk(db, sources, "crawl", "--all", "--quiet")
        stats = {"seed": SEED, "kills": kills, "finished_before_kill": finished_early, "kill_s": round(killed_s, 1),
                 "gained_per_attempt": progress, "expected": len(expected)}
        yield {"db": db, "demo": demo, "expected": expected, "final": final, "checks": checks, "stats": stats}
        stored = rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
        print(f"\ncrash test: {stats}, stored after the final run: {stored}")


def test_kills_land_mid_crawl(killed_crawls) -> None:
    stats = killed_crawls["stats"]
    assert stats["kills"] >= KILLS, stats
    assert sum(1 for p in stats["gained_per_attempt"] if p > 0) >= KILLS // 2, f"kills rarely landed mid-crawl: {stats}"


def test_no_corruption_after_any_kill(killed_crawls) -> None:
    assert [c for c in killed_crawls["checks"] if c[1] != "ok"] == [], f"seed {SEED}"
    assert_archive_sound(killed_crawls["db"])  # integrity_check, FTS integrity-check, one row per URL


def test_no_duplicates_after_kills(killed_crawls) -> None:
    db = killed_crawls["db"]
    news = rows(db, "SELECT url, count(*) AS n FROM fetches WHERE outcome = 'new' GROUP BY url HAVING n > 1")
    assert news == [], f"seed {SEED}: stored as new more than once: {news[:5]}"
    assert rows(db, "SELECT id FROM articles WHERE revision != 1") == [], "a re-run changed an article"
    assert rows(db, "SELECT a.id FROM articles a LEFT JOIN raw_pages r ON r.article_id = a.id "
                    "WHERE r.article_id IS NULL") == [], "an article without its raw page"


def test_final_run_after_kills_is_clean(killed_crawls) -> None:
    final = killed_crawls["final"]
    assert final.returncode == 0, final.stdout + final.stderr[-2000:]
    assert "Traceback" not in final.stderr
    runs = rows(killed_crawls["db"], "SELECT id, source, status, pid FROM runs ORDER BY id")
    assert all(r["status"] == "ok" for r in runs[-3:]), runs[-3:]
    # A run cut down by SIGKILL cannot close itself: the next crawl of its source finds its pid
    # gone and closes it as interrupted (the final run crawled every source).
    running = [r for r in runs if r["status"] == "running"]
    assert running == [], running
    interrupted = [r for r in runs if r["status"] == "interrupted"]
    assert len(interrupted) >= KILLS // 2 and not [r for r in interrupted if pid_alive(r["pid"])], runs
    statuses = [r["status"] for r in runs]
    print(f"\nruns: {len(runs)}, by status: { {s: statuses.count(s) for s in set(statuses)} }")


def test_every_article_stored_once_after_kills(killed_crawls) -> None:
    assert_every_article_once(killed_crawls["db"], killed_crawls["demo"], killed_crawls["expected"])


def test_kill_after_discovery_loses_nothing(tmp_path: Path) -> None:
    """The default sources (no recheck): one kill once the crawl has stored a few articles, then a
    complete run must store the rest."""
    with DemoServer() as demo:
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(demo.bases, delay=0.0), encoding="utf-8")
        db = tmp_path / "archive.db"
        proc = start(db, sources, "crawl", "--quiet", "herald")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if count(db, "articles") >= 3:
                    break
            except sqlite3.OperationalError:  # the file is being created or migrated
                pass
            time.sleep(0.02)
        assert kill_after(proc, 0), "the crawl finished before it could be killed"
        final = newsdesk(db, sources, "crawl", "--quiet", "herald")
        assert final.returncode == 0, final.stderr
        assert_every_article_once(db, demo, demo.expected("herald"))


def test_ingest_of_many_urls_survives_sigkill(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    with DemoServer() as demo:
        expected = demo.expected("herald") + demo.expected("wirenews")
        urls = [r["url"] for r in expected]
        db = tmp_path / "archive.db"
        env = {"NEWSDESK_DELAY": "0"}
        kills = 0
        for _ in range(6):
            if kill_after(start(db, None, "ingest", *urls, env=env), rng.uniform(0.5, 4.0)):
                kills += 1
            assert quick_check(db) == "ok"
        proc = newsdesk(db, None, "ingest", *urls, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
        lines = proc.stdout.strip().splitlines()
        assert len(lines) == len(urls)
        assert all(re.search(r"\t(new|unchanged|duplicate)$", line) for line in lines), proc.stdout
        assert_every_article_once(db, demo, expected)
        assert_archive_sound(db)
        assert kills >= 1


@pytest.fixture(scope="module")
def disk_full(tmp_path_factory):
    """Crawl herald, then crawl wpdaily into an archive capped a few pages above its size, then
    crawl wpdaily again without the cap."""
    tmp = tmp_path_factory.mktemp("diskfull")
    with DemoServer() as demo:
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(demo.bases, delay=0.0), encoding="utf-8")
        db = tmp / "archive.db"
        first = newsdesk(db, sources, "crawl", "--quiet", "herald")
        assert first.returncode == 0, first.stderr
        herald_ids = [r["id"] for r in rows(db, "SELECT id FROM articles")]
        before = snapshot(db, herald_ids)
        with Archive(db) as archive:
            pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]
        # Room for a few more pages only: the wpdaily crawl runs out of space part-way.
        full = newsdesk(db, sources, "crawl", "--quiet", "wpdaily", env={"NEWSDESK_MAX_DB_PAGES": str(pages + 12)})
        state = {"full": full, "check": quick_check(db), "sound": None,
                 "intact": snapshot(db, herald_ids) == before,
                 "stored_when_full": rows(db, "SELECT count(*) AS n FROM articles WHERE source = 'wpdaily'")[0]["n"]}
        try:
            assert_archive_sound(db)
            state["sound"] = "ok"
        except AssertionError as exc:
            state["sound"] = str(exc)
        again = newsdesk(db, sources, "crawl", "--quiet", "wpdaily")
        yield {"db": db, "demo": demo, "again": again, **state}


def test_disk_full_corrupts_nothing_and_keeps_earlier_articles(disk_full) -> None:
    full = disk_full["full"]
    assert "Traceback" not in full.stderr + full.stdout, full.stderr[-3000:]
    assert disk_full["check"] == "ok" and disk_full["sound"] == "ok", disk_full["sound"]
    assert disk_full["intact"], "articles stored before the disk filled up changed"
    assert disk_full["stored_when_full"] < len(disk_full["demo"].expected("wpdaily"))


def test_disk_full_is_a_clear_error(disk_full) -> None:
    full = disk_full["full"]
    assert full.returncode != 0, full.stdout + full.stderr
    assert re.search(r"full", full.stdout + full.stderr, re.I), full.stdout + full.stderr


def test_after_disk_full_the_next_run_completes(disk_full) -> None:
    again = disk_full["again"]
    assert again.returncode == 0, again.stdout + again.stderr[-2000:]
    demo = disk_full["demo"]
    assert_every_article_once(disk_full["db"], demo, demo.expected("herald") + demo.expected("wpdaily"))
    assert_archive_sound(disk_full["db"])
