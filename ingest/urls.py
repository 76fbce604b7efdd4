"""Canonical URLs: the page's own `<link rel=canonical>` / og:url, normalized, or the fetched URL.

The canonical URL is the article's identity in the archive, so a wrong one merges different
stories. It is trusted only when it is a valid http(s) URL that is not the site's home
page (a common CMS mistake); otherwise the fetched URL stands in.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url as _courlan_normalize
from lxml.html import HtmlElement

# Beyond courlan's tracker list (utm_*, fbclid, gclid, ref, source...): a few more seen on news sites.
_EXTRA_TRACKERS = re.compile(
    r"^(?:cmp|cmpid|icid|ocid|ito|s_cid|int_source|intcmp|at_[a-z]+|wt\.[a-z_]+|wt_[a-z_]+|"
    r"ns_[a-z_]+|sr_share|share|smid|spm|_hs[a-z]+|fb_[a-z_]+|rss|algo|amp|outputtype)$",
    re.I,
)
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/default.aspx"}


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters, sorted query."""
    url = url.strip()
    try:
        normalized = _courlan_normalize(url)
    except (ValueError, AttributeError):
        normalized = url
    parts = urlsplit(normalized)
    query = "&".join(p for p in parts.query.split("&") if p and not _EXTRA_TRACKERS.match(p.split("=", 1)[0]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


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
