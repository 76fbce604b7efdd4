"""Crash safety: crawls and one-off ingests killed with SIGKILL at random moments, and a disk
that fills up mid-crawl, never lose or duplicate an article, nor corrupt the archive.

Each kill takes down the whole process group of `newsdesk` (the CLI, its Scrapy child and the
extraction workers), as a power cut or the OOM killer would. The moments are drawn from a
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


def kill_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the process group after `delay` seconds; False when it had finished by then."""
    try:
        proc.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()
    return True


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
    # Anything else stored must be a page the demo calls a non-article (an extraction matter,
    # reported separately), never a second copy of an article.
    extra = set(stored) - {r["url"] for r in expected}
    assert extra <= set(demo.non_article_urls()), f"unexpected rows: {sorted(extra)[:5]}"
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


def test_crawl_survives_repeated_sigkill(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    with DemoServer() as demo:
        for site in demo.bases:
            for _ in range(EXTRA_PER_SITE):
                demo.add_article(site)
        expected = demo.expected()
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(demo.bases, delay=0.0), encoding="utf-8")
        db = tmp_path / "archive.db"

        started = time.monotonic()
        kills, finished_early, progress = 0, 0, []
        while kills < KILLS:
            before = rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] if db.exists() else 0
            delay = rng.uniform(0.3, 4.0)
            proc = start(db, sources, "crawl", "--all", "--quiet")
            if kill_after(proc, delay):
                kills += 1
            else:
                finished_early += 1
            assert quick_check(db) == "ok", f"seed {SEED}: corrupt after a kill at {delay:.2f}s"
            after = rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] if db.exists() else 0
            progress.append(after - before)
            if finished_early > 5:
                break  # every run completes before its kill: nothing left to interrupt
        killed_s = time.monotonic() - started

        final = newsdesk(db, sources, "crawl", "--all", "--quiet")
        assert final.returncode == 0, final.stdout + final.stderr[-2000:]
        assert "Traceback" not in final.stderr
        counts = assert_every_article_once(db, demo, expected)
        assert_archive_sound(db)

    runs = rows(db, "SELECT id, source, status, pid, ended_at FROM runs ORDER BY id")
    left_running = [r for r in runs if r["status"] == "running"]
    # A run cut down by SIGKILL cannot close itself; it must at least be recognisable as dead.
    assert not [r for r in left_running if pid_alive(r["pid"])], left_running
    assert all(r["status"] == "ok" for r in runs[-3:]), runs[-3:]
    print(f"\ncrash test: seed {SEED}, {kills} kills ({finished_early} runs finished first) in {killed_s:.1f}s, "
          f"articles gained per attempt {progress}, final {counts}, runs {len(runs)}: "
          f"{sum(r['status'] == 'running' for r in runs)} left 'running' (pids dead), "
          f"statuses {sorted({r['status'] for r in runs})}")
    assert sum(1 for p in progress if p > 0) >= 3, f"kills never landed mid-crawl: {progress}"


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


def test_disk_full_during_a_crawl(tmp_path: Path) -> None:
    with DemoServer() as demo:
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(demo.bases, delay=0.0), encoding="utf-8")
        db = tmp_path / "archive.db"
        first = newsdesk(db, sources, "crawl", "--quiet", "herald")
        assert first.returncode == 0, first.stderr
        herald_ids = [r["id"] for r in rows(db, "SELECT id FROM articles")]
        before = snapshot(db, herald_ids)
        with Archive(db) as archive:
            pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]

        # Room for a few more pages only: the wpdaily crawl runs out of space part-way.
        full = newsdesk(db, sources, "crawl", "--quiet", "wpdaily", env={"NEWSDESK_MAX_DB_PAGES": str(pages + 12)})
        assert full.returncode != 0, full.stdout + full.stderr
        assert "Traceback" not in full.stderr + full.stdout, full.stderr[-3000:]
        assert re.search(r"full", full.stdout + full.stderr, re.I), full.stdout + full.stderr
        assert quick_check(db) == "ok"
        assert_archive_sound(db)
        assert snapshot(db, herald_ids) == before
        stored = rows(db, "SELECT count(*) AS n FROM articles WHERE source = 'wpdaily'")[0]["n"]
        assert stored < len(demo.expected("wpdaily"))

        # Space again: the next run completes what the full disk stopped.
        again = newsdesk(db, sources, "crawl", "--quiet", "wpdaily")
        assert again.returncode == 0, again.stdout + again.stderr[-2000:]
        assert_every_article_once(db, demo, demo.expected("herald") + demo.expected("wpdaily"))
        assert_archive_sound(db)
