"""Feeds: RSS 0.9x/1.0/2.0 and Atom (via feedparser) and JSON Feed, parsed from bytes.

Each item gives its link and Hints: title, date, language, author, and its longest text as
HTML (content:encoded, Atom content, JSON Feed content_html/content_text, or the summary), from
which ingest.discover.feedtext may build the article when its page cannot be fetched.

Pure: the caller (Scrapy) fetches; feedparser is only ever handed bytes, never a URL, so it
can never fetch by itself (it has no timeout: feedparser#76).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html import escape
from typing import Any

import feedparser

from ingest.errors import ExtractionError
from ingest.links import join
from ingest.models import Hints

# Encoding mismatches are routine and harmless; anything else flagged "bozo" is a broken document.
_BENIGN = (feedparser.CharacterEncodingOverride,)


class MalformedFeed(ExtractionError):
    """The body is not a feed we can read; the message says why."""


@dataclass(frozen=True)
class FeedItem:
    url: str
    hints: Hints


@dataclass(frozen=True)
class Feed:
    items: list[FeedItem] = field(default_factory=list)
    ttl_s: int | None = None  # RSS <ttl>: how long the publisher asks us to cache it
    problem: str | None = None  # set when the document is broken but some items were recovered


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> Feed:
    """Parse a fetched feed; relative links resolve against `url`. Raises MalformedFeed."""
    if not body.strip():
        raise MalformedFeed("empty feed")
    head = body.lstrip()[:1]
    if head in (b"{", b"[") or "json" in (content_type or "").lower():
        return _parse_json_feed(body, url)
    # Bytes in, never a URL string: a str that looks like a URL would make feedparser fetch.
    parsed = feedparser.parse(body, response_headers={"content-location": url,
                                                      "content-type": content_type or "application/xml"})
    problem = None
    if parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), _BENIGN):
        problem = f"malformed feed: {parsed.get('bozo_exception')}"
    if not parsed.entries:
        if problem:
            raise MalformedFeed(problem)
        if not parsed.get("version"):
            raise MalformedFeed("not a feed (no RSS, Atom or JSON Feed document found)")
        return Feed(ttl_s=_ttl(parsed.feed.get("ttl")))
    language = _language(parsed.feed.get("language"))
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or _first_link(entry)
        if not link:
            continue
        raw_date = entry.get("published") or entry.get("updated")
        items.append(FeedItem(join(url, link), Hints(
            title=_clean(entry.get("title")),
            published_at=_iso_date(raw_date, entry.get("published_parsed") or entry.get("updated_parsed")),
            language=language, via="feed", content_html=_entry_content(entry), author=_entry_author(entry))))
    return Feed(items=items, ttl_s=_ttl(parsed.feed.get("ttl")), problem=problem)


def _parse_json_feed(body: bytes, url: str) -> Feed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise MalformedFeed(f"malformed JSON feed: {exc}") from None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise MalformedFeed("not a feed (JSON without a jsonfeed.org version)")
    items_data = data.get("items")
    if not isinstance(items_data, list):
        raise MalformedFeed("malformed JSON feed: 'items' is not a list")
    language = _language(data.get("language"))
    items = []
    for item in items_data:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if not isinstance(link, str) or not link:
            continue
        items.append(FeedItem(join(url, link), Hints(
            title=_clean(item.get("title")),
            published_at=_iso_date(item.get("date_published") or item.get("date_modified"), None),
            language=_language(item.get("language")) or language, via="feed",
            content_html=_longest([(item.get("content_html"), True), (item.get("content_text"), False),
                                   (item.get("summary"), False)]),
            author=_json_author(item) or _json_author(data))))
    return Feed(items=items)


def _entry_content(entry: Any) -> str | None:
    """An RSS/Atom item's longest text as HTML: content:encoded or Atom <content>, or the
    summary (<description>), which some feeds fill with the whole story. Whether it is the
    whole story or a teaser is ingest.discover.feedtext's call. feedparser has already sanitized it."""
    parts = [*entry.get("content", []), entry.get("summary_detail") or {}]
    return _longest([(part.get("value"), "html" in (part.get("type") or "text/html")) for part in parts])


def _entry_author(entry: Any) -> str | None:
    names = [_clean(a.get("name")) for a in entry.get("authors", []) if isinstance(a, dict)]
    names = [n for n in names if n] or [n for n in [_clean(entry.get("author"))] if n]
    return "; ".join(dict.fromkeys(names)) or None


def _json_author(obj: dict[str, Any]) -> str | None:
    """JSON Feed 1.1 `authors`, or 1.0 `author`: objects with a `name`."""
    people = obj.get("authors") or [obj.get("author")]
    names = [_clean(p.get("name")) for p in people if isinstance(p, dict)] if isinstance(people, list) else []
    return "; ".join(dict.fromkeys(n for n in names if n)) or None


def _longest(candidates: list[tuple[Any, bool]]) -> str | None:
    """The longest non-empty candidate as HTML; (value, is_html) pairs, plain text is escaped
    into paragraphs at its blank lines (or its lines, when it has no blank ones)."""
    best: str | None = None
    for value, is_html in candidates:
        if not isinstance(value, str) or not value.strip():
            continue
        if not is_html:
            text = value.strip().replace("\r\n", "\n")
            blocks = text.split("\n\n") if "\n\n" in text else text.split("\n")
            value = "".join(f"<p>{escape(' '.join(b.split()))}</p>" for b in blocks if b.strip())
        if best is None or len(value) > len(best):
            best = value
    return best


def _first_link(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("href") and link.get("rel", "alternate") == "alternate":
            return link["href"]
    return None


def _iso_date(raw: Any, parsed: Any) -> str | None:
    """The feed's date as ISO 8601, keeping the offset it was written with."""
    if isinstance(raw, str) and raw.strip():
        text = raw.strip()
        try:
            return parsedate_to_datetime(text).isoformat()  # RFC 822 (RSS)
        except (TypeError, ValueError, IndexError):
            pass
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()  # RFC 3339 (Atom, JSON)
        except ValueError:
            pass
    if parsed:  # feedparser's own parse of odd formats, normalized to UTC
        return datetime(*parsed[:6], tzinfo=timezone.utc).isoformat()
    return None


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().split("-")[0].split("_")[0].lower()[:3] or None


def _clean(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None
