"""The archive on a real SQLite file: outcomes, revisions, FTS sync, migrations, runs."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest
import sqlite_utils

from ingest.errors import StorageError
from ingest.models import Article, Rejected
from storage import Archive
from storage.archive import QueryError
from storage.schema import SCHEMA_VERSION


def make_article(url: str = "https://news.example/a/1", text: str = "First paragraph.\nSecond one.",
                 fetched_url: str | None = None, title: str = "A title") -> Article:
    return Article(url=url, fetched_url=fetched_url or url, title=title, text=text,
                   content_hash=hashlib.sha256(text.encode()).hexdigest(), html=f"<p>{text}</p>",
                   published_at="2021-01-05T10:00:00+05:30", language="en", tags=["x", "y"])


def test_outcomes_and_revisions(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        first = archive.save(make_article())
        assert (first.outcome, first.revision) == ("new", 1)
        assert archive.save(make_article()).outcome == "unchanged"
        assert archive.save(make_article(fetched_url="https://news.example/a/1?utm_source=x")).outcome == "duplicate"
        changed = archive.save(make_article(text="First paragraph.\nA corrected second one."))
        assert (changed.outcome, changed.revision, changed.article_id) == ("updated", 2, first.article_id)

    db = sqlite_utils.Database(path)
    assert db["articles"].count == 1
    revisions = list(db.query("SELECT revision, text FROM article_revisions ORDER BY revision"))
    assert [r["revision"] for r in revisions] == [1, 2]
    assert revisions[0]["text"] == "First paragraph.\nSecond one."
    row = next(db.query("SELECT * FROM articles"))
    assert row["revision"] == 2 and row["text"].endswith("corrected second one.")
    assert row["published_at"] == "2021-01-05T10:00:00+05:30"
    # the current text is stored once, in articles; the superseded one keeps its own copy
    assert [r["text"] for r in db.query("SELECT text FROM revisions ORDER BY revision")] == [revisions[0]["text"], None]
    assert revisions[1]["text"] == row["text"]


def test_migrations_6_and_7_on_an_archive_made_before_them(tmp_path):
    """An archive at schema 5 (current texts stored twice, band keys in lsh_bands only) opens
    with both migrations applied and its data intact."""
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        first = archive.save(make_article())
        archive.save(make_article(text="First paragraph.\nA corrected second one."))
        other = archive.save(make_article(url="https://news.example/a/2", text="Another story entirely."))
        with archive.write() as conn:  # back to schema 5's shape
            conn.execute("UPDATE revisions SET text = (SELECT text FROM articles WHERE id = article_id) "
                         "WHERE text IS NULL")
            conn.execute("INSERT INTO lsh_bands SELECT * FROM lsh_recent")
            conn.execute("DROP TABLE lsh_recent")
            conn.execute("DROP TABLE lsh_state")
            conn.execute("DROP VIEW article_revisions")
            conn.execute("PRAGMA user_version=5")
    with Archive(path) as archive:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        texts = archive.conn.execute("SELECT article_id, revision, text FROM revisions ORDER BY 1, 2").fetchall()
        assert texts == [(first.article_id, 1, "First paragraph.\nSecond one."), (first.article_id, 2, None),
                         (other.article_id, 1, None)]
        assert [r["text"] for r in archive.revisions(first.article_id)][1].endswith("corrected second one.")
        assert archive.conn.execute("SELECT merged_through FROM lsh_state").fetchone()[0] == other.article_id
        copy = archive.save(make_article(url="https://copy.example/x", text="Another story entirely."))
        assert archive.get(copy.article_id)["cluster_id"] == other.article_id


def test_fts_follows_updates(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.save(make_article(text="The council met about buses."))
        assert [h["url"] for h in archive.search("buses")] == ["https://news.example/a/1"]
        archive.save(make_article(text="The council met about trams."))
        assert archive.search("buses") == []
        assert archive.search("trams")[0]["snippet"].count("[trams]") == 1
        assert sqlite_utils.Database(archive.conn)["articles"].detect_fts() == "articles_fts"


def test_raw_html_is_kept_compressed(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        saved = archive.save(make_article(text="Kept for later."))
        assert archive.raw_html(saved.article_id) == "<p>Kept for later.</p>"


def test_rejections_and_errors_are_logged_not_stored(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.save(make_article())
        assert archive.save(Rejected("https://news.example/", "a listing page")).outcome == "rejected"
        assert archive.record_error("https://news.example/x", "HTTP 404", status=404).outcome == "error"
        assert archive.count() == 1
        assert archive.seen_urls(["https://news.example/", "https://news.example/x",
                                  "https://news.example/a/1"]) == {"https://news.example/", "https://news.example/a/1"}
        reasons = {r[0]: r[1] for r in archive.conn.execute("SELECT url, reason FROM fetches")}
        assert reasons["https://news.example/x"] == "HTTP 404"


def test_bad_search_query_is_a_clear_error(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        with pytest.raises(QueryError, match="cannot parse search query"):
            archive.search('"unbalanced')


def test_schema_version_and_newer_archive_refused(tmp_path):
    path = tmp_path / "a.db"
    Archive(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this newsdesk"):
        Archive(path)


def test_not_a_database_is_a_storage_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StorageError):
        Archive(path)


def test_runs_are_recorded(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        run_id = archive.start_run("herald", pid=123)
        archive.finish_run(run_id, "ok", {"pages": 3, "new": 2, "errors": 1, "bogus": 9}, last_error="x: HTTP 500")
        (run,) = archive.runs("herald")
        assert (run["status"], run["pages"], run["new"], run["errors"], run["last_error"]) == ("ok", 3, 2, 1, "x: HTTP 500")
        assert run["ended_at"] is not None
