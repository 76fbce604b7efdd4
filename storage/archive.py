"""The Archive: one SQLite file holding articles, revisions, raw pages, fetches and runs.

Why it is built the way it is:
- WAL lets readers (search, Datasette) run while a crawl writes.
- Every write is a short `BEGIN IMMEDIATE` transaction: taking the write lock up front
  means two writers (a scheduled crawl and a one-off ingest) queue on the busy timeout
  instead of failing with "database is locked" on a read-then-write upgrade.
- Articles are written with plain INSERT/UPDATE, never INSERT OR REPLACE, so the FTS
  triggers that sqlite-utils created keep the index in step (sqlite-utils#149).
- Nothing slow (extraction, network) ever happens inside a write transaction.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from itertools import islice
from typing import Any, Iterable, Iterator, Mapping

import sqlite_utils

from ingest.errors import StorageError
from ingest.models import Article, Extraction, Saved
from ingest.compression import decompress_html
from storage.clock import utcnow
from storage.clusters import copies, merge_due, merge_recent
from storage.revisions import VIEW as REVISIONS_VIEW
from storage.saving import Pending, log_fetch, save_batch
from storage.schema import MIGRATIONS, SCHEMA_VERSION
from storage.signer import sign, signatures
from storage.search import QueryError  # noqa: F401 (re-exported: callers catch archive errors from here)
from storage.search import RANK_WINDOW, filters as _filters, match_expression, search as search_ids

BUSY_TIMEOUT_S = 60.0
# Page cache of a connection that stores articles, in KiB (SQLite's default is 2 MiB). Saving
# touches index pages all over the file (url, content_hash and LSH band keys are random),
# and with the default cache a bulk load spent over a tenth of its CPU time in system calls
# re-reading them (bench.archive: 0.9 s of 6.6 s, 0.3 s with this cache). A connection that
# searches gets a smaller one: a common phrase reads megabytes of the full-text index, and
# a long-lived connection (a notebook) then finds them cached (search p95 at 100,000
# articles: 15.7 ms with the default, 13.4 with this). Export keeps the default, and its memory.
WRITER_CACHE_KIB = 65536
SEARCH_CACHE_KIB = 32768
RUN_COUNTERS = ("pages", "new", "updated", "unchanged", "duplicate", "rejected", "errors")


class Archive:
    """An open archive file. Cheap to open; one per process or thread."""

    def __init__(self, path: str | Path, *, writer_cache_kib: int = WRITER_CACHE_KIB):
        """writer_cache_kib: the page cache this connection takes when it first stores articles."""
        self.path = Path(path)
        self._writer_cache_kib = writer_cache_kib
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                        check_same_thread=False)
            self._set_wal()
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            # A size cap (in pages) for tests that need a full disk without root mounts.
            if os.environ.get("NEWSDESK_MAX_DB_PAGES"):
                self.conn.execute(f"PRAGMA max_page_count={int(os.environ['NEWSDESK_MAX_DB_PAGES'])}")
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"cannot open archive {self.path}: {exc}") from exc
        self.db = sqlite_utils.Database(self.conn)
        self._cache_kib = 0  # the page cache size set on this connection; 0: SQLite's default
        self._migrate()

    # -- plumbing ---------------------------------------------------------------------

    def _set_wal(self) -> None:
        """Switch the file to WAL. Several processes opening a new file at once race for the
        switch, and SQLite answers the losers "database is locked" at once, without waiting
        for its busy timeout: they try again until the file is in WAL or the timeout passes."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _as_writer(self) -> None:
        self._cache_at_least(self._writer_cache_kib)

    def _cache_at_least(self, kib: int) -> None:
        if self._cache_kib < kib:
            self.conn.execute(f"PRAGMA cache_size=-{kib}")
            self._cache_kib = kib

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction that holds the write lock from its first statement."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(f"archive {self.path} is not writable: {exc}") from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            # SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR).
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                hint = ": free some disk space and run again" if "full" in str(exc) else ""
                raise StorageError(f"write to archive {self.path} failed: {exc}{hint}") from exc
            raise

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(f"archive {self.path} has schema {version}, newer than this newsdesk "
                               f"({SCHEMA_VERSION}): upgrade newsdesk")
        if version == SCHEMA_VERSION:
            return
        # sqlite-utils' DDL helpers manage their own transactions, so migrations run under
        # an exclusive lock taken with a plain BEGIN IMMEDIATE and committed by hand.
        with self.write():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(self.db)
                self.conn.execute(f"PRAGMA user_version={number}")

    # -- storing ----------------------------------------------------------------------

    def save(self, result: Extraction, *, source: str | None = None, run_id: int | None = None,
             status: int | None = 200) -> Saved:
        """Store an extraction result and log the fetch; one short transaction."""
        return self.save_many([result], source=source, run_id=run_id, status=status)[0]

    def record_error(self, url: str, reason: str, *, source: str | None = None,
                     run_id: int | None = None, status: int | None = None) -> Saved:
        """Log a URL that failed before extraction (network, HTTP status, size...)."""
        with self.write() as conn:
            log_fetch(conn, url, source, run_id, status, "error", reason, None, utcnow())
        return Saved("error", url, reason=reason)

    def save_many(self, results: Iterable[Extraction], *, source: str | None = None, run_id: int | None = None,
                  status: int | None = 200, batch: int = 500,
                  statuses: Iterable[int | None] | None = None) -> list[Saved]:
        """Store many results with the outcomes `save` would give one by one, `batch` per
        transaction (each commit costs a full-text segment and the pages it touched).
        `statuses`, if given, holds each result's HTTP status in step with `results`."""
        saved: list[Saved] = []
        self._as_writer()
        results = iter(results)
        each = iter(statuses) if statuses is not None else None
        while chunk := list(islice(results, batch)):
            codes = [next(each) for _ in chunk] if each is not None else [status] * len(chunk)
            items = [Pending(r, source or (r.source if isinstance(r, Article) else None), run_id, code)
                     for r, code in zip(chunk, codes)]
            # signatures only for texts not already stored as they are (a re-crawl of unchanged
            # pages signs nothing); a large batch's are made while it is written (storage.signer)
            urls = [r.url for r in chunk if isinstance(r, Article)]
            stored = dict(self.conn.execute(
                "SELECT url, content_hash FROM articles WHERE url IN (SELECT value FROM json_each(?))",
                (json.dumps(urls),)).fetchall()) if urls else {}
            sigs = signatures([r if isinstance(r, Article) and stored.get(r.url) != r.content_hash else None
                               for r in chunk])
            with self.write() as conn:
                saved.extend(save_batch(conn, items, sigs, utcnow()))
        self._merge_bands_if_due()
        return saved

    def _merge_bands_if_due(self) -> None:
        """Move new LSH band keys into the big table when enough have gathered (storage.clusters),
        after a save's transaction."""
        if merge_due(self.conn):
            merge_recent(self.write)

    def optimize(self, *, pages: int = 2000) -> int:
        """Merge the full-text index into one segment after a bulk load, in short write
        transactions of about `pages` index pages each (a crawl writing meanwhile waits for
        one step, not the whole merge). Searches for common words and phrases read one
        segment instead of a dozen. Returns the steps taken."""
        steps = 0
        while True:
            with self.write() as conn:
                before = conn.total_changes
                # a negative page count puts every segment on one level first: an optimize in steps
                conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('merge', ?)", (-abs(pages),))
                worked = conn.total_changes - before >= 2  # FTS5: under 2 changes means nothing left
            steps += 1
            if not worked:
                return steps

    def fts_segments(self) -> int:
        """How many segments the full-text index has (a search reads each of them)."""
        return self.conn.execute("SELECT count(DISTINCT segid) FROM articles_fts_idx").fetchone()[0]

    # -- reading ----------------------------------------------------------------------

    def get(self, id_or_url: int | str) -> dict[str, Any] | None:
        """One article by id, canonical URL or fetched URL."""
        if isinstance(id_or_url, int) or str(id_or_url).isdigit():
            rows = self.db.query("SELECT * FROM articles WHERE id = ?", [int(id_or_url)])
        else:
            rows = self.db.query(
                "SELECT * FROM articles WHERE url = :u UNION ALL "
                "SELECT a.* FROM articles a JOIN fetches f ON f.article_id = a.id WHERE f.url = :u LIMIT 1",
                {"u": id_or_url},
            )
        row = next(iter(rows), None)
        return _decode(row) if row else None

    def revisions(self, article_id: int) -> list[dict[str, Any]]:
        """Every revision of an article, oldest first, each with its text."""
        return list(self.db.query(
            f"SELECT * FROM {REVISIONS_VIEW} WHERE article_id = ? ORDER BY revision", [article_id]))

    def raw_html(self, article_id: int) -> str | None:
        row = self.conn.execute("SELECT html FROM raw_pages WHERE article_id = ?", (article_id,)).fetchone()
        return decompress_html(row[0]) if row else None

    def count(self, source: str | None = None) -> int:
        if source:
            return self.conn.execute("SELECT count(*) FROM articles WHERE source = ?", (source,)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def seen_urls(self, urls: list[str]) -> set[str]:
        """Which of these URLs an earlier fetch already turned into an article or a rejection.

        Errors are not "seen": a URL that failed is tried again on the next run. In a shard
        archive, the URLs its sources have in the main archive are seen too (known_urls).
        """
        seen: set[str] = set()
        for start in range(0, len(urls), 500):
            chunk = urls[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            seen.update(r[0] for r in self.conn.execute(
                f"SELECT url FROM fetches WHERE url IN ({marks}) AND outcome != 'error' "
                f"UNION SELECT url FROM articles WHERE url IN ({marks}) "
                f"UNION SELECT url FROM known_urls WHERE url IN ({marks})", chunk * 3))
        return seen

    def articles(self, *, source: str | None = None, since: str | None = None, until: str | None = None,
                 language: str | None = None, query: str | None = None) -> Iterator[dict[str, Any]]:
        """Every matching article, streamed in id order (constant memory). `query` keeps those
        that match a search query (the syntax of `search`; every match, unranked); a query
        that cannot be parsed raises QueryError here, before anything is read."""
        where, params = _filters(source, since, until, language, prefix="a.")
        if query is None:
            sql = "SELECT a.* FROM articles a" + (f" WHERE {where}" if where else "") + " ORDER BY a.id"
        else:
            # FTS5 hands its matches over in rowid order: nothing is sorted or held
            params["match"] = match_expression(self.conn, query)
            sql = ("SELECT a.* FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                   "WHERE articles_fts MATCH :match" + (f" AND {where}" if where else "")
                   + " ORDER BY articles_fts.rowid")
        return (_decode(row) for row in self.db.query(sql, params))

    def search(self, query: str, *, source: str | None = None, since: str | None = None,
               until: str | None = None, language: str | None = None, limit: int = 20,
               collapse: bool = False, highlight: tuple[str, str] = ("[", "]"),
               window: int | None = RANK_WINDOW) -> list[dict[str, Any]]:
        """Full-text search, best first (BM25, the title weighted over the text), with snippets.

        Each hit is the article's record plus `snippet` (matches between the `highlight`
        marks), `rank` (lower is better) and `copies` (other articles of the same story).
        With `collapse`, a story appears once, through its best-ranked copy. A query
        matching more than `window` articles is ranked among its `window` most recently
        stored matches; `window=None` ranks them all (slower for broad queries). Raises
        QueryError for a query that uses FTS5 operators and does not parse.
        """
        self._cache_at_least(SEARCH_CACHE_KIB)
        hits = search_ids(self.conn, query, source=source, since=since, until=until, language=language,
                          limit=limit, collapse=collapse, highlight=highlight, window=window)
        if not hits:
            return []
        marks = ", ".join(str(int(i)) for i, _, _ in hits)
        rows = {r["id"]: r for r in self.db.query(f"SELECT * FROM articles WHERE id IN ({marks})")}
        clusters = sorted({r["cluster_id"] for r in rows.values() if r["cluster_id"] is not None})
        sizes = dict(self.conn.execute(
            f"SELECT cluster_id, count(*) FROM articles WHERE cluster_id IN ({', '.join('?' for _ in clusters)}) "
            "GROUP BY cluster_id", clusters).fetchall()) if clusters else {}
        out = []
        for article_id, rank, snippet in hits:
            row = _decode(rows[article_id])
            row.update(snippet=snippet, rank=rank, copies=max(sizes.get(row["cluster_id"], 1) - 1, 0))
            out.append(row)
        return out

    def copies(self, article_id: int) -> list[dict[str, Any]]:
        """The other articles of the same story (same cluster_id): id, url, source, title..."""
        return copies(self.conn, article_id)

    # -- feed state (conditional GET, polling etiquette) ------------------------------

    def feed_state(self, url: str) -> dict[str, Any] | None:
        """What the last poll of a feed or sitemap left: validators, body hash, not_before, failures."""
        return next(iter(self.db.query("SELECT * FROM feed_state WHERE url = ?", [url])), None)

    def set_feed_state(self, url: str, source: str | None, **fields: Any) -> None:
        """Create or update one feed's state; only the given fields change."""
        allowed = {"etag", "last_modified", "body_hash", "checked_at", "not_before", "failures", "last_error"}
        fields = {k: v for k, v in fields.items() if k in allowed}
        fields.setdefault("checked_at", utcnow())
        names = ["url", "source", *fields]
        updates = ", ".join(f"[{k}] = excluded.[{k}]" for k in ["source", *fields])
        with self.write() as conn:
            conn.execute(
                f"INSERT INTO feed_state ({', '.join(f'[{k}]' for k in names)}) "
                f"VALUES ({', '.join('?' for _ in names)}) ON CONFLICT(url) DO UPDATE SET {updates}",
                [url, source, *fields.values()],
            )

    # -- runs -------------------------------------------------------------------------

    def start_run(self, source: str, pid: int | None = None) -> int:
        with self.write() as conn:
            cursor = conn.execute("INSERT INTO runs (source, started_at, status, pid) VALUES (?, ?, 'running', ?)",
                                  (source, utcnow(), pid))
            return int(cursor.lastrowid)

    def finish_run(self, run_id: int, status: str, counts: dict[str, int] | None = None,
                   last_error: str | None = None) -> None:
        counts = {k: v for k, v in (counts or {}).items() if k in RUN_COUNTERS}
        sets = "".join(f", [{k}] = :{k}" for k in counts)
        with self.write() as conn:
            conn.execute(
                f"UPDATE runs SET ended_at = :ended, status = :status, "
                f"last_error = coalesce(:err, last_error){sets} WHERE id = :id",
                {"ended": utcnow(), "status": status, "err": last_error, "id": run_id, **counts},
            )

    def mark_stale_runs(self, source: str | None = None) -> list[int]:
        """Close as `interrupted` the runs (of one source, or all) still marked `running` whose
        process is gone: a crawl killed with SIGKILL, or by a power cut, cannot close its own.
        Runs without a pid are left alone (nothing tells whether they still run)."""
        sql = "SELECT id, pid FROM runs WHERE status = 'running' AND pid IS NOT NULL"
        rows = self.conn.execute(sql + (" AND source = ?" if source else ""), (source,) if source else ()).fetchall()
        stale = [run_id for run_id, pid in rows if not _pid_alive(pid)]
        for run_id in stale:
            self.finish_run(run_id, "interrupted", self.run_counts(run_id),
                            last_error="the crawl process died without closing its run (killed?)")
        return stale

    def runs_by_pid(self, pid: int, sources: list[str]) -> dict[str, dict[str, Any]]:
        """The latest run of each of these sources started by process `pid` (a batch's crawl
        subprocess). Looked up by source (indexed): a months-old archive holds millions of runs."""
        rows = self.db.query(
            "SELECT * FROM runs WHERE id IN (SELECT max(id) FROM runs WHERE pid = ? AND source IN "
            "(SELECT value FROM json_each(?)) GROUP BY source)", [pid, json.dumps(sources)])
        return {row["source"]: row for row in rows}

    def run_counts(self, *run_ids: int) -> dict[str, int]:
        """Runs' counters so far (summed over several), from their fetches (the runs row is
        written when a run ends)."""
        counts = {k: 0 for k in RUN_COUNTERS}
        if not run_ids:
            return counts
        marks = ", ".join("?" * len(run_ids))
        for outcome, n in self.conn.execute(
                f"SELECT outcome, count(*) FROM fetches WHERE run_id IN ({marks}) GROUP BY outcome", run_ids):
            key = "errors" if outcome == "error" else outcome
            if key in counts:
                counts[key] += n
        counts["pages"] = self.conn.execute(
            f"SELECT count(*) FROM fetches WHERE run_id IN ({marks}) AND status IS NOT NULL", run_ids).fetchone()[0]
        return counts

    def runs(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        where = "WHERE source = ?" if source else ""
        return list(self.db.query(f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT {int(limit)}",
                                  [source] if source else []))

    # -- learned boilerplate (storage.learned; the rule is in ingest.boilerplate) ----------

    def learned_boilerplate(self, site: str) -> frozenset[str]:
        """The line keys learned as boilerplate for a site (see ingest.boilerplate.site_of)."""
        from storage.learned import learned_boilerplate

        return learned_boilerplate(self, site)

    def learn_lines(self, article_id: int, *, reclean: bool = True) -> list[str]:
        """Count a stored article's lines for its site, once; return the newly learned keys.

        Call it after every save that stored an article (new or updated). With `reclean`,
        the site's earlier articles lose newly learned lines (a new revision each)."""
        from storage.learned import learn_lines

        return learn_lines(self, article_id, reclean=reclean)

    def learn_many(self, article_ids: list[int], *,
                   keys: Mapping[int, dict[str, str]] | None = None) -> list[list[str]]:
        """`learn_lines` for several stored articles, counted in one transaction (then re-cleaned);
        returns the newly learned keys of each. `keys`: some of the articles' line keys
        (ingest.boilerplate.line_keys of their stored texts), made before."""
        from storage.learned import learn_many

        return learn_many(self, article_ids, keys)

    def revise(self, article_id: int, article: Article) -> int | None:
        """Replace a stored article's text and metadata with a re-extraction of its page.

        Keeps its URL, source and first/last seen; a field the new extraction left empty
        keeps its stored value. A new revision only if the text changed: returns its number,
        else None."""
        from storage.learned import revise_text

        record = article.record()
        # text_from too: the stored page (a feed item's text, perhaps) is the same document as before
        for key in ("url", "fetched_url", "source", "text", "content_hash", "word_count", "text_from"):
            record.pop(key, None)
        record["tags"] = json.dumps(article.tags, ensure_ascii=False) if article.tags else None
        record["categories"] = json.dumps(article.categories, ensure_ascii=False) if article.categories else None
        fields = {k: v for k, v in record.items() if v not in (None, "")}
        sig = sign(article)  # before the write lock; unused if the text is unchanged
        with self.write() as conn:
            return revise_text(conn, article_id, article.text, utcnow(), fields=fields, sig=sig)


def _pid_alive(pid: int) -> bool:
    """Whether a process of this id runs on this machine (a zombie does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:  # no /proc (not Linux): kill(0) is all we know
        return True


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for key in ("tags", "categories"):
        if isinstance(row.get(key), str):
            try:
                row[key] = json.loads(row[key])
            except ValueError:
                row[key] = [row[key]]
    return row
