"""Discovery links: one spelling per URL before fingerprinting and seen-checks, and on-site checks."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url, url_query_cleaner

# Tracking parameters change the request fingerprint without changing the page. courlan drops
# the common ones; these are the rest seen in feeds and share links.
_TRACKERS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
             "utm_name", "utm_reader", "utm_brand", "utm_social", "utm_social-type",
             "fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "igshid", "ocid", "cmpid", "_ga")


def normalize(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters,
    query arguments sorted. Returns the input unchanged when it is not a valid http(s) URL
    (link_problem says what is wrong with it)."""
    url = url.strip()
    if link_problem(url):
        return url
    try:
        url = normalize_url(url)
        params = [p for p in _query_keys(url) if p.lower().startswith("utm_") or p.lower() in _TRACKERS]
        if params:
            url = url_query_cleaner(url, params, remove=True, keep_fragments=False)
        return canonicalize_url(url, keep_fragments=False)
    except (ValueError, AttributeError):
        return url


def _query_keys(url: str) -> list[str]:
    query = urlsplit(url).query
    return [part.split("=", 1)[0] for part in query.split("&") if part]


def site_host(url: str) -> str:
    """The host a URL belongs to for on-site checks: lower case, without a leading www."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # an invalid host ("http://[::1/x") belongs to no site
        return ""
    host = host.rstrip(".")  # "example.org." is example.org
    return host[4:] if host.startswith("www.") else host


def join(base: str, link: str) -> str:
    """`link` resolved against `base`. A link urljoin cannot parse (an invalid host such as
    "http://[::1/x" raises ValueError) comes back as written, for link_problem to name:
    one bad link must not cost the rest of its document."""
    try:
        return urljoin(base, link)
    except ValueError:
        return link.strip()


def link_problem(url: str) -> str | None:
    """Why a discovered link cannot be fetched, or None when it is a usable http(s) URL."""
    try:
        parts = urlsplit(url)
        parts.port  # raises on a port out of range or not a number
    except ValueError as exc:
        return f"invalid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "not an http(s) URL (no host)"
    return None


def is_http_url(url: str) -> bool:
    return link_problem(url) is None
