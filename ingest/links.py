"""Discovery links: one spelling per URL before fingerprinting and seen-checks, and on-site checks."""
from __future__ import annotations

from urllib.parse import urlsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url, url_query_cleaner

# Tracking parameters change the request fingerprint without changing the page. courlan drops
# the common ones; these are the rest seen in feeds and share links.
_TRACKERS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
             "utm_name", "utm_reader", "utm_brand", "utm_social", "utm_social-type",
             "fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "igshid", "ocid", "cmpid", "_ga")


def normalize(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters,
    query arguments sorted. Returns the input unchanged when it is not an http(s) URL."""
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https"):
        return url
    try:
        url = normalize_url(url)
    except (ValueError, AttributeError):
        return url
    params = [p for p in _query_keys(url) if p.lower().startswith("utm_") or p.lower() in _TRACKERS]
    if params:
        url = url_query_cleaner(url, params, remove=True, keep_fragments=False)
    return canonicalize_url(url, keep_fragments=False)


def _query_keys(url: str) -> list[str]:
    query = urlsplit(url).query
    return [part.split("=", 1)[0] for part in query.split("&") if part]


def site_host(url: str) -> str:
    """The host a URL belongs to for on-site checks: lower case, without a leading www."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
