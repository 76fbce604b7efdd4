"""Syndication clusters in the archive: stored signatures, the LSH band index, cluster ids.

Every article gets a `cluster_id` when it is saved: the smallest id among the articles
that carry the same story (or its own id when it is the first). The signatures and band
keys live in the archive (`minhash`, `lsh_bands` and `lsh_recent`), so clustering is
incremental across processes and runs: a new article is compared only with the few
articles that share a band key with it, found through an index, never by loading an
in-memory index.

Band keys are random, so each of an article's 42 keys lands on a different page of a large
B-tree: at 100,000 articles, a 500-article transaction rewrote two thirds of lsh_bands' pages,
70% of all it wrote. New keys therefore go into `lsh_recent`, small enough to stay cheap, and
`merge_recent` moves them into `lsh_bands` now and then, band by band in key order, so that
each of lsh_bands' pages is written once per merge rather than once per transaction (an LSM
tree of two levels). Lookups search both tables.

`assign_cluster` runs inside the caller's write transaction; the signature it needs is
computed beforehand, outside the transaction (ingest.clusters.signature is pure).
"""
from __future__ import annotations

import sqlite3
from typing import Any, Callable, ContextManager

import sqlite_utils

from ingest.clusters import BANDS, Signature, signature

BAND_TABLES = ("lsh_bands", "lsh_recent")
# Merge lsh_recent into lsh_bands once it holds keys of MERGE_MIN articles and of at least
# 1/RECENT_SHARE as many articles as lsh_bands: the bigger lsh_bands grows, the rarer its
# merges, so all merges together write about RECENT_SHARE + 1 times lsh_bands' final size
# (a geometric series): a page or two per article, where inserting in place cost 42.
MERGE_MIN = 2000
RECENT_SHARE = 8


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
    # articles stored before this migration are signed by migration 6, once lsh_recent exists


def create_recent(db: sqlite_utils.Database) -> None:
    """Migration 6: the table new band keys go to, and how far lsh_bands has taken them in;
    then every article not signed yet (stored before migration 3) is signed and clustered."""
    db.execute("CREATE TABLE lsh_recent (band INTEGER NOT NULL, key INTEGER NOT NULL, "
               "article_id INTEGER NOT NULL, PRIMARY KEY (band, key, article_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE lsh_state (id INTEGER PRIMARY KEY CHECK (id = 1), merged_through INTEGER NOT NULL)")
    db.execute("INSERT INTO lsh_state (id, merged_through) SELECT 1, coalesce(max(article_id), 0) FROM minhash")
    backfill(db.conn)


def drop_article_index(db: sqlite_utils.Database) -> None:
    """Migration 5: band rows are deleted by primary key (see assign_cluster), so the
    per-article index on lsh_bands only slowed every insert."""
    db.execute("DROP INDEX IF EXISTS lsh_bands_article")


def backfill(conn: sqlite3.Connection) -> int:
    """Sign and cluster every article that has no signature yet (archives made before v3)."""
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
        rows = [(band, key, article_id) for band, key in Signature.from_blob(old[1], old[0]).band_keys()]
        for table in BAND_TABLES:
            conn.executemany(f"DELETE FROM {table} WHERE band = ? AND key = ? AND article_id = ?", rows)
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
        found = " UNION ".join(f"SELECT t.article_id FROM k JOIN {table} t ON t.band = k.band AND t.key = k.key"
                               for table in BAND_TABLES)
        candidates = conn.execute(
            f"WITH k(band, key) AS (VALUES {values}), c(article_id) AS ({found}) "
            "SELECT m.article_id, m.size, m.signature, coalesce(a.cluster_id, a.id) "
            "FROM c JOIN minhash m ON m.article_id = c.article_id JOIN articles a ON a.id = c.article_id "
            "WHERE c.article_id != ?", [*flat, article_id]).fetchall()
        for _, size, blob, cluster in candidates:
            # one verified member is enough to join a cluster
            if cluster not in clusters and sig.same_story(Signature.from_blob(blob, size)):
                clusters.add(cluster)
        conn.execute("INSERT INTO minhash (article_id, size, signature) VALUES (?, ?, ?)",
                     (article_id, sig.size, sig.to_blob()))
        conn.executemany("INSERT INTO lsh_recent (band, key, article_id) VALUES (?, ?, ?)",
                         [(band, key, article_id) for band, key in keys])

    cluster_id = min(clusters)
    others = sorted(clusters - {cluster_id})
    if others:
        marks = ", ".join("?" for _ in others)
        conn.execute(f"UPDATE articles SET cluster_id = ? WHERE cluster_id IN ({marks})", [cluster_id, *others])
    conn.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (cluster_id, article_id))
    return cluster_id


def recent_backlog(conn: sqlite3.Connection) -> tuple[int, int]:
    """(articles signed since the last merge, articles merged), both estimated from ids."""
    newest = conn.execute("SELECT coalesce(max(article_id), 0) FROM minhash").fetchone()[0]
    merged = conn.execute("SELECT merged_through FROM lsh_state").fetchone()[0]
    return max(newest - merged, 0), merged


def merge_due(conn: sqlite3.Connection) -> bool:
    """Whether lsh_recent has grown enough to be moved into lsh_bands: by RECENT_SHARE of what
    lsh_bands holds, so each article's keys are rewritten a bounded number of times, and not
    before MERGE_MIN articles, so a small archive never bothers."""
    backlog, merged = recent_backlog(conn)
    return backlog >= max(MERGE_MIN, merged // RECENT_SHARE)


def merge_recent(write: Callable[[], ContextManager[sqlite3.Connection]]) -> None:
    """Move lsh_recent's keys into lsh_bands, one band per short write transaction (`write`
    opens one): a band's keys sit together in lsh_bands, so each step writes only that band's
    pages, and a crawl saving meanwhile waits for one step, not the whole merge. Lookups stay
    right throughout, since each key is in one table or the other."""
    with write() as conn:
        through = conn.execute("SELECT coalesce(max(article_id), 0) FROM minhash").fetchone()[0]
    for band in range(BANDS):
        with write() as conn:
            conn.execute("INSERT INTO lsh_bands (band, key, article_id) SELECT band, key, article_id "
                         "FROM lsh_recent WHERE band = ? ORDER BY key, article_id", (band,))
            conn.execute("DELETE FROM lsh_recent WHERE band = ?", (band,))
    with write() as conn:
        conn.execute("UPDATE lsh_state SET merged_through = max(merged_through, ?)", (through,))


def copies(conn: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    """The other articles of the same story (same cluster_id), oldest first."""
    cursor = conn.execute(
        "SELECT c.id, c.url, c.source, c.site_name, c.title, c.published_at FROM articles a "
        "JOIN articles c ON c.cluster_id = a.cluster_id AND c.id != a.id WHERE a.id = ? ORDER BY c.id",
        (article_id,))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]
