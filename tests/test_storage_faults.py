"""The archive under a full disk and concurrent writers: clear errors, nothing lost, no corruption."""
from __future__ import annotations

import hashlib
import multiprocessing
import random

import pytest

from ingest.errors import StorageError
from ingest.models import Article
from storage import Archive


def article(n: int, words: int = 50) -> Article:
    rng = random.Random(n)
    text = "\n".join(" ".join(f"w{rng.randrange(10**6)}" for _ in range(words)) for _ in range(5))
    return Article(url=f"https://site.example/story/{n}", fetched_url=f"https://site.example/story/{n}",
                   title=f"Story {n}", text=text, content_hash=hashlib.sha256(text.encode()).hexdigest(),
                   html=f"<p>{text}</p>")


def assert_consistent(archive: Archive) -> None:
    assert archive.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # FTS5's own check that the index matches the articles table it indexes
    archive.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")


def test_disk_full_is_a_clear_error_and_loses_nothing(tmp_path):
    path = tmp_path / "small.db"
    stored = []
    with Archive(path) as archive:
        pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]
        # A size-limited database stands in for a full disk: SQLite fails the same way (SQLITE_FULL).
        archive.conn.execute(f"PRAGMA max_page_count={pages + 40}")
        with pytest.raises(StorageError, match="full"):
            for n in range(10_000):
                saved = archive.save(article(n, words=200))
                stored.append((saved.article_id, n))
        assert len(stored) > 3
    with Archive(path) as archive:
        assert archive.count() == len(stored)
        for article_id, n in stored:
            assert archive.get(article_id)["text"] == article(n, words=200).text
        assert_consistent(archive)


def _writer(path: str, start: int, count: int) -> None:
    with Archive(path) as archive:
        for n in range(start, start + count):
            archive.save(article(n))
            archive.save(article(n))  # a re-save must be "unchanged", never a second row


def test_concurrent_writers_never_lock_or_duplicate(tmp_path):
    path = str(tmp_path / "shared.db")
    Archive(path).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(path, i * 40, 60)) for i in range(4)]  # overlapping ranges
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    with Archive(path) as archive:
        assert archive.count() == 40 * 3 + 60
        assert archive.conn.execute("SELECT count(DISTINCT url) FROM articles").fetchone()[0] == archive.count()
        assert_consistent(archive)
