"""Full-text search over the archive: FTS5 queries, BM25 ranking, snippets, one hit per story.

A query is first tried as FTS5 syntax, so phrases ("political asylum"), prefixes (assang*),
AND/OR/NOT and column filters (title:assange) work. Plain text a person types (U.S.
election, covid-19, Brexit: what next) is often not valid FTS5; when such a query has no
operators in it, its words are searched as quoted terms instead. A query that does use
operators and still fails to parse is the user's to fix: it raises QueryError.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from ingest.errors import ConfigError

# BM25 with the title weighted over the text (articles_fts columns: title, text).
RANK = "bm25(5.0, 1.0)"
_OPERATORS = re.compile(r'["()]|\b(?:AND|OR|NOT|NEAR)\b')
_PARSE_ERRORS = ("fts5", "syntax error", "no such column", "unterminated string", "unknown special query")


class QueryError(ConfigError):
    """A search query the full-text engine cannot parse."""


def quote_terms(query: str) -> str:
    """Plain words as FTS5 terms: each quoted (punctuation inside is fine), a trailing * kept."""
    terms = []
    for word in query.split():
        core = word.rstrip("*")
        if core:
            terms.append('"' + core.replace('"', '""') + '"' + ("*" if word.endswith("*") else ""))
    return " ".join(terms)


def filters(source: str | None, since: str | None, until: str | None, language: str | None,
            prefix: str = "") -> tuple[str, dict[str, Any]]:
    """SQL conditions and parameters for the common filters; dates compare as ISO text."""
    clauses, params = [], {}
    if source:
        clauses.append(f"{prefix}source = :source")
        params["source"] = source
    if since:
        clauses.append(f"{prefix}published_at >= :since")
        params["since"] = since
    if until:
        # a bare day means "through the end of that day"
        clauses.append(f"{prefix}published_at < :until")
        params["until"] = until + "T99" if len(until) == 10 else until
    if language:
        clauses.append(f"{prefix}language = :language")
        params["language"] = language
    return " AND ".join(clauses), params


def search(conn: sqlite3.Connection, query: str, *, source: str | None = None, since: str | None = None,
           until: str | None = None, language: str | None = None, limit: int = 20, collapse: bool = False,
           highlight: tuple[str, str] = ("[", "]")) -> list[tuple[int, float, str]]:
    """(article id, rank, snippet) of the best matches, best first.

    With `collapse`, each story (cluster) appears once, through its best-ranked copy.
    """
    query = query.strip()
    if not quote_terms(query):
        raise QueryError("empty search query: give one or more words, e.g. newsdesk search assange")
    try:
        return _run(conn, query, source, since, until, language, limit, collapse, highlight)
    except sqlite3.OperationalError as exc:
        if not any(marker in str(exc) for marker in _PARSE_ERRORS):
            raise
        if _OPERATORS.search(query):
            raise QueryError(f"cannot parse search query {query!r} ({exc}): close quotes and brackets, "
                             'write operators as AND/OR/NOT between words, e.g. "political asylum" OR assang*'
                             ) from exc
    return _run(conn, quote_terms(query), source, since, until, language, limit, collapse, highlight)


def _run(conn: sqlite3.Connection, match: str, source: str | None, since: str | None, until: str | None,
         language: str | None, limit: int, collapse: bool, highlight: tuple[str, str]) -> list[tuple[int, float, str]]:
    where, params = filters(source, since, until, language)
    if where or collapse:
        ranked = _ranked_filtered(conn, match, where, params, limit, collapse)
    else:
        # FTS5 sorts by rank itself when the query is on its table alone
        ranked = conn.execute("SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? AND rank MATCH ? "
                              "ORDER BY rank LIMIT ?", (match, RANK, limit)).fetchall()
    if not ranked:
        return []
    # Snippets only for the chosen few: SQLite would otherwise make one for every match.
    marks = ", ".join(str(int(i)) for i, _ in ranked)
    snippets = dict(conn.execute(
        "SELECT rowid, snippet(articles_fts, 1, ?, ?, '…', 16) FROM articles_fts "
        f"WHERE articles_fts MATCH ? AND rowid IN ({marks})", (*highlight, match)).fetchall())
    return [(i, r, snippets.get(i, "")) for i, r in ranked]


def _ranked_filtered(conn: sqlite3.Connection, match: str, where: str, params: dict[str, Any], limit: int,
                     collapse: bool) -> list[tuple[int, float]]:
    """The best `limit` matches that pass the filters (one per story with `collapse`).

    The full-text index ranks on its own (joining articles first made SQLite read an
    article row for every match of a common phrase); the ranked rowids are then read in
    growing chunks and checked against articles by primary key until `limit` pass.
    """
    cursor = conn.execute("SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? AND rank MATCH ? "
                          "ORDER BY rank", (match, RANK))
    out: list[tuple[int, float]] = []
    seen: set[int] = set()
    size = max(4 * limit, 50)
    try:
        while len(out) < limit and (chunk := cursor.fetchmany(size)):
            marks = ", ".join(str(int(i)) for i, _ in chunk)
            passed = dict(conn.execute(
                f"SELECT id, coalesce(cluster_id, id) FROM articles WHERE id IN ({marks})"
                + (f" AND {where}" if where else ""), params).fetchall())
            for article_id, rank in chunk:
                story = passed.get(article_id)
                if story is None or (collapse and story in seen):
                    continue
                seen.add(story)
                out.append((article_id, rank))
                if len(out) == limit:
                    break
            size *= 2
    finally:
        cursor.close()
    return out
