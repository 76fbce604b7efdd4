"""Section pages: which links on a listing page lead to articles.

A source's `article_pattern` (a regex searched in the URL's path and query) decides when it is
set; otherwise a heuristic does: not a navigation page (courlan), not a file, and a last path
segment that reads like a story slug or an id. Links are resolved and normalized; off-site
filtering is the caller's job (it counts them).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from courlan import is_navigation_page, is_not_crawlable
from lxml import etree

from ingest.links import is_http_url, join, normalize

_NOT_PAGES = re.compile(r"\.(jpe?g|png|gif|webp|svg|ico|pdf|zip|gz|mp[34]|avi|mov|css|js|json|xml|rss|txt)$", re.I)
_NOT_ARTICLES = re.compile(
    r"/(tags?|topics?|category|categories|section|sections|authors?|page|search|about|contact|"
    r"privacy|terms|login|signin|register|subscribe|newsletter|feed|rss|sitemap|archive|video|videos|"
    r"gallery|galleries|live|weather|podcasts?)(/|$)", re.I)
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+){2,}", re.I)  # three words or more
_ID = re.compile(r"\d{4,}")


def article_links(html: bytes | str, base_url: str, pattern: str | None = None) -> list[str]:
    """Normalized URLs of the article links on a listing page, in page order, without repeats."""
    try:
        doc = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = next(iter(doc.xpath("//base/@href")), None)
    base_url = join(base_url, base) if base else base_url
    compiled = re.compile(pattern) if pattern else None
    seen: set[str] = set()
    links: list[str] = []
    for href in doc.xpath("//a/@href"):
        url = normalize(join(base_url, str(href).strip()))
        if url in seen or not is_http_url(url):
            continue
        seen.add(url)
        if compiled is not None:
            parts = urlsplit(url)
            if compiled.search(parts.path + ("?" + parts.query if parts.query else "")):
                links.append(url)
        elif looks_like_article(url):
            links.append(url)
    return links


def looks_like_article(url: str) -> bool:
    """A URL that reads like one story: /world/2024/05/council-passes-the-budget or /news/123456."""
    path = urlsplit(url).path
    if not path.strip("/") or _NOT_PAGES.search(path) or _NOT_ARTICLES.search(path):
        return False
    if is_navigation_page(url) or is_not_crawlable(url):
        return False
    last = path.rstrip("/").rsplit("/", 1)[-1]
    last = re.sub(r"\.s?html?$", "", last, flags=re.I)
    return bool(_SLUG.fullmatch(last) or _ID.search(last))
