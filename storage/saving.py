"""Saving extraction results: the one way articles get into the archive.

Archive.save writes a batch of one and Archive.save_many batches of up to 500, so a crawl,
a one-off ingest and a bulk load store an article by the same rules:
- an article is `new`, `updated` (its text changed: a new revision), `unchanged`, or a
  `duplicate` (the same text reached through a URL never fetched before);
- every result, rejections and errors too, leaves one row in `fetches`;
- new and updated articles are signed and clustered (storage.clusters).

A batch is written table by table, one statement each (executemany), and new articles
get their ids before they are inserted: each starts as its own cluster, and only the few
that turn out to be copies are updated afterwards. Writing each article row once matters:
the row holds the text, so an UPDATE rewrites kilobytes (bench.archive: the per-article
statements of the old path cost a third of a bulk load's time).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Iterable, Iterator

from ingest.clusters import Signature
from ingest.compression import compress_html
from ingest.models import Article, Extraction, Rejected, Saved
from storage.clusters import Member, assign_clusters, cluster_of
from storage.revisions import add_revision
from storage.signer import sign

_LOG = ("INSERT INTO fetches (url, source, run_id, status, outcome, reason, article_id, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_PAGE = ("INSERT INTO raw_pages (article_id, fetched_url, fetched_at, html) VALUES (?, ?, ?, ?) "
         "ON CONFLICT(article_id) DO UPDATE SET fetched_url = excluded.fetched_url, "
         "fetched_at = excluded.fetched_at, html = excluded.html")


@dataclass(frozen=True)
class Pending:
    """One result to save, and where it came from."""

    result: Extraction
    source: str | None
    run_id: int | None
    status: int | None


def save_batch(conn: sqlite3.Connection, items: list[Pending], signatures: Iterable[Signature | None],
               now: str) -> list[Saved]:
    """Inside a write transaction: save the items, in order, with the outcomes saving them one
    by one would give. `signatures` runs in step with `items`: each article's signature, or
    None where none was made (it is made here if the article turns out new or changed). It
    is read only after the batch's rows are written, so it may still be being computed."""
    sigs = iter(signatures)
    saved: list[Saved] = []
    for part in _parts(items):
        saved.extend(_save_part(conn, part, sigs, now))
    return saved


def _parts(items: list[Pending]) -> Iterator[list[Pending]]:
    """The batch cut wherever a URL comes back, so that within a part every article is
    classified against what was stored before the part (a URL twice in a batch: the second
    is an update or unchanged, as it would be saved one by one)."""
    part: list[Pending] = []
    urls: set[str] = set()
    for item in items:
        result = item.result
        keys = {result.url, result.fetched_url} if isinstance(result, Article) else set()
        if keys & urls:
            yield part
            part, urls = [], set()
        part.append(item)
        urls |= keys
    if part:
        yield part


@dataclass
class _Rows:
    """What a part writes, table by table: one statement per table (executemany)."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    revisions: list[tuple[Any, ...]] = field(default_factory=list)
    seen_again: list[tuple[str, int]] = field(default_factory=list)
    pages: list[tuple[Any, ...]] = field(default_factory=list)
    fetches: list[tuple[Any, ...]] = field(default_factory=list)

    def write(self, conn: sqlite3.Connection) -> None:
        if self.articles:
            columns = list(self.articles[0])
            conn.executemany(f"INSERT INTO articles ({', '.join(f'[{c}]' for c in columns)}) "
                             f"VALUES ({', '.join('?' for _ in columns)})", [list(r.values()) for r in self.articles])
            conn.executemany("INSERT INTO revisions (article_id, revision, title, text, content_hash, "
                             "fetched_url, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)", self.revisions)
        conn.executemany("UPDATE articles SET last_seen = ? WHERE id = ?", self.seen_again)
        conn.executemany(_PAGE, self.pages)
        conn.executemany(_LOG, self.fetches)


def _save_part(conn: sqlite3.Connection, part: list[Pending], sigs: Iterator[Signature | None],
               now: str) -> list[Saved]:
    urls = [p.result.url for p in part if isinstance(p.result, Article)]
    stored = {row[0]: row[1:] for row in conn.execute(
        "SELECT url, id, content_hash, revision, fetched_url FROM articles "
        "WHERE url IN (SELECT value FROM json_each(?))", (json.dumps(urls),))} if urls else {}
    next_id: int | None = None
    saved: list[Saved] = []
    rows = _Rows()
    changed: dict[int, tuple[int, Article, int]] = {}  # by position: (id, article, its cluster so far)

    for position, item in enumerate(part):
        result = item.result
        if isinstance(result, Rejected):
            outcome = "error" if result.kind == "error" else "rejected"
            rows.fetches.append((result.url, item.source, item.run_id, item.status, outcome, result.reason, None, now))
            saved.append(Saved(outcome, result.url, reason=result.reason))
            continue
        row = stored.get(result.url)
        if row is None:
            if next_id is None:  # safe: the write transaction holds the lock, no one else inserts
                next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
            article_id, revision, outcome, next_id = next_id, 1, "new", next_id + 1
            # its own cluster until storage.clusters finds it a copy of something
            rows.articles.append({"id": article_id, **_columns(result), "source": item.source, "first_seen": now,
                                  "last_seen": now, "revision": 1, "cluster_id": article_id})
            rows.revisions.append((article_id, 1, result.title, None, result.content_hash, result.fetched_url, now))
            changed[position] = (article_id, result, article_id)
        else:
            article_id, old_hash, revision, old_fetched = row
            if old_hash == result.content_hash:
                rows.seen_again.append((now, article_id))
                outcome = "duplicate" if result.fetched_url != old_fetched and not _fetched_before(
                    conn, result.fetched_url) else "unchanged"
            else:
                revision += 1
                _update(conn, article_id, revision, result, now)
                outcome = "updated"
                changed[position] = (article_id, result, cluster_of(conn, article_id))
        if outcome in ("new", "updated") and (result.html_zlib or result.html is not None):
            page = result.html_zlib or compress_html(result.html)  # a crawl's worker compressed it
            rows.pages.append((article_id, result.fetched_url, now, page))
        rows.fetches.append((result.fetched_url, item.source, item.run_id, item.status, outcome, None, article_id, now))
        saved.append(Saved(outcome, result.url, article_id=article_id, revision=revision))
    rows.write(conn)

    # Signatures last: a bulk batch's are still being made (storage.signer) while the rows go in.
    members: list[Member] = []
    for position, sig in enumerate(islice(sigs, len(part))):
        if position in changed:
            article_id, article, cluster = changed[position]
            if sig is None:  # not made: the article looked unchanged before the transaction
                sig = sign(article)
            members.append(Member(article_id, sig, article.content_hash, cluster))
    assign_clusters(conn, members)
    return saved


def _columns(article: Article) -> dict[str, Any]:
    """The article's stored columns (lists as JSON)."""
    record = article.record()
    record["tags"] = json.dumps(article.tags, ensure_ascii=False) if article.tags else "[]"
    record["categories"] = json.dumps(article.categories, ensure_ascii=False) if article.categories else "[]"
    return record


def _update(conn: sqlite3.Connection, article_id: int, revision: int, article: Article, now: str) -> None:
    """A stored article's new text: a new revision; it keeps the source that first found it."""
    add_revision(conn, article_id, revision, article.title, article.content_hash, article.fetched_url, now)
    record = _columns(article)
    record.pop("source")
    record.update(last_seen=now, revision=revision)
    conn.execute(f"UPDATE articles SET {', '.join(f'[{k}] = ?' for k in record)} WHERE id = ?",
                 [*record.values(), article_id])


def _fetched_before(conn: sqlite3.Connection, url: str) -> bool:
    return conn.execute("SELECT 1 FROM fetches WHERE url = ? AND article_id IS NOT NULL LIMIT 1",
                        (url,)).fetchone() is not None


def log_fetch(conn: sqlite3.Connection, url: str, source: str | None, run_id: int | None, status: int | None,
              outcome: str, reason: str | None, article_id: int | None, now: str) -> None:
    """One row in `fetches` for a URL tried (Archive.record_error: failures before extraction)."""
    conn.execute(_LOG, (url, source, run_id, status, outcome, reason, article_id, now))
