"""Revisions: every text an article has had, the current one included.

The current text lives only in `articles`; its revision row holds NULL, and takes its own
copy of the text only once a newer revision supersedes it. Storing every current text twice
cost a third of the archive (bench.archive: 3.6 of 9.9 KiB per article) and as much again in
writes. The `article_revisions` view, and Archive.revisions, show every revision's text.
"""
from __future__ import annotations

import sqlite3

VIEW = "article_revisions"


def create_view(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"CREATE VIEW {VIEW} AS SELECT r.article_id, r.revision, r.title, coalesce(r.text, a.text) AS text, "
        "r.content_hash, r.fetched_url, r.seen_at FROM revisions r JOIN articles a ON a.id = r.article_id"
    )


def add_revision(conn: sqlite3.Connection, article_id: int, revision: int, title: str | None,
                 content_hash: str, fetched_url: str | None, now: str) -> None:
    """Inside a write transaction, before the article row takes its new text: the revision
    it had keeps that text, and revision `revision` is added (its text is the article's)."""
    conn.execute("UPDATE revisions SET text = (SELECT text FROM articles WHERE id = ?) "
                 "WHERE article_id = ? AND text IS NULL", (article_id, article_id))
    conn.execute(
        "INSERT INTO revisions (article_id, revision, title, text, content_hash, fetched_url, seen_at) "
        "VALUES (?, ?, ?, NULL, ?, ?, ?)",
        (article_id, revision, title, content_hash, fetched_url, now),
    )


def drop_current_copies(conn: sqlite3.Connection) -> None:
    """Migration: archives made before this kept the current text in its revision row too."""
    conn.execute("UPDATE revisions SET text = NULL WHERE revision = "
                 "(SELECT a.revision FROM articles a WHERE a.id = revisions.article_id)")
