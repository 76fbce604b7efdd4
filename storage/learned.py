"""The archive side of learned boilerplate: count lines per site, learn, and re-clean.

ingest.boilerplate holds the rule and the line key; this module keeps the counts in the
archive (tables `line_stats`, `site_stats`, `site_articles`, `learned_lines`, created by
migration 2) and rewrites stored articles when a line is learned. Every write is a short
`BEGIN IMMEDIATE` transaction through `Archive.write()`; re-cleaning goes in batches so a
crawl writing at the same time waits milliseconds, not the length of a site.
"""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from ingest.boilerplate import LONG_MIN_SITE, MIN_SUPPORT, is_boilerplate, line_keys, site_of, strip_learned
from ingest.clusters import Signature, signature
from storage.clock import utcnow
from storage.clusters import Member, assign_clusters, cluster_of
from storage.revisions import add_revision

if TYPE_CHECKING:
    from storage.archive import Archive

RECLEAN_BATCH = 200


def text_fingerprint(text: str) -> tuple[str, int]:
    """The content hash and word count of a text, computed as extraction computes them."""
    from ingest import extract

    hasher = getattr(extract, "content_hash", None)
    if hasher is not None:
        digest = hasher(text)
    else:
        import hashlib

        digest = hashlib.sha256(text.encode()).hexdigest()
    counter = getattr(extract, "word_count", None)
    return digest, (counter(text) if counter is not None else len(text.split()))


def learned_boilerplate(archive: "Archive", site: str) -> frozenset[str]:
    return frozenset(r[0] for r in archive.conn.execute(
        "SELECT line_key FROM learned_lines WHERE site = ?", (site,)))


def learn_lines(archive: "Archive", article_id: int, *, reclean: bool = True) -> list[str]:
    """Count the distinct lines of a stored article once for its site; return the keys this
    made boilerplate. With `reclean`, strip newly learned lines from the site's stored
    articles, and learned lines this article still holds (it may have been extracted before
    they were learned) from the article itself."""
    with archive.write() as conn:
        counted = _count(archive, conn, article_id)
    if counted is None:
        return []
    site, new, held = counted
    if reclean and new:
        reclean_site(archive, site)
    elif reclean and held:
        reclean_articles(archive, [article_id], learned_boilerplate(archive, site))
    return new


def learn_many(archive: "Archive", article_ids: list[int]) -> list[list[str]]:
    """`learn_lines` with re-cleaning for several articles: the counting in one transaction
    (a crawl's batch of pages commits once), the re-cleaning after it, once per site."""
    counted: list[tuple[int, tuple[str, list[str], set[str]] | None]] = []
    with archive.write() as conn:
        for article_id in article_ids:
            counted.append((article_id, _count(archive, conn, article_id)))
    resite = {c[0] for _, c in counted if c is not None and c[1]}
    for site in sorted(resite):
        reclean_site(archive, site)
    holders: dict[str, list[int]] = {}
    for article_id, c in counted:
        if c is not None and c[2] and c[0] not in resite:
            holders.setdefault(c[0], []).append(article_id)
    for site, ids in holders.items():
        reclean_articles(archive, ids, learned_boilerplate(archive, site))
    return [c[1] if c is not None else [] for _, c in counted]


def _count(archive: "Archive", conn: sqlite3.Connection,
           article_id: int) -> tuple[str, list[str], set[str]] | None:
    """Inside a write transaction: count one article's lines for its site, once. Returns its
    site, the keys this made boilerplate and the learned keys it holds; None if already counted."""
    row = conn.execute("SELECT url, source, text FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None or conn.execute("SELECT 1 FROM site_articles WHERE article_id = ?",
                                   (article_id,)).fetchone():
        return None
    site = site_of(row[0], row[1])
    keys = line_keys(row[2] or "")
    conn.execute("INSERT INTO site_articles (article_id, site) VALUES (?, ?)", (article_id, site))
    conn.execute("INSERT INTO site_stats (site, articles) VALUES (?, 1) "
                 "ON CONFLICT(site) DO UPDATE SET articles = articles + 1", (site,))
    total = conn.execute("SELECT articles FROM site_stats WHERE site = ?", (site,)).fetchone()[0]
    conn.executemany(
        "INSERT INTO line_stats (site, line_key, sample, articles) VALUES (?, ?, ?, 1) "
        "ON CONFLICT(site, line_key) DO UPDATE SET articles = articles + 1",
        [(site, key, sample) for key, sample in keys.items()],
    )
    # Only lines whose counts just rose can newly pass the share rules, except that long
    # lines wait for the site to reach LONG_MIN_SITE articles: look at all lines then.
    candidates = _candidates(conn, site, None if total == LONG_MIN_SITE else list(keys))
    new = [(key, sample, support) for key, sample, support in candidates
           if is_boilerplate(key, support, total)]
    now = utcnow()
    conn.executemany(
        "INSERT INTO learned_lines (site, line_key, sample, support, site_articles, learned_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(site, key, sample, support, total, now) for key, sample, support in new],
    )
    held = set(keys) & learned_boilerplate(archive, site)
    return site, [key for key, _, _ in new], held


def _candidates(conn: sqlite3.Connection, site: str, keys: list[str] | None) -> list[tuple[str, str, int]]:
    sql = ("SELECT s.line_key, s.sample, s.articles FROM line_stats s WHERE s.site = ? AND s.articles >= ? "
           "AND NOT EXISTS (SELECT 1 FROM learned_lines l WHERE l.site = s.site AND l.line_key = s.line_key)")
    if keys is None:
        return conn.execute(sql, (site, MIN_SUPPORT)).fetchall()
    found: list[tuple[str, str, int]] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found += conn.execute(sql + f" AND s.line_key IN ({', '.join('?' for _ in chunk)})",
                              (site, MIN_SUPPORT, *chunk)).fetchall()
    return found


def reclean_site(archive: "Archive", site: str) -> int:
    """Strip the site's learned lines from its counted articles; return how many were revised."""
    keys = learned_boilerplate(archive, site)
    revised, last = 0, 0
    while True:
        ids = [r[0] for r in archive.conn.execute(
            "SELECT article_id FROM site_articles WHERE site = ? AND article_id > ? ORDER BY article_id LIMIT ?",
            (site, last, RECLEAN_BATCH))]
        if not ids:
            return revised
        revised += reclean_articles(archive, ids, keys)
        last = ids[-1]


def reclean_articles(archive: "Archive", ids: list[int], keys: frozenset[str]) -> int:
    """Strip `keys` from these articles, a new revision for each whose text changed."""
    marks = ", ".join("?" for _ in ids)
    rows = archive.conn.execute(f"SELECT id, text, content_hash FROM articles WHERE id IN ({marks})",
                                ids).fetchall()
    # The stripping happens before the write lock is taken; the hash check below skips any
    # article that another writer changed in between (the next learn or reextract gets it).
    changes = [(aid, cleaned, old_hash, signature(cleaned)) for aid, text, old_hash in rows
               if (cleaned := strip_learned(text, keys)) != text and cleaned]
    if not changes:
        return 0
    revised = 0
    with archive.write() as conn:
        now = utcnow()
        for aid, cleaned, old_hash, sig in changes:
            if revise_text(conn, aid, cleaned, now, expect_hash=old_hash, sig=sig) is not None:
                revised += 1
    return revised


def revise_text(conn: sqlite3.Connection, article_id: int, text: str, now: str, *,
                sig: Signature | None, expect_hash: str | None = None,
                fields: dict[str, Any] | None = None) -> int | None:
    """Inside a write transaction: give an article new text (and fields) as a new revision,
    signed with `sig` (the text's signature, made before the transaction) and clustered anew.

    Returns the new revision number, or None when the text is unchanged (the other fields
    are still refreshed then) or the article moved on since `expect_hash` was read.
    """
    row = conn.execute("SELECT revision, content_hash, fetched_url, title FROM articles WHERE id = ?",
                       (article_id,)).fetchone()
    if row is None or (expect_hash is not None and row[1] != expect_hash):
        return None
    revision, old_hash, fetched_url, title = row
    digest, words = text_fingerprint(text)
    fields = dict(fields or {})
    if digest == old_hash:
        if fields:
            conn.execute(f"UPDATE articles SET {', '.join(f'[{k}] = ?' for k in fields)} WHERE id = ?",
                         [*fields.values(), article_id])
        return None
    revision += 1
    add_revision(conn, article_id, revision, fields.get("title", title), digest, fetched_url, now)
    fields.update(text=text, content_hash=digest, word_count=words, revision=revision)
    conn.execute(f"UPDATE articles SET {', '.join(f'[{k}] = ?' for k in fields)} WHERE id = ?",
                 [*fields.values(), article_id])
    assign_clusters(conn, [Member(article_id, sig, digest, cluster_of(conn, article_id))])
    return revision
