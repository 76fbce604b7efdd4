"""Polling etiquette for feeds and sitemaps: when a publisher asks us not to come back yet.

Retry-After (on 429/503), Cache-Control max-age and RSS <ttl> each give a time before which
the feed is not fetched again; the archive keeps it in feed_state.not_before.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

MAX_WAIT_S = 24 * 3600  # never trust a header to silence a feed for more than a day
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.I)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_WAIT_S)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max((when - (now or now_utc())).total_seconds(), 0.0), MAX_WAIT_S)


def max_age_s(cache_control: str | None) -> float | None:
    """max-age from a Cache-Control header, unless no-cache/no-store say otherwise."""
    if not cache_control or re.search(r"no-cache|no-store", cache_control, re.I):
        return None
    match = _MAX_AGE.search(cache_control)
    return min(float(match[1]), MAX_WAIT_S) if match else None


def not_before(wait_s: float | None, now: datetime | None = None) -> str | None:
    """The ISO time after which polling may resume, or None when there is nothing to wait for."""
    if not wait_s or wait_s <= 0:
        return None
    return ((now or now_utc()) + timedelta(seconds=wait_s)).isoformat(timespec="seconds")


def is_due(not_before_iso: str | None, now: datetime | None = None) -> bool:
    if not not_before_iso:
        return True
    try:
        when = datetime.fromisoformat(not_before_iso)
    except ValueError:
        return True
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (now or now_utc()) >= when
