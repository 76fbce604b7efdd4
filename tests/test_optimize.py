"""Merging the full-text index: `newsdesk optimize`, and the scheduler's nightly job."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.newsgen import NewsGenerator
from ingest.run.scheduler import Scheduler
from storage import Archive

ROOT = Path(__file__).resolve().parents[1]


def crawled_archive(path: Path) -> list[int]:
    """An archive saved as a crawl saves it: many small transactions, a segment each."""
    gen = NewsGenerator(seed=12)
    with Archive(path) as archive:
        ids = [archive.save(gen.article(paragraphs=(2, 4))).article_id for _ in range(12)]
        assert archive.fts_segments() > 1
    return ids


def test_newsdesk_optimize_merges_the_index_into_one_segment(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    ids = crawled_archive(db)
    with Archive(db) as archive:
        before = [h["id"] for h in archive.search("the", limit=50, window=None)]
    done = subprocess.run([sys.executable, "-m", "ingest", "--db", str(db), "optimize"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "merged into 1 in" in done.stdout
    with Archive(db) as archive:
        assert archive.fts_segments() == 1
        assert sorted(h["id"] for h in archive.search("the", limit=50, window=None)) == sorted(before)
        assert len(before) > len(ids) // 2
        # FTS5's own check of the merged index against the articles: raises if they disagree
        archive.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_scheduler_nightly_job_merges_the_index(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    crawled_archive(db)
    sources = tmp_path / "sources.toml"
    sources.write_text('[sources.herald]\nfeeds = ["http://127.0.0.1:9/feed.xml"]\nschedule = "every 1h"\n')
    Scheduler(str(db), str(sources)).optimize_index()
    with Archive(db) as archive:
        assert archive.fts_segments() == 1
