"""Canonical URLs: the page's own `<link rel=canonical>` / og:url, or the fetched URL, both normalized
(links.normalize, the spelling the crawler fetches and checks as seen).

The canonical URL is the article's identity in the archive, so a wrong one merges different
stories. It is trusted only when it is a valid http(s) URL that is not the site's home
page (a common CMS mistake); otherwise the fetched URL stands in.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

# One normalizer for every URL: a canonical URL is spelled as the crawler spells the URLs it
# fetches, so articles.url and fetches.url agree for the same page. The old name stays.
from ingest.links import normalize as normalize_url

_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/default.aspx"}


def is_home_page(url: str) -> bool:
    """The root of a site (or its index document), with no query."""
    parts = urlsplit(url)
    return parts.path.rstrip("/").lower() in {p.rstrip("/") for p in _HOME_PATHS} and not parts.query


def _valid(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # raises on a port out of range
    except ValueError:  # an invalid host ("http://[::1/x"): a broken tag, not the page's identity
        return False
    return (parts.scheme in ("http", "https") and "." in host and " " not in url
            and not re.search(r"[{}<>]|undefined|null", host))


def canonical_url(tree: HtmlElement | None, fetched_url: str) -> str:
    """The page's canonical URL when it is usable, else the fetched URL; both normalized."""
    fetched = normalize_url(fetched_url)
    if tree is None:
        return fetched
    candidates = tree.xpath('//link[contains(concat(" ", normalize-space(translate(@rel, "CANOICL", "canoicl")), " "), " canonical ")]/@href')
    candidates += tree.xpath('//meta[@property="og:url" or @name="og:url"]/@content')
    for raw in candidates:
        raw = (raw or "").strip()
        if not raw or re.search(r"\{\{|\$\{|undefined|\bnull\b", raw):
            continue
        try:
            absolute = urljoin(fetched_url, raw)
        except ValueError:
            continue
        if not _valid(absolute):
            continue
        normalized = normalize_url(absolute)
        if is_home_page(normalized) and not is_home_page(fetched):
            continue
        return normalized
    return fetched
