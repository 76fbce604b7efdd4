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

`assign_clusters` runs inside the caller's write transaction, for a whole batch of saved
articles; the signatures it needs are computed beforehand, outside the transaction
(ingest.clusters.signature is pure), or by storage.signer's helper process meanwhile.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Callable, ContextManager

import sqlite_utils

from ingest.clusters import BANDS, Signature, band_keys_many, signature

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
    """Migration 5: band rows are deleted by primary key (see _forget), so the
    per-article index on lsh_bands only slowed every insert."""
    db.execute("DROP INDEX IF EXISTS lsh_bands_article")


def backfill(conn: sqlite3.Connection) -> int:
    """Sign and cluster every article that has no signature yet (archives made before v3)."""
    conn.execute("UPDATE articles SET cluster_id = id WHERE cluster_id IS NULL")
    rows = conn.execute("SELECT id, text, content_hash, cluster_id FROM articles WHERE id NOT IN "
                        "(SELECT article_id FROM minhash) ORDER BY id").fetchall()
    for start in range(0, len(rows), 500):
        assign_clusters(conn, [Member(article_id, signature(text), content_hash, cluster)
                               for article_id, text, content_hash, cluster in rows[start:start + 500]])
    return len(rows)


@dataclass(frozen=True)
class Member:
    """An article to cluster, its row already written: its new signature and its cluster so far
    (its own id if it is new)."""

    article_id: int
    sig: Signature | None
    content_hash: str | None
    cluster_id: int


def assign_clusters(conn: sqlite3.Connection, members: list[Member]) -> dict[int, int]:
    """Store the members' signatures and band keys, find their copies, merge clusters.

    Call inside a write transaction, after the members' rows are written. Two articles are
    copies when they have the same content hash, or share a band key and their signatures
    say `same_story`; a cluster is every article connected by copies, and its id is its
    smallest article id (an article that bridges two clusters merges them). A whole batch
    is looked up at once: its keys are written first, so one query finds its copies among
    stored articles and within the batch alike. Returns each member's cluster_id.
    """
    if not members:
        return {}
    _forget(conn, [m.article_id for m in members])
    signed = [m for m in members if m.sig is not None]
    conn.executemany("INSERT INTO minhash (article_id, size, signature) VALUES (?, ?, ?)",
                     [(m.article_id, m.sig.size, m.sig.to_blob()) for m in signed])
    keys = dict(zip([m.article_id for m in signed], band_keys_many([m.sig for m in signed])))
    # in key order: neighbouring rows go to the same B-tree pages
    conn.executemany("INSERT INTO lsh_recent (band, key, article_id) VALUES (?, ?, ?)",
                     sorted((band, key, article_id) for article_id, pairs in keys.items() for band, key in pairs))

    clusters = _UnionFind()
    hashes = sorted({m.content_hash for m in members if m.content_hash})
    first_of: dict[str, int] = {}
    for content_hash, cluster in conn.execute(
            "SELECT content_hash, coalesce(cluster_id, id) FROM articles WHERE content_hash IN "
            "(SELECT value FROM json_each(?))", (json.dumps(hashes),)):
        clusters.union(first_of.setdefault(content_hash, cluster), cluster)

    sharing = _sharing_keys(conn, keys)
    stored = _stored(conn, {a for ids in sharing.values() for a in ids} - keys.keys())
    mine = {m.article_id: (m.cluster_id, m.sig) for m in signed}
    for m in signed:
        for other in sharing[m.article_id]:
            known = mine.get(other) or stored.get(other)
            if known is None:  # band keys without a signature: never written so, but harmless
                continue
            cluster, sig = known
            # one verified member is enough to join a cluster
            if clusters.find(cluster) != clusters.find(m.cluster_id) and m.sig.same_story(sig):
                clusters.union(cluster, m.cluster_id)

    for root, merged in clusters.groups().items():
        conn.execute("UPDATE articles SET cluster_id = ? WHERE cluster_id IN (SELECT value FROM json_each(?))",
                     (root, json.dumps(merged)))
    return {m.article_id: clusters.find(m.cluster_id) for m in members}


def cluster_of(conn: sqlite3.Connection, article_id: int) -> int:
    """A stored article's cluster so far (the Member.cluster_id of an article being re-signed)."""
    return conn.execute("SELECT coalesce(cluster_id, id) FROM articles WHERE id = ?", (article_id,)).fetchone()[0]


def _forget(conn: sqlite3.Connection, article_ids: list[int]) -> None:
    """Drop the stored signature and band keys of articles signed before (their text changed).

    Their band rows are found from the old signature, by primary key: an index on
    lsh_bands.article_id would cost 42 more index entries per saved article."""
    old = conn.execute("SELECT article_id, size, signature FROM minhash WHERE article_id IN "
                       "(SELECT value FROM json_each(?))", (json.dumps(article_ids),)).fetchall()
    if not old:
        return
    rows = [(band, key, article_id) for article_id, size, blob in old
            for band, key in Signature.from_blob(blob, size).band_keys()]
    for table in BAND_TABLES:
        conn.executemany(f"DELETE FROM {table} WHERE band = ? AND key = ? AND article_id = ?", rows)
    conn.executemany("DELETE FROM minhash WHERE article_id = ?", [(a,) for a, _, _ in old])


def _sharing_keys(conn: sqlite3.Connection, keys: dict[int, list[tuple[int, int]]]) -> dict[int, set[int]]:
    """For each article, the other articles that share a band key with it (in either table)."""
    # (band, key) packed in one integer, so a single JSON array carries a batch's 21,000 keys
    packed = sorted({band << 32 | (key + (1 << 31)) for pairs in keys.values() for band, key in pairs})
    shared = {(band, key): [int(i) for i in ids.split(",")] for band, key, ids in conn.execute(
        _LOOKUP, (json.dumps(packed),))}
    sharing = {}
    for article_id, pairs in keys.items():
        found = set()
        for pair in pairs:
            if pair in shared:
                found.update(shared[pair])
        found.discard(article_id)
        sharing[article_id] = found
    return sharing


# The holders of each key, only for keys with two or more (the batch's own keys are written
# before the lookup, so each has at least itself): a batch's 21,000 keys return a few rows.
_LOOKUP = ("WITH k(band, key) AS (SELECT value >> 32, (value & 4294967295) - 2147483648 FROM json_each(?)) "
           "SELECT band, key, ids FROM (SELECT k.band, k.key, (SELECT group_concat(article_id) FROM ("
           + " UNION ALL ".join(f"SELECT t.article_id FROM {table} t WHERE t.band = k.band AND t.key = k.key"
                                for table in BAND_TABLES)
           + ")) AS ids FROM k) WHERE instr(ids, ',')")


def _stored(conn: sqlite3.Connection, article_ids: set[int]) -> dict[int, tuple[int, Signature]]:
    """Stored articles' cluster ids and signatures."""
    if not article_ids:
        return {}
    return {article_id: (cluster, Signature.from_blob(blob, size)) for article_id, cluster, size, blob in conn.execute(
        "SELECT m.article_id, coalesce(a.cluster_id, a.id), m.size, m.signature FROM minhash m "
        "JOIN articles a ON a.id = m.article_id WHERE m.article_id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(article_ids)),))}


class _UnionFind:
    """Cluster ids joined into groups; a group's id is its smallest."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, c: int) -> int:
        root = c
        while (up := self.parent.get(root, root)) != root:
            root = up
        while c != root:  # path compression
            self.parent[c], c = root, self.parent[c]
        return root

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def groups(self) -> dict[int, list[int]]:
        """Each merged group's id and the other ids that now join it."""
        out: dict[int, list[int]] = {}
        for c in list(self.parent):
            root = self.find(c)
            if c != root:
                out.setdefault(root, []).append(c)
        return out


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
