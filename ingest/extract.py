"""extract_article(html, url): trafilatura plus our cleaning, to one normalized Article.

(First cut: plain trafilatura. The cleaning layer lands with the extraction work.)
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import trafilatura

from ingest.boilerplate import strip_learned
from ingest.errors import ExtractionError
from ingest.models import Article, Hints


class NotAnArticle(ExtractionError):
    """The page parsed fine but holds no article (home page, listing, error page)."""


@dataclass(frozen=True)
class ExtractOptions:
    """Per-site extraction settings, built from a Source."""

    body_selector: str | None = None
    remove_selectors: tuple[str, ...] = ()
    favor_precision: bool = False
    boilerplate: frozenset[str] = frozenset()  # learned site-wide lines, normalized


def extract_article(html: str, url: str, *, hints: Hints | None = None,
                    options: ExtractOptions | None = None) -> Article:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None or not doc.text:
        raise NotAnArticle("no article text found")
    text = doc.text.strip()
    if options is not None and options.boilerplate:
        text = strip_learned(text, options.boilerplate)  # the site's learned template lines
    return Article(
        url=url, fetched_url=url, title=doc.title, text=text, author=doc.author,
        published_at=doc.date, site_name=doc.sitename, language=doc.language,
        word_count=len(text.split()), content_hash=hashlib.sha256(text.encode()).hexdigest(), html=html,
    )
