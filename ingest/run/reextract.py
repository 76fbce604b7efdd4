"""`newsdesk reextract`: rebuild stored articles from their raw HTML with today's extractor.

Each article's stored page goes through the same `process_page` as a crawl, with the
source's overrides and its site's learned boilerplate, and becomes a new revision only if
its text really changed. Extraction happens outside any write transaction: one short
write per changed article.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from ingest.boilerplate import site_of
from ingest.models import Article, Hints, Page
from ingest.options import extract_options_for
from ingest.page import process_page
from ingest.sources.config import Source
from storage import Archive

BATCH = 500


def reextract_archive(archive: Archive, source: str | None = None, *,
                      sources: Mapping[str, Source] | None = None,
                      progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Re-extract every stored article (of one source, if given).

    Returns counts: `updated` (new revision), `unchanged`, `failed` (the page no longer
    extracts to an article; the stored article is kept as it was), `no_html` (stored
    without its page). `sources` gives per-source overrides (sources.toml)."""
    counts = {"updated": 0, "unchanged": 0, "failed": 0, "no_html": 0}
    # Articles stored before line statistics existed (or by a path that skipped them) are
    # counted first, so the learned set below reflects the whole archive.
    for article_id in _ids(archive, source, uncounted=True):
        archive.learn_lines(article_id, reclean=False)
    learned: dict[str, frozenset[str]] = {}
    done = 0
    for article_id in _ids(archive, source):
        row = archive.conn.execute(
            "SELECT url, fetched_url, source, title, published_at, language FROM articles WHERE id = ?",
            (article_id,)).fetchone()
        html = archive.raw_html(article_id)
        if row is None or html is None:
            counts["no_html"] += 1
            continue
        url, fetched_url, article_source, title, published_at, language = row
        site = site_of(url, article_source)
        if site not in learned:
            learned[site] = archive.learned_boilerplate(site)
        options = extract_options_for((sources or {}).get(article_source), learned[site])
        # What the archive knew stands in for the feed's hints: the page's own metadata wins.
        page = Page(url=fetched_url or url, final_url=fetched_url or url, body=html.encode("utf-8"),
                    content_type="text/html; charset=utf-8", source=article_source,
                    hints=Hints(title=title, published_at=published_at, language=language, via="archive"))
        result = process_page(page, options)
        if not isinstance(result, Article):
            counts["failed"] += 1
        elif archive.revise(article_id, result) is not None:
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        done += 1
        if progress is not None:
            progress(done)
    return counts


def _ids(archive: Archive, source: str | None, *, uncounted: bool = False):
    """Article ids in order, read a batch at a time (no read held open across writes)."""
    last = 0
    where = " AND source = ?" if source else ""
    if uncounted:
        where += " AND id NOT IN (SELECT article_id FROM site_articles)"
    while True:
        ids = [r[0] for r in archive.conn.execute(
            f"SELECT id FROM articles WHERE id > ?{where} ORDER BY id LIMIT {BATCH}",
            (last, source) if source else (last,))]
        if not ids:
            return
        yield from ids
        last = ids[-1]
