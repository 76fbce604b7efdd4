"""sources.toml: load, validate and describe the configured news sources.

Every mistake is a ConfigError naming the source and the key, so `newsdesk` can say
"sources.toml: [sources.herald] delay: expected a number >= 0, got 'fast'" and exit 2.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.errors import ConfigError

DEFAULT_USER_AGENT = "newsdesk/0.1 (+https://github.com/newsdesk/newsdesk)"
DISCOVERY_KEYS = ("feeds", "news_sitemaps", "sitemaps", "sections")
_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_EVERY_RE = re.compile(r"^every\s+(\d+)\s*(s|m|h)$")


@dataclass(frozen=True)
class Schedule:
    """Either a 5-field cron expression or a fixed interval in seconds."""

    cron: str | None = None
    every_s: int | None = None

    def __str__(self) -> str:
        return self.cron if self.cron else f"every {self.every_s}s"


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    feeds: tuple[str, ...] = ()
    news_sitemaps: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    article_pattern: str | None = None
    schedule: Schedule = field(default_factory=lambda: Schedule(every_s=3600))
    delay: float = 1.0
    user_agent: str = DEFAULT_USER_AGENT
    max_pages: int = 500
    timeout_s: float = 20.0  # per request
    run_timeout_s: float = 1800.0  # per scheduled run
    recheck: bool = False  # fetch already archived URLs again to catch revisions
    # Build articles from the feed items' full text instead of fetching their pages (an item
    # holding only a teaser still has its page fetched); see ingest.discover.feedtext.
    feed_content: bool = False
    # Per-site extraction overrides (see ingest.extract.ExtractOptions).
    body_selector: str | None = None
    remove_selectors: tuple[str, ...] = ()
    favor_precision: bool = False

    @property
    def hosts(self) -> set[str]:
        urls = (*self.feeds, *self.news_sitemaps, *self.sitemaps, *self.sections)
        return {urlsplit(u).hostname or "" for u in urls}


_LIST_KEYS = (*DISCOVERY_KEYS, "remove_selectors")
_KNOWN = {
    "name", *_LIST_KEYS, "article_pattern", "schedule", "delay", "user_agent", "max_pages",
    "timeout", "run_timeout", "recheck", "body_selector", "favor_precision", "feed_content",
}


def parse_schedule(value: str, where: str = "schedule") -> Schedule:
    """'every 45s' / 'every 30m' / 'every 2h', or a 5-field cron expression."""
    text = value.strip().lower()
    match = _EVERY_RE.match(text)
    if match:
        seconds = int(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2]]
        if seconds <= 0:
            raise ConfigError(f"{where}: the interval must be positive, got {value!r}")
        return Schedule(every_s=seconds)
    if len(text.split()) == 5:
        from apscheduler.triggers.cron import CronTrigger  # validated by the scheduler's own parser

        try:
            CronTrigger.from_crontab(text)
        except ValueError as exc:
            raise ConfigError(f"{where}: invalid cron expression {value!r}: {exc}") from exc
        return Schedule(cron=text)
    raise ConfigError(f"{where}: expected a 5-field cron expression or 'every 45s' / 'every 30m' / "
                      f"'every 2h', got {value!r}")


def _http_url(value: Any, where: str) -> str:
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https") \
            or not urlsplit(value).hostname:
        raise ConfigError(f"{where}: expected an http(s) URL, got {value!r}")
    return value


def parse_source(key: str, table: Any, path: str = "sources.toml") -> Source:
    where = f"{path}: [sources.{key}]"
    if not _KEY_RE.match(key):
        raise ConfigError(f"{where}: the key must start with a letter and hold only letters, digits, - and _")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise ConfigError(f"{where} {unknown[0]}: unknown key; allowed: {', '.join(sorted(_KNOWN))}")
    kwargs: dict[str, Any] = {"key": key, "name": key}
    for name, value in table.items():
        at = f"{where} {name}"
        if name in _LIST_KEYS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise ConfigError(f"{at}: expected a list of strings, got {value!r}")
            check = _http_url if name in DISCOVERY_KEYS else _nonempty_str
            kwargs[name] = tuple(check(v, at) for v in value)
        elif name in ("name", "user_agent", "body_selector"):
            kwargs[name] = _nonempty_str(value, at)
        elif name == "article_pattern":
            try:
                re.compile(_nonempty_str(value, at))
            except re.error as exc:
                raise ConfigError(f"{at}: invalid regular expression {value!r}: {exc}") from exc
            kwargs[name] = value
        elif name == "schedule":
            kwargs[name] = parse_schedule(_nonempty_str(value, at), at)
        elif name in ("delay", "timeout", "run_timeout"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 \
                    or (name != "delay" and value == 0):
                raise ConfigError(f"{at}: expected a {'number >= 0' if name == 'delay' else 'positive number'} "
                                  f"of seconds, got {value!r}")
            kwargs[{"timeout": "timeout_s", "run_timeout": "run_timeout_s"}.get(name, name)] = float(value)
        elif name == "max_pages":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{at}: expected a whole number >= 1, got {value!r}")
            kwargs[name] = value
        elif name in ("recheck", "favor_precision", "feed_content"):
            if not isinstance(value, bool):
                raise ConfigError(f"{at}: expected true or false, got {value!r}")
            kwargs[name] = value
    if not any(kwargs.get(k) for k in DISCOVERY_KEYS):
        raise ConfigError(f"{where}: a source needs at least one of {', '.join(DISCOVERY_KEYS)}")
    return Source(**kwargs)


def _nonempty_str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def load_sources(path: str | Path) -> dict[str, Source]:
    """Parse and validate a sources.toml; the keys are the Scrapy spider names."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file; copy sources.example.toml or pass --sources PATH") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"sources"})
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key {unknown[0]!r}; sources go under [sources.<key>]")
    tables = data.get("sources", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: 'sources' must be a table of [sources.<key>] tables")
    return {key: parse_source(key, table, str(path)) for key, table in tables.items()}
