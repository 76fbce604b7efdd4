"""Folding completed shard archives (ingest.distributed.shards) into the main archive.

A shard is replayed, not copied: each of its runs becomes a run of the main archive, and
each page it fetched is saved again, in the order it was fetched, through the one way
articles get into an archive (Archive.save_many), then learned from (Archive.learn_many),
exactly as the crawl's pipeline does. So outcomes are decided against the main archive
(a story another source already has is a `duplicate` here, whatever the shard thought),
with its revisions, clusters, learned lines and re-cleaning, full-text index, `runs` and
`fetches` rows. What the shard learned about its feeds (validators, etiquette) is kept.

A ledger (merged_shards) makes merging idempotent: a shard is claimed in a transaction
before it is replayed and marked merged after; a merge that died half-way is undone (its
runs and their fetches) and replayed on the next call. Articles it had already saved are
then `unchanged`, which its run counts show.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ingest.clusters import Signature
from ingest.distributed.shards import MERGED_MARKER_DAYS, MERGED_SUFFIX, SHARD_SUFFIX, completed_shards, merged_marker
from ingest.errors import StorageError
from ingest.models import Article, Extraction, Rejected
from storage import Archive
from storage.clock import utcnow
from storage.signer import line_keys_later

_ARTICLE_FIELDS = ("url", "fetched_url", "title", "text", "source", "site_name", "author", "published_at",
                   "published_from", "modified_at", "language", "description", "image", "word_count", "content_hash",
                   "text_from")
_BATCH = 1000

# One merger at a time in a process (the scheduler merges from several threads); other
# processes are kept apart by the ledger's claim.
_LOCK = threading.Lock()


@dataclass
class MergeResult:
    shard: str
    merged: bool  # False: merged before (a replayed task's copy), nothing done
    runs: list[dict[str, Any]] = field(default_factory=list)  # the main archive's runs rows
    error: str | None = None  # the shard was not a readable archive (set aside)


def merge_dir(archive: Archive, shards_dir: str | Path, *, keep: bool = False) -> list[MergeResult]:
    """Merge every completed shard in a directory, oldest first; merged shards are removed
    unless `keep`."""
    cutoff = time.time() - MERGED_MARKER_DAYS * 86400
    for marker in Path(shards_dir).glob(f"*{MERGED_SUFFIX}"):
        try:
            if marker.stat().st_mtime < cutoff:
                marker.unlink()
        except FileNotFoundError:  # another merger pruned it
            pass
    results = []
    for path in completed_shards(shards_dir):
        try:
            results.append(merge_shard(archive, path, keep=keep))
        except BadShard as exc:  # set aside; the others are merged
            results.append(MergeResult(path.name, merged=False, error=str(exc)))
    return results


class BadShard(StorageError):
    """A shard file that is not a readable archive; it is renamed to NAME.bad."""


def _open_shard(path: Path) -> sqlite3.Connection:
    """The shard, read-only; a file that is not a readable archive is set aside as NAME.bad."""
    shard = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    shard.row_factory = sqlite3.Row
    try:
        shard.execute("SELECT count(*) FROM runs JOIN fetches ON fetches.run_id = runs.id").fetchone()
    except sqlite3.DatabaseError as exc:
        shard.close()
        bad = path.with_name(path.name + ".bad")
        path.rename(bad)
        raise BadShard(f"shard {path} is not a readable archive ({exc}); set aside as {bad.name}") from None
    return shard


def merge_shard(archive: Archive, path: str | Path, *, keep: bool = False) -> MergeResult:
    """Fold one completed shard into the archive, unless the ledger has it already. Unless
    `keep`, the shard is then removed and a marker left in its place (ingest.distributed.shards)."""
    path = Path(path)
    name = path.name
    with _LOCK, closing(_open_shard(path)) as shard:  # a bad file is set aside before any claim
        if not _claim(archive, name):
            result = MergeResult(name, merged=False)
        else:
            run_ids = _replay(archive, shard, name)
            with archive.write() as conn:
                conn.execute("UPDATE merged_shards SET state = 'merged', merged_at = ?, "
                             "articles = (SELECT count(*) FROM fetches WHERE run_id IN "
                             "(SELECT value FROM json_each(?)) AND article_id IS NOT NULL) WHERE name = ?",
                             (utcnow(), json.dumps(run_ids), name))
            result = MergeResult(name, merged=True, runs=[_run(archive, run_id) for run_id in run_ids])
    if not keep:
        merged_marker(path.parent, name.removesuffix(SHARD_SUFFIX)).touch()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)
    return result


def _claim(archive: Archive, name: str) -> bool:
    """Claim a shard for merging; False if it was merged before. A claim left by a merge that
    died is taken over after undoing what that merge wrote."""
    with archive.write() as conn:
        row = conn.execute("SELECT state, run_ids FROM merged_shards WHERE name = ?", (name,)).fetchone()
        if row and row[0] == "merged":
            return False
        if row:  # a merge that died half-way: drop its runs and their fetches, then replay
            stale = row[1] or "[]"
            conn.execute("DELETE FROM fetches WHERE run_id IN (SELECT value FROM json_each(?))", (stale,))
            conn.execute("DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?))", (stale,))
        conn.execute("INSERT OR REPLACE INTO merged_shards (name, state, started_at, run_ids) "
                     "VALUES (?, 'merging', ?, '[]')", (name, utcnow()))
    return True


def _replay(archive: Archive, shard: sqlite3.Connection, name: str) -> list[int]:
    run_ids: list[int] = []
    for run in shard.execute("SELECT * FROM runs ORDER BY id").fetchall():
        with archive.write() as conn:
            run_id = int(conn.execute(
                "INSERT INTO runs (source, started_at, status) VALUES (?, ?, 'running')",
                (run["source"], run["started_at"])).lastrowid)
            run_ids.append(run_id)
            conn.execute("UPDATE merged_shards SET run_ids = ? WHERE name = ?", (json.dumps(run_ids), name))
        for chunk in _chunks(_fetches(shard, run["id"]), _BATCH):
            results = [result for result, _ in chunk]
            # the helper process keys the texts' lines while the writer stores them
            keys_of = line_keys_later([r.text if isinstance(r, Article) else "" for r in results])
            saved = archive.save_many(results, source=run["source"], run_id=run_id,
                                      statuses=[status for _, status in chunk])
            fresh = {s.article_id: keys for s, keys in zip(saved, keys_of())
                     if s.article_id is not None and s.outcome in ("new", "updated")}
            if fresh:  # (an article saved twice in the chunk: its last text, the one stored)
                archive.learn_many(list(fresh), keys=fresh)
        archive.finish_run(run_id, run["status"], archive.run_counts(run_id), last_error=run["last_error"])
        with archive.write() as conn:  # the crawl's own times, not the merge's
            conn.execute("UPDATE runs SET ended_at = ? WHERE id = ?", (run["ended_at"], run_id))
    with archive.write() as conn:
        for row in shard.execute("SELECT * FROM feed_state").fetchall():
            names = row.keys()
            conn.execute(f"INSERT OR REPLACE INTO feed_state ({', '.join(names)}) "
                         f"VALUES ({', '.join('?' for _ in names)})", tuple(row))
    return run_ids


def _fetches(shard: sqlite3.Connection, run_id: int) -> Iterator[tuple[Extraction, int | None]]:
    """A shard run's fetches as the results its crawl saved, in order, with their HTTP status.
    An article is replayed with its text as the shard holds it at the end (a page fetched twice
    in one batch with two texts counts its first fetch with the second text)."""
    rows = shard.execute(
        "SELECT f.url AS fetched, f.status AS fetch_status, f.outcome AS fetch_outcome, f.reason AS fetch_reason, "
        "a.*, p.html AS page, m.size AS sig_size, m.signature AS sig FROM fetches f "
        "LEFT JOIN articles a ON a.id = f.article_id LEFT JOIN raw_pages p ON p.article_id = f.article_id "
        "LEFT JOIN minhash m ON m.article_id = f.article_id WHERE f.run_id = ? ORDER BY f.id", (run_id,))
    # A shard written by an older newsdesk lacks the newer columns: the Article's defaults stand in.
    columns = {d[0] for d in rows.description}
    present = [name for name in _ARTICLE_FIELDS if name in columns]
    for row in rows:
        if row["id"] is None:  # rejected, or an error
            kind = "error" if row["fetch_outcome"] == "error" else "not_article"
            yield Rejected(row["fetched"], row["fetch_reason"] or row["fetch_outcome"], kind=kind), row["fetch_status"]
            continue
        fields = {name: row[name] for name in present}
        fields["fetched_url"] = row["fetched"]  # a duplicate was reached through another URL
        article = Article(**fields, tags=json.loads(row["tags"]) if row["tags"] else [],
                          categories=json.loads(row["categories"]) if row["categories"] else [])
        article.html_zlib = row["page"]
        if row["sig"] is not None:  # the worker signed this very text: no need to sign it again
            article.signature = Signature.from_blob(row["sig"], row["sig_size"])
        yield article, row["fetch_status"]


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run(archive: Archive, run_id: int) -> dict[str, Any]:
    return next(archive.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
