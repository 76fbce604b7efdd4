"""The archive side of learned boilerplate: count lines per site, learn, and re-clean.

ingest.boilerplate holds the rule and the line key; this module keeps the counts in the
archive (tables `line_stats`, `site_stats`, `site_articles`, `learned_lines`, created by
migration 2) and rewrites stored articles when a line is learned. Every write is a short
`BEGIN IMMEDIATE` transaction through `Archive.write()`; re-cleaning goes in batches so a
crawl writing at the same time waits milliseconds, not the length of a site.
"""
from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, Mapping

from ingest.boilerplate import (LONG_MIN_SITE, MIN_SUPPORT, is_boilerplate, line_hash, line_key, line_keys, site_of,
                                strip_learned)
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
        counted = count_lines(conn, [article_id])[0]
    if counted is None:
        return []
    site, new, held = counted
    if reclean and new:
        reclean_site(archive, site)
    elif reclean and held:
        reclean_articles(archive, [article_id], learned_boilerplate(archive, site))
    return new


def learn_many(archive: "Archive", article_ids: list[int],
               keys: Mapping[int, dict[str, str]] | None = None) -> list[list[str]]:
    """`learn_lines` with re-cleaning for several articles: the counting in one transaction
    (a crawl's batch of pages commits once), the re-cleaning after it, once per site.
    `keys`: articles' line keys made already (count_lines)."""
    with archive.write() as conn:
        counted = list(zip(article_ids, count_lines(conn, article_ids, keys)))
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


Counted = tuple[str, list[str], set[str]]  # the site, the keys newly learned, the learned keys held


def count_lines(conn: sqlite3.Connection, article_ids: list[int],
                keys: Mapping[int, dict[str, str]] | None = None) -> list[Counted | None]:
    """Inside a write transaction: count each article's lines for its site, once, in order,
    with the outcome counting them one by one would give. For each: its site, the keys it
    made boilerplate and the learned keys it holds; None if already counted (or gone).
    `keys`: line_keys of some of the articles' stored texts, made before (storage.signer).

    A batch reads each site's counts for its lines in one query, counts in memory, and
    writes each table once (a statement per article and line cost a merge a third of its time)."""
    ids = json.dumps(article_ids)
    rows = {r[0]: r[1:] for r in conn.execute(
        "SELECT id, url, source, text FROM articles WHERE id IN (SELECT value FROM json_each(?))", (ids,))}
    done = {r[0] for r in conn.execute(
        "SELECT article_id FROM site_articles WHERE article_id IN (SELECT value FROM json_each(?))", (ids,))}
    todo: list[tuple[int, str, dict[str, str]]] = []  # by position
    positions: list[int | None] = []
    for article_id in article_ids:
        if article_id not in rows or article_id in done:
            positions.append(None)
            continue
        done.add(article_id)
        url, source, text = rows[article_id]
        positions.append(len(todo))
        known = keys.get(article_id) if keys is not None else None
        todo.append((article_id, site_of(url, source), known if known is not None else line_keys(text or "")))
    lines: dict[str, set[str]] = {}
    for _, site, mine in todo:
        lines.setdefault(site, set()).update(mine)
    sites = {site: _SiteCounts(conn, site, site_lines) for site, site_lines in lines.items()}
    now = utcnow()
    results = [(site, *sites[site].count(conn, mine, now)) for _, site, mine in todo]
    conn.executemany("INSERT INTO site_articles (article_id, site) VALUES (?, ?)",
                     [(article_id, site) for article_id, site, _ in todo])
    for counts in sites.values():
        counts.write(conn)
    return [results[p] if p is not None else None for p in positions]


class _SiteCounts:
    """One site's counts while a batch is counted: read once, kept in memory, written once."""

    def __init__(self, conn: sqlite3.Connection, site: str, keys: set[str]) -> None:
        self.site = site
        row = conn.execute("SELECT articles FROM site_stats WHERE site = ?", (site,)).fetchone()
        self.total = row[0] if row else 0
        self.learned = {r[0] for r in conn.execute("SELECT line_key FROM learned_lines WHERE site = ?", (site,))}
        self.hashes = {key: line_hash(key) for key in keys}
        self.keys = {h: key for key, h in self.hashes.items()}
        # line hash -> [articles, sample]; the sample is kept from a line's second article on
        self.lines: dict[int, list[Any]] = {h: [articles, sample] for h, sample, articles in conn.execute(
            "SELECT line_hash, sample, articles FROM line_stats WHERE site = ? AND line_hash IN "
            "(SELECT value FROM json_each(?))", (site, json.dumps(sorted(self.keys))))}
        self.changed: set[int] = set()
        self.learned_rows: list[tuple[Any, ...]] = []

    def count(self, conn: sqlite3.Connection, keys: dict[str, str], now: str) -> tuple[list[str], set[str]]:
        """Count one article's lines; the keys this made boilerplate, and the learned keys it holds."""
        self.total += 1
        mine = []
        for key, line in keys.items():
            h = self.hashes[key]
            entry = self.lines.setdefault(h, [0, None])
            entry[0] += 1
            if entry[0] > 1 and entry[1] is None:
                entry[1] = line
            self.changed.add(h)
            mine.append(h)
        # Only lines whose counts just rose can newly pass the share rules, except that long
        # lines wait for the site to reach LONG_MIN_SITE articles: look at all lines then.
        candidates = self._all_lines(conn) if self.total == LONG_MIN_SITE else mine
        new = []
        for h in candidates:
            support, sample = self.lines[h]
            key = self.keys.get(h) or line_key(sample or "")  # a line of an earlier batch: its sample's key
            if key and key not in self.learned and is_boilerplate(key, support, self.total):
                new.append(key)
                self.learned.add(key)
                self.learned_rows.append((self.site, key, sample, support, self.total, now))
        return sorted(new), set(keys) & self.learned

    def _all_lines(self, conn: sqlite3.Connection) -> list[int]:
        """Every line of the site seen in MIN_SUPPORT articles, counts of this batch included."""
        for h, sample, articles in conn.execute(
                "SELECT line_hash, sample, articles FROM line_stats WHERE site = ? AND articles >= ?",
                (self.site, MIN_SUPPORT)):
            self.lines.setdefault(h, [articles, sample])  # a line of this batch: memory is ahead
        return [h for h, (support, _) in self.lines.items() if support >= MIN_SUPPORT]

    def write(self, conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO site_stats (site, articles) VALUES (?, ?) "
                     "ON CONFLICT(site) DO UPDATE SET articles = excluded.articles", (self.site, self.total))
        conn.executemany(
            "INSERT INTO line_stats (site, line_hash, sample, articles) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(site, line_hash) DO UPDATE SET articles = excluded.articles, sample = excluded.sample",
            [(self.site, h, self.lines[h][1], self.lines[h][0]) for h in sorted(self.changed)])
        conn.executemany(
            "INSERT INTO learned_lines (site, line_key, sample, support, site_articles, learned_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", self.learned_rows)


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
