"""Archive statistics for `newsdesk stats`: totals, per source, per day, per language, error rates."""
from __future__ import annotations

from typing import Any

from storage.archive import Archive


def _rows(archive: Archive, sql: str) -> list[dict[str, Any]]:
    return list(archive.db.query(sql))


def archive_stats(archive: Archive) -> dict[str, list[dict[str, Any]]]:
    """Sections of rows, each a list of dicts with the same keys (ready for a table or JSON).

    Error rates come from the `fetches` log: the share of fetches whose outcome was
    `error`, per source. Days are the articles' own publication days (as the page gave
    them, in its offset); articles without a date are counted under `unknown`.
    """
    return {
        "totals": _rows(archive, """
            SELECT (SELECT count(*) FROM articles) AS articles,
                   (SELECT count(DISTINCT source) FROM articles) AS sources,
                   (SELECT count(*) FROM (SELECT cluster_id FROM articles GROUP BY cluster_id
                                          HAVING count(*) > 1)) AS syndicated_stories,
                   (SELECT min(substr(published_at, 1, 10)) FROM articles) AS first_published,
                   (SELECT max(substr(published_at, 1, 10)) FROM articles) AS last_published,
                   (SELECT count(*) FROM fetches) AS fetches,
                   (SELECT count(*) FROM fetches WHERE outcome = 'error') AS fetch_errors,
                   (SELECT round(1.0 * sum(outcome = 'error') / max(count(*), 1), 4) FROM fetches) AS error_rate
        """),
        "sources": _rows(archive, """
            WITH a AS (SELECT source, count(*) AS articles, max(last_seen) AS last_seen,
                              max(substr(published_at, 1, 10)) AS last_published
                       FROM articles GROUP BY source),
                 f AS (SELECT source, count(*) AS fetches, sum(outcome = 'error') AS errors,
                              sum(outcome = 'rejected') AS rejected
                       FROM fetches GROUP BY source),
                 s AS (SELECT source FROM a UNION SELECT source FROM f)
            SELECT s.source, coalesce(a.articles, 0) AS articles, a.last_published, a.last_seen,
                   coalesce(f.fetches, 0) AS fetches, coalesce(f.errors, 0) AS errors,
                   coalesce(f.rejected, 0) AS rejected,
                   round(1.0 * coalesce(f.errors, 0) / max(coalesce(f.fetches, 0), 1), 4) AS error_rate
            FROM s LEFT JOIN a ON a.source IS s.source LEFT JOIN f ON f.source IS s.source
            ORDER BY articles DESC, s.source
        """),
        "languages": _rows(archive, """
            SELECT coalesce(language, 'unknown') AS language, count(*) AS articles
            FROM articles GROUP BY 1 ORDER BY articles DESC, language
        """),
        "days": _rows(archive, """
            SELECT coalesce(substr(published_at, 1, 10), 'unknown') AS day, count(*) AS articles,
                   count(DISTINCT source) AS sources
            FROM articles GROUP BY 1 ORDER BY day DESC
        """),
    }
