"""Shard archives: a batch crawled on another machine, into an archive of its own.

A worker never opens the main archive. What its crawl needs from it travels in the task
(`ShardTask`, a plain JSON-able value): the batch's sources.toml entries, their feeds'
validators (ETag, Last-Modified, body hash, polling etiquette), the URLs they already have
(so nothing archived is fetched again) and the lines learned as boilerplate on their sites.
The worker seeds an empty archive of the main schema with them, runs the very crawl a local
batch runs (ingest.run.crawl.crawl_batch) into it, and only then makes the shard visible under
its final name, atomically. ingest.distributed.merge folds completed shards into the main archive.

Every task is safe to run twice (a broker re-delivers, a restarted worker replays): the
shard's name is the task's key, a finished shard is never redone, and the first of two
copies to finish wins while the other is dropped.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import tomllib
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from ingest.boilerplate import site_of
from ingest.run.crawl import StopSignal, crawl_batch
from ingest.sources.config import Source
from storage import Archive

SHARD_SUFFIX = ".shard.db"
PART_SUFFIX = ".part"
# Left where a merged shard was removed: a task delivered again later (a broker's visibility
# timeout, a replay) finds it and crawls nothing. Kept MERGED_MARKER_DAYS.
MERGED_SUFFIX = ".merged"
MERGED_MARKER_DAYS = 7


@dataclass
class ShardTask:
    """One batch as a worker receives it; the key names the shard it produces."""

    key: str
    sources: list[str]
    sources_toml: str  # the batch's [sources.<key>] tables, as in the main sources.toml
    timeout_s: float
    max_pages: int | None = None
    feed_state: list[dict[str, Any]] = field(default_factory=list)
    known_urls: list[str] = field(default_factory=list)
    learned_lines: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ShardTask":
        return cls(**data)


def task_key(keys: list[str], slot: str) -> str:
    """A batch's deterministic key: the same sources for the same time slot (a scheduled
    firing, a crawl command's start) give the same key, so a batch sent twice is one shard."""
    digest = hashlib.sha1(json.dumps([sorted(keys), slot]).encode()).hexdigest()[:16]
    stamp = "".join(c for c in slot if c.isdigit())[:14]
    return f"{stamp}-{digest}"


def make_task(archive: Archive, sources_path: str | Path, batch: list[Source], *, slot: str,
              timeout_s: float, max_pages: int | None = None) -> ShardTask:
    """The task for one batch, with what its crawl needs from the main archive."""
    keys = [source.key for source in batch]
    data = tomllib.loads(Path(sources_path).read_text(encoding="utf-8"))
    doc = tomlkit.document()
    doc["sources"] = {key: data["sources"][key] for key in keys}
    marks = json.dumps(keys)
    conn = archive.conn
    feed_state = _rows(conn, "SELECT * FROM feed_state WHERE source IN (SELECT value FROM json_each(?))", marks)
    # what seen_urls would find: their articles, and their runs' rejections (through indexes:
    # fetches has none by source)
    known = [row[0] for row in conn.execute(
        "SELECT url FROM articles WHERE source IN (SELECT value FROM json_each(:k)) "
        "UNION SELECT url FROM fetches WHERE run_id IN (SELECT id FROM runs WHERE source IN "
        "(SELECT value FROM json_each(:k))) AND outcome != 'error'", {"k": marks})]
    # the sites whose learned lines its pages may carry: its configured hosts, and those it stored from
    sites = {site_of(url, source.key) for source in batch
             for url in (*source.feeds, *source.news_sitemaps, *source.sitemaps, *source.sections)}
    sites.update(row[0] for row in conn.execute(
        "SELECT DISTINCT site FROM site_articles WHERE article_id IN "
        "(SELECT id FROM articles WHERE source IN (SELECT value FROM json_each(?)))", (marks,)))
    learned = _rows(conn, "SELECT * FROM learned_lines WHERE site IN (SELECT value FROM json_each(?))",
                    json.dumps(sorted(sites)))
    return ShardTask(key=task_key(keys, slot), sources=keys, sources_toml=tomlkit.dumps(doc), timeout_s=timeout_s,
                     max_pages=max_pages, feed_state=feed_state, known_urls=known, learned_lines=learned)


def _rows(conn: Any, sql: str, *params: Any) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def shard_path(shards_dir: str | Path, key: str) -> Path:
    return Path(shards_dir) / f"{key}{SHARD_SUFFIX}"


def merged_marker(shards_dir: str | Path, key: str) -> Path:
    return Path(shards_dir) / f"{key}{MERGED_SUFFIX}"


def completed_shards(shards_dir: str | Path) -> list[Path]:
    """The finished shards in a directory, oldest key first (a part being written is not one)."""
    return sorted(Path(shards_dir).glob(f"*{SHARD_SUFFIX}"))


def run_task(task: ShardTask, shards_dir: str | Path, *, stop: StopSignal | None = None) -> Path:
    """Crawl one task's batch into its shard; the completed shard's path.

    The crawl writes to a part file of its own (two copies of one task never share a file);
    once it has ended, whatever its sources' statuses, the part is linked to the shard's
    name, which fails if another copy got there first: then this copy is dropped."""
    shards_dir = Path(shards_dir)
    shards_dir.mkdir(parents=True, exist_ok=True)
    final = shard_path(shards_dir, task.key)
    if final.exists() or merged_marker(shards_dir, task.key).exists():  # a replay of a finished task
        return final
    part = shards_dir / f"{task.key}.{uuid.uuid4().hex[:8]}{PART_SUFFIX}"
    try:
        _seed(part, task)
        with tempfile.TemporaryDirectory(prefix="newsdesk-task-") as tmp:
            sources = Path(tmp) / "sources.toml"
            sources.write_text(task.sources_toml, encoding="utf-8")
            crawl_batch(str(part), str(sources), task.sources, max_pages=task.max_pages, timeout_s=task.timeout_s,
                        stop=stop)
        _checkpoint(part)
        try:
            os.link(part, final)  # atomic, and never over another copy's shard
        except FileExistsError:
            pass
        return final
    finally:
        for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
            leftover.unlink(missing_ok=True)


def _seed(path: Path, task: ShardTask) -> None:
    with Archive(path) as shard, shard.write() as conn:
        conn.executemany("INSERT OR IGNORE INTO known_urls (url) VALUES (?)", [(u,) for u in task.known_urls])
        for table, rows in (("feed_state", task.feed_state), ("learned_lines", task.learned_lines)):
            for row in rows:
                names = list(row)
                conn.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) "
                             f"VALUES ({', '.join('?' for _ in names)})", [row[n] for n in names])


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file: the shard must be whole as one file."""
    with Archive(path) as shard:
        shard.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shard.conn.execute("PRAGMA journal_mode=DELETE")
