"""The archive's schema and its migrations, versioned with PRAGMA user_version.

Each migration is a function of the sqlite-utils Database, applied once, in order, inside
one transaction. Append new ones; never edit one that has shipped.
"""
from __future__ import annotations

from typing import Callable

import sqlite_utils

FTS_HASHSIZE = 16 * 1024 * 1024


def _v1_core(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "url": str,  # canonical
            "fetched_url": str,
            "source": str,
            "site_name": str,
            "title": str,
            "author": str,
            "published_at": str,
            "published_from": str,
            "modified_at": str,
            "language": str,
            "text": str,
            "description": str,
            "tags": str,  # JSON list
            "categories": str,  # JSON list
            "image": str,
            "word_count": int,
            "content_hash": str,
            "first_seen": str,
            "last_seen": str,
            "revision": int,
            "cluster_id": int,
        },
        pk="id",
        not_null={"url", "text", "content_hash", "first_seen", "last_seen", "revision"},
        defaults={"revision": 1},
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["source", "published_at"])
    db["articles"].create_index(["published_at"])
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["cluster_id"])
    # Datasette and `sqlite-utils search` find this index by its conventional name.
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2")

    db["revisions"].create(
        {
            "article_id": int,
            "revision": int,
            "title": str,
            "text": str,
            "content_hash": str,
            "fetched_url": str,
            "seen_at": str,
        },
        pk=("article_id", "revision"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    # The fetched page, zlib-compressed, so any article can be re-extracted later.
    db["raw_pages"].create(
        {"article_id": int, "fetched_url": str, "fetched_at": str, "html": bytes},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    # Every URL tried and what came of it; also the memory of "already fetched" across runs.
    db["fetches"].create(
        {
            "id": int,
            "url": str,
            "source": str,
            "run_id": int,
            "status": int,
            "outcome": str,
            "reason": str,
            "article_id": int,
            "fetched_at": str,
        },
        pk="id",
    )
    db["fetches"].create_index(["url"])
    db["fetches"].create_index(["run_id"])
    db["runs"].create(
        {
            "id": int,
            "source": str,
            "started_at": str,
            "ended_at": str,
            "status": str,  # running, ok, failed, timeout, interrupted
            "pages": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "duplicate": int,
            "rejected": int,
            "errors": int,
            "last_error": str,
            "pid": int,
        },
        pk="id",
        defaults={k: 0 for k in ("pages", "new", "updated", "unchanged", "duplicate", "rejected", "errors")},
    )
    db["runs"].create_index(["source", "started_at"])
    # Conditional GET and polling etiquette state, per feed or sitemap URL.
    db["feed_state"].create(
        {
            "url": str,
            "source": str,
            "etag": str,
            "last_modified": str,
            "body_hash": str,
            "checked_at": str,
            "not_before": str,  # Retry-After / ttl: do not poll before this time
            "failures": int,
            "last_error": str,
        },
        pk="url",
        defaults={"failures": 0},
    )


def _v2_boilerplate(db: sqlite_utils.Database) -> None:
    """Per-site line statistics for learned boilerplate (ingest.boilerplate has the rule)."""
    # How many of a site's articles hold each distinct line (by its normalized key).
    db["line_stats"].create({"site": str, "line_key": str, "sample": str, "articles": int},
                            pk=("site", "line_key"), defaults={"articles": 0})
    db["line_stats"].create_index(["site", "articles"])
    db["site_stats"].create({"site": str, "articles": int}, pk="site", defaults={"articles": 0})
    # Which articles were counted, and for which site: counting stays once per article, and
    # re-cleaning finds a site's earlier articles here.
    db["site_articles"].create({"article_id": int, "site": str}, pk="article_id",
                               foreign_keys=[("article_id", "articles", "id")])
    db["site_articles"].create_index(["site"])
    # The lines learned as boilerplate, with the counts that decided it (for auditing).
    db["learned_lines"].create(
        {"site": str, "line_key": str, "sample": str, "support": int, "site_articles": int,
         "learned_at": str},
        pk=("site", "line_key"),
    )


def _v3_clusters(db: sqlite_utils.Database) -> None:
    # Syndication clusters: MinHash signatures and LSH band keys (see storage/clusters.py).
    from storage.clusters import create_tables

    create_tables(db)


def _v4_source_state(db: sqlite_utils.Database) -> None:
    # The scheduler's memory per source: consecutive failures and the backoff they earned,
    # and when the running scheduler will next crawl it (shown by `newsdesk sources`).
    db.execute(
        "CREATE TABLE IF NOT EXISTS source_state ("
        "source TEXT PRIMARY KEY, failures INTEGER NOT NULL DEFAULT 0, backoff_until TEXT, "
        "next_run_at TEXT, last_error TEXT, updated_at TEXT)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS runs_status ON runs (status)")


def _v5_faster(db: sqlite_utils.Database) -> None:
    """Faster ingest and search: no per-article index on lsh_bands; FTS5's default `rank`
    is the title-weighted BM25 that newsdesk search uses (storage.search.RANK), so
    Datasette and plain `ORDER BY rank` queries rank as the CLI does."""
    from storage.clusters import drop_article_index
    from storage.search import RANK

    drop_article_index(db)
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', ?)", [RANK])


def _v6_cheaper_writes(db: sqlite_utils.Database) -> None:
    """Cheaper bulk writes: new LSH band keys go to a small table merged into lsh_bands now
    and then (storage/clusters.py says why), and the full-text index buffers up to 16 MB of a
    transaction's postings before writing a segment (1 MB by default: a 500-article
    transaction wrote several segments, each soon merged again). 30% more articles per
    CPU-second at 30,000 articles (bench.archive). Merging segments 8 at a time instead of
    FTS5's 4 saved little more, and left searches twice the segments to read."""
    from storage.clusters import create_recent

    create_recent(db)
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', ?)", [FTS_HASHSIZE])


def _v7_current_text_once(db: sqlite_utils.Database) -> None:
    """An article's current text is stored once, in articles (storage/revisions.py says why)."""
    from storage.revisions import create_view, drop_current_copies

    drop_current_copies(db.conn)
    create_view(db.conn)


def _v8_shards(db: sqlite_utils.Database) -> None:
    """Crawls on other machines (ingest.distributed.shards, ingest.distributed.merge). A shard
    archive is seeded with the URLs its sources already have in the main archive (known_urls:
    "seen" without being stored there); the main archive keeps a ledger of the shards folded
    into it."""
    db.execute("CREATE TABLE IF NOT EXISTS known_urls (url TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute(
        "CREATE TABLE IF NOT EXISTS merged_shards (name TEXT PRIMARY KEY, state TEXT NOT NULL, "
        "started_at TEXT, merged_at TEXT, run_ids TEXT, articles INTEGER)"
    )


def _v9_text_from(db: sqlite_utils.Database) -> None:
    """Where an article's text came from: 'page' (its fetched page) or 'feed' (its feed item's
    full content, ingest.discover.feedtext). Every article stored before came from its page."""
    if "text_from" not in db["articles"].columns_dict:  # a re-run over a rolled-back version number
        db.execute("ALTER TABLE articles ADD COLUMN text_from TEXT NOT NULL DEFAULT 'page'")


def _v10_line_hashes(db: sqlite_utils.Database) -> None:
    """Lines counted by a 64-bit hash of their key (ingest.boilerplate.line_hash), with a
    sample only once a line is in two articles, in one B-tree (WITHOUT ROWID, no index on the
    counts: the one query by count reads a ten-article site). The table of every line of every
    article was half of an archive's size and of a bulk load's writing; learned_lines keeps
    the keys themselves."""
    from ingest.boilerplate import line_hash

    if "line_hash" in db["line_stats"].columns_dict:  # a re-run over a rolled-back version number
        return
    db.conn.create_function("newsdesk_line_hash", 1, line_hash, deterministic=True)
    db.execute("CREATE TABLE line_stats_v10 (site TEXT NOT NULL, line_hash INTEGER NOT NULL, sample TEXT, "
               "articles INTEGER NOT NULL, PRIMARY KEY (site, line_hash)) WITHOUT ROWID")
    db.execute("INSERT OR REPLACE INTO line_stats_v10 (site, line_hash, sample, articles) "
               "SELECT site, newsdesk_line_hash(line_key), CASE WHEN articles > 1 THEN sample END, articles "
               "FROM line_stats ORDER BY site, articles")
    db.execute("DROP TABLE line_stats")
    db.execute("ALTER TABLE line_stats_v10 RENAME TO line_stats")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_core, _v2_boilerplate, _v3_clusters, _v4_source_state, _v5_faster, _v6_cheaper_writes,
    _v7_current_text_once, _v8_shards, _v9_text_from, _v10_line_hashes,
]
SCHEMA_VERSION = len(MIGRATIONS)
