"""Syndication clusters in the archive: stored signatures, the LSH band index, cluster ids.

Every article gets a `cluster_id` when it is saved: the smallest id among the articles
that carry the same story (or its own id when it is the first). The signatures and band
keys live in the archive (`minhash`, `lsh_bands`), so clustering is incremental across
processes and runs: a new article is compared only with the few articles that share a
band key with it, found through an index, never by loading an in-memory index.

`assign_cluster` runs inside the caller's write transaction; the signature it needs is
computed beforehand, outside the transaction (ingest.clusters.signature is pure).
"""
from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from ingest.clusters import Signature, signature


def create_tables(db: sqlite_utils.Database) -> None:
    """The migration's DDL: signatures, band keys, and FTS triggers that ignore metadata."""
    db.execute("CREATE TABLE minhash (article_id INTEGER PRIMARY KEY REFERENCES articles(id), "
               "size INTEGER NOT NULL, signature BLOB NOT NULL)")
    # WITHOUT ROWID: the primary key is the index the lookups use, stored once.
    db.execute("CREATE TABLE lsh_bands (band INTEGER NOT NULL, key INTEGER NOT NULL, "
               "article_id INTEGER NOT NULL, PRIMARY KEY (band, key, article_id)) WITHOUT ROWID")
    db.execute("CREATE INDEX lsh_bands_article ON lsh_bands (article_id)")
    # sqlite-utils' update trigger re-indexes the text on every UPDATE of a row, so setting
    # a cluster_id or last_seen rewrote the article's full-text entry; fire it only when
    # the indexed columns change. Same trigger name, so sqlite-utils still manages it.
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        "CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES('delete', old.rowid, old.title, old.text); "
        "INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text); END"
    )
    backfill(db.conn)


def drop_article_index(db: sqlite_utils.Database) -> None:
    """Migration 4: band rows are deleted by primary key (see assign_cluster), so the
    per-article index on lsh_bands only slowed every insert."""
    db.execute("DROP INDEX IF EXISTS lsh_bands_article")


def backfill(conn: sqlite3.Connection) -> int:
    """Sign and cluster every article that has no signature yet (archives made before v2)."""
    rows = conn.execute("SELECT id, text, content_hash FROM articles WHERE id NOT IN "
                        "(SELECT article_id FROM minhash) ORDER BY id").fetchall()
    for article_id, text, content_hash in rows:
        assign_cluster(conn, article_id, signature(text), content_hash)
    return len(rows)


def assign_cluster(conn: sqlite3.Connection, article_id: int, sig: Signature | None,
                   content_hash: str | None) -> int:
    """Store the article's signature, find its copies, set and return its cluster_id.

    Call inside a write transaction, after the article row is written. An article that
    joins two clusters (the bridge between two copies) merges them into the smaller id.
    """
    # A re-signed article's old band rows are found from its old signature, by primary key:
    # an index on lsh_bands.article_id would cost 42 more index entries per saved article.
    old = conn.execute("SELECT size, signature FROM minhash WHERE article_id = ?", (article_id,)).fetchone()
    if old is not None:
        conn.executemany("DELETE FROM lsh_bands WHERE band = ? AND key = ? AND article_id = ?",
                         [(band, key, article_id) for band, key in Signature.from_blob(old[1], old[0]).band_keys()])
        conn.execute("DELETE FROM minhash WHERE article_id = ?", (article_id,))
    own = conn.execute("SELECT cluster_id FROM articles WHERE id = ?", (article_id,)).fetchone()
    clusters: set[int] = {own[0] if own and own[0] is not None else article_id}

    # Exact copies under other URLs need no estimate.
    if content_hash:
        clusters.update(c for (c,) in conn.execute(
            "SELECT coalesce(cluster_id, id) FROM articles WHERE content_hash = ? AND id != ?",
            (content_hash, article_id)))

    if sig is not None:
        keys = sig.band_keys()
        values = ", ".join("(?, ?)" for _ in keys)
        flat = [v for pair in keys for v in pair]
        candidates = conn.execute(
            f"WITH k(band, key) AS (VALUES {values}) "
            "SELECT DISTINCT m.article_id, m.size, m.signature, coalesce(a.cluster_id, a.id) "
            "FROM k JOIN lsh_bands l ON l.band = k.band AND l.key = k.key "
            "JOIN minhash m ON m.article_id = l.article_id JOIN articles a ON a.id = l.article_id "
            "WHERE l.article_id != ?", [*flat, article_id]).fetchall()
        for _, size, blob, cluster in candidates:
            # one verified member is enough to join a cluster
            if cluster not in clusters and sig.same_story(Signature.from_blob(blob, size)):
                clusters.add(cluster)
        conn.execute("INSERT INTO minhash (article_id, size, signature) VALUES (?, ?, ?)",
                     (article_id, sig.size, sig.to_blob()))
        conn.executemany("INSERT INTO lsh_bands (band, key, article_id) VALUES (?, ?, ?)",
                         [(band, key, article_id) for band, key in keys])

    cluster_id = min(clusters)
    others = sorted(clusters - {cluster_id})
    if others:
        marks = ", ".join("?" for _ in others)
        conn.execute(f"UPDATE articles SET cluster_id = ? WHERE cluster_id IN ({marks})", [cluster_id, *others])
    conn.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (cluster_id, article_id))
    return cluster_id


def copies(conn: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    """The other articles of the same story (same cluster_id), oldest first."""
    cursor = conn.execute(
        "SELECT c.id, c.url, c.source, c.site_name, c.title, c.published_at FROM articles a "
        "JOIN articles c ON c.cluster_id = a.cluster_id AND c.id != a.id WHERE a.id = ? ORDER BY c.id",
        (article_id,))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]
