"""URL spelling and discovery links: one spelling per URL (fetches, seen-checks and canonical
URLs alike), link resolution, on-site checks."""
from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# Tracking parameters change the URL without changing the page: the one list, for the URLs the
# crawler fetches and the canonical URLs articles are stored under alike (matched, lower-cased,
# anywhere in a parameter name, as courlan does). The first three lines are courlan 1.4's own
# list, kept here word for word so that a courlan upgrade cannot respell stored URLs; the rest
# are exact names seen in feeds, share links and news CMSs.
_TRACKERS = re.compile(
    r"^(?:dc|fbc|gc|twc|yc|ysc)lid|^(?:click|gbra|msclk|igsh|partner|wbra)id|"
    r"^(?:ads?|mc|ga|gs|itm|mc|mkt|ml|mtm|oly|pk|utm|vero)_|"
    r"(?:\b|_)(?:aff|affi|affiliate|campaign|cl?id|eid|ga|gl|kwd|keyword|medium|ref|referr?er|session|source|uid|xtor)|"
    r"^(?:utm_.*|fbclid|gclid|dclid|mc_cid|mc_eid|igshid|_ga|ocid|cmpid|cmp|icid|ito|s_cid|int_source|intcmp|"
    r"at_[a-z]+|wt\.[a-z_]+|wt_[a-z_]+|ns_[a-z_]+|sr_share|share|smid|spm|_hs[a-z]+|fb_[a-z_]+|rss|algo|amp|"
    r"outputtype)$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def normalize(url: str) -> str:
    """The one spelling of a URL, for fetching, seen-checks and canonical URLs alike.

    Lower-case scheme and host (an IDN host in punycode), no default port, no fragment, no
    tracking parameters, query arguments sorted by name. The path keeps what the server sees:
    only characters that cannot travel as written are percent-encoded (as Scrapy will send
    them), and only escapes of unreserved characters are decoded (RFC 3986 6.2.2), so
    `/it's-(odd)` and `/it%27s` both fetch what they named. Returns the input unchanged when
    it is not a valid http(s) URL (link_problem says what is wrong with it).
    """
    url = url.strip()
    if link_problem(url):
        return url
    try:
        # "&amp;" is an HTML escape leaked from a feed or a sitemap (courlan unescaped it too)
        parts = urlsplit(safe_url_string(url.replace("&amp;", "&")))  # IDNA host, UTF-8 escapes
        scheme = parts.scheme.lower()
        return urlunsplit((scheme, _netloc(parts, scheme), _path(parts.path), _query(parts.query), ""))
    except ValueError:  # includes UnicodeError from an IDNA label
        return url


def _netloc(parts: SplitResult, scheme: str) -> str:
    userinfo, at, hostport = parts.netloc.rpartition("@")
    hostport = hostport.lower().rstrip(":")
    if parts.port is not None and parts.port == _DEFAULT_PORTS.get(scheme):
        hostport = hostport.rsplit(":", 1)[0]
    return userinfo + at + hostport


def _path(path: str) -> str:
    # Escapes of unreserved characters are the same URL (%7E is ~); any other escape stays, since
    # a server may tell %27 from ' or %3B from ;. Only the hex case of an escape is normalized.
    def escape(m: re.Match) -> str:
        char = chr(int(m.group(1), 16))
        return char if char in _UNRESERVED else "%" + m.group(1).upper()

    path = re.sub("/{2,}", "/", _ESCAPE.sub(escape, path))  # "//" collapsed, as courlan always did
    return _remove_dot_segments(path) if path.startswith("/") else "/"


def _remove_dot_segments(path: str) -> str:
    """`/a/./b/../c` is `/a/c` (RFC 3986 5.2.4); a leading `..` goes nowhere."""
    segments = path.split("/")[1:]
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    if segments[-1] in (".", "..") and kept:
        kept.append("")  # "/a/b/.." names the directory "/a/"
    return "/" + "/".join(kept)


def _query(query: str) -> str:
    # latin-1 maps each escaped byte to one character and back, so a value that is not UTF-8
    # (?q=caf%E9) is sent as written instead of becoming U+FFFD. Blank arguments go, as in
    # courlan; repeated arguments keep their order (a stable sort by name only).
    pairs = [(k, v) for k, v in parse_qsl(query, encoding="latin-1") if not _TRACKERS.search(k.lower())]
    return urlencode(sorted(pairs, key=lambda pair: pair[0]), encoding="latin-1")


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
