"""Full-text search over the archive: FTS5 queries, BM25 ranking, snippets, one hit per story.

A query is first tried as FTS5 syntax, so phrases ("political asylum"), prefixes (assang*),
AND/OR/NOT and column filters (title:assange) work. Plain text a person types (U.S.
election, covid-19, Brexit: what next) is often not valid FTS5; when such a query has no
operators in it, its words are searched as quoted terms instead. A query that does use
operators and still fails to parse is the user's to fix: it raises QueryError.

Ranking costs FTS5 about 2 µs per match (BM25 for each), and a phrase costs a scan of the
whole index for its document frequency. A query matching more than RANK_WINDOW articles
(`"said in a statement"` matches one article in six) is therefore ranked among its
RANK_WINDOW most recently stored matches: at 100,000 articles that keeps the slowest
queries near 15 ms instead of 60 (bench.archive). `window=None` ranks every match.
"""
from __future__ import annotations

import heapq
import re
import sqlite3
from bisect import bisect_left
from typing import Any

from ingest.errors import ConfigError

# BM25 with the title weighted over the text (articles_fts columns: title, text).
TITLE_WEIGHT, TEXT_WEIGHT = 5.0, 1.0
RANK = f"bm25({TITLE_WEIGHT}, {TEXT_WEIGHT})"  # FTS5's `rank` (schema v5), for Datasette and SQL users
_SCORE = f"bm25(articles_fts, {TITLE_WEIGHT}, {TEXT_WEIGHT})"
RANK_WINDOW = 2000
SNIPPET_WALK_PER_ROW = 100  # matches walked instead of one lookup by rowid (see snippets)
SNIPPET_WORDS = 16
# FTS5 marks matches and cut text with these (private-use characters: never in a text) for `cut`
_OPEN, _CLOSE, _MORE = "\ue000", "\ue001", "\ue002"
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
           highlight: tuple[str, str] = ("[", "]"), window: int | None = RANK_WINDOW) -> list[tuple[int, float, str]]:
    """(article id, rank, snippet) of the best matches, best first.

    With `collapse`, each story (cluster) appears once, through its best-ranked copy. A
    query matching more than `window` articles is ranked among the newest `window` of them
    (among all, if too few of those pass the filters); None ranks all.
    """
    query = _nonempty(query)
    try:
        return _run(conn, query, source, since, until, language, limit, collapse, highlight, window)
    except sqlite3.OperationalError as exc:
        match = _as_plain_words(query, exc)
    return _run(conn, match, source, since, until, language, limit, collapse, highlight, window)


def match_expression(conn: sqlite3.Connection, query: str) -> str:
    """The FTS5 MATCH expression `search` would use for `query` (checked against the index):
    the query itself, or its words quoted. Raises QueryError as `search` does."""
    query = _nonempty(query)
    try:
        conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", (query,)).fetchall()
        return query
    except sqlite3.OperationalError as exc:
        return _as_plain_words(query, exc)


def _nonempty(query: str) -> str:
    query = query.strip()
    if not quote_terms(query):
        raise QueryError("empty search query: give one or more words, e.g. newsdesk search assange")
    return query


def _as_plain_words(query: str, exc: sqlite3.OperationalError) -> str:
    """After FTS5 refused `query`: its words quoted, if it used no operators (plain text a
    person typed); else QueryError. Errors that are not about the query are raised as they are."""
    if not any(marker in str(exc) for marker in _PARSE_ERRORS):
        raise exc
    if _OPERATORS.search(query):
        raise QueryError(f"cannot parse search query {query!r} ({exc}): close quotes and brackets, "
                         'write operators as AND/OR/NOT between words, e.g. "political asylum" OR assang*'
                         ) from exc
    return quote_terms(query)


def _run(conn: sqlite3.Connection, match: str, source: str | None, since: str | None, until: str | None,
         language: str | None, limit: int, collapse: bool, highlight: tuple[str, str],
         window: int | None) -> list[tuple[int, float, str]]:
    # "+column": the few ranked ids are checked by primary key; without statistics SQLite
    # would rather scan the (source, published_at) index for every row of the filter (1 ms
    # against 0.05 for 80 ids)
    where, params = filters(source, since, until, language, prefix="+")
    scores = _scores(conn, match, window)
    ranked = _best(conn, scores, where, params, limit, collapse)
    if window and len(scores) == window and len(ranked) < min(limit, window):
        # the filters left too few of the newest matches: rank them all
        scores = _scores(conn, match, None)
        ranked = _best(conn, scores, where, params, limit, collapse)
    if not ranked:
        return []
    chosen = [i for i, _ in ranked]
    low, high = min(chosen), max(chosen)
    # within a ranking window the matches between the chosen are few: walk them (see snippets)
    walk = sum(1 for rowid, _ in scores if low <= rowid <= high) <= SNIPPET_WALK_PER_ROW * len(chosen)
    found = snippets(conn, match, chosen, highlight, walk=walk)
    return [(i, r, found.get(i, "")) for i, r in ranked]


def snippets(conn: sqlite3.Connection, match: str, chosen: list[int], highlight: tuple[str, str], *,
             walk: bool) -> dict[int, str]:
    """Snippets of the chosen rows only: SQLite would otherwise make one for every match.

    FTS5 finds a match by rowid by setting the whole query up again (a phrase's or a
    prefix's doclists in every segment): about 0.2 ms a row. With `walk`, it walks the
    matches between the smallest and the largest chosen rowid instead, about 1 µs a match:
    faster while they number under SNIPPET_WALK_PER_ROW per chosen row."""
    marks = ", ".join(str(int(i)) for i in chosen)
    if walk:
        # "+rowid" is no index constraint: FTS5 takes the range, and SQLite keeps the chosen
        where, params = f"rowid BETWEEN ? AND ? AND +rowid IN ({marks})", (min(chosen), max(chosen))
    else:
        where, params = f"rowid IN ({marks})", ()
    # FTS5's widest snippet (64 words) holds the matches; `cut` takes the window from it
    rows = conn.execute(f"SELECT rowid, snippet(articles_fts, 1, ?, ?, ?, 64) FROM articles_fts "
                        f"WHERE articles_fts MATCH ? AND {where}", (_OPEN, _CLOSE, _MORE, match, *params))
    return {rowid: cut(marked, highlight) for rowid, marked in rows}


def cut(marked: str, highlight: tuple[str, str], words: int = SNIPPET_WORDS) -> str:
    """A window of `words` words of a highlighted text (or of a longer snippet of it, which
    says where the text goes on): the window with the most whole matches, each match a
    few words in, with "…" where the text goes on.

    FTS5's own snippet() prefers a window that starts a sentence, and so cut phrases short
    ("…said [in a]…" for "said in a statement"); here a match is never cut unless it is
    longer than the window."""
    before, after = marked.startswith(_MORE), marked.endswith(_MORE)
    tokens = marked.strip(_MORE).split()
    # matches by their first and last token; FTS5 never nests them, so both lists are sorted
    firsts = [i for i, t in enumerate(tokens) if _OPEN in t]
    lasts = [i for i, t in enumerate(tokens) if _CLOSE in t]
    spans = list(zip(firsts, lasts))
    start, best = 0, -1
    for first in firsts:
        s = max(0, min(first - words // 4, len(tokens) - words))  # a few words of context first
        whole = bisect_left(lasts, s + words) - bisect_left(firsts, s)  # matches wholly in the window
        if whole > best:
            best, start = whole, s
    text = " ".join(tokens[start:start + words])
    # a match cut by the window's edge is closed (or opened) there
    if text.count(_OPEN) > text.count(_CLOSE):
        text += _CLOSE
    if any(a < start <= b for a, b in spans):
        text = _OPEN + text
    text = text.replace(_OPEN, highlight[0]).replace(_CLOSE, highlight[1])
    return ("…" if before or start > 0 else "") + text + ("…" if after or start + words < len(tokens) else "")


def _scores(conn: sqlite3.Connection, match: str, window: int | None) -> list[tuple[int, float]]:
    """(rowid, BM25) of the `window` most recently stored matches, or of all with None.

    One pass: FTS5 walks the matches newest first and stops after `window`. Sorting by
    score is left to the caller: FTS5's own ORDER BY rank made a phrase's document
    frequency scan twice.
    """
    sql = f"SELECT rowid, {_SCORE} FROM articles_fts WHERE articles_fts MATCH ?"
    if window is None:
        return conn.execute(sql, (match,)).fetchall()
    return conn.execute(sql + " ORDER BY rowid DESC LIMIT ?", (match, window)).fetchall()


def _best(conn: sqlite3.Connection, scores: list[tuple[int, float]], where: str, params: dict[str, Any],
          limit: int, collapse: bool) -> list[tuple[int, float]]:
    """The best `limit` of the scored matches that pass the filters, one per story with
    `collapse`. With filters, the ranked ids are checked against articles by primary key in
    growing chunks until `limit` pass (joining articles first read an article row for every
    match of a common phrase)."""
    if not (where or collapse):
        return heapq.nsmallest(limit, scores, key=lambda hit: hit[1])
    scores.sort(key=lambda hit: hit[1])
    out: list[tuple[int, float]] = []
    seen: set[int] = set()
    size, at = max(4 * limit, 50), 0
    while len(out) < limit and at < len(scores):
        chunk, at = scores[at:at + size], at + size
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
    return out
