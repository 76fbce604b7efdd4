"""`newsdesk sources add URL`: discover a site in a Scrapy child process, then write its table.

The fetching runs in `python -m spiders.run discover` (a Twisted reactor cannot restart, and
the fetching is a crawl's: robots.txt, delay, user agent, limits); what it found comes back
as JSON and becomes a commented `[sources.KEY]` table in sources.toml (ingest.sources.file).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.discover.site import Found
from ingest.errors import ConfigError, IngestError
from ingest.run.crawl import _child_env, _tail
from ingest.sources.config import DEFAULT_USER_AGENT, load_sources
from ingest.sources.file import NewSource, append_sources, key_for_url, unique_key

SETTINGS = ("feeds", "news_sitemaps", "sitemaps", "sections")


def discover(url: str, *, delay: float = 1.0, user_agent: str = DEFAULT_USER_AGENT,
             timeout_s: float = 20.0) -> Found:
    """What a site offers, found from its address. IngestError when the address itself
    cannot be fetched (an unreachable host, a 404...)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{url!r}: expected the site's http(s) address, e.g. https://news.example.org/")
    with tempfile.TemporaryDirectory(prefix="newsdesk-discover-") as tmp:
        out, log = Path(tmp) / "found.json", Path(tmp) / "discover.log"
        env = {**_child_env(), "NEWSDESK_DELAY": str(delay), "NEWSDESK_TIMEOUT": str(timeout_s)}
        with open(log, "wb") as log_file:
            proc = subprocess.run([sys.executable, "-m", "spiders.run", "discover", "--results", str(out),
                                   "--user-agent", user_agent, url],
                                  stdout=log_file, stderr=subprocess.STDOUT, env=env)
        if not out.exists():
            raise IngestError(f"discovery of {url} failed (exit {proc.returncode}):\n{_tail(log)}")
        data = json.loads(out.read_text(encoding="utf-8"))
    data["tried"] = [tuple(t) for t in data["tried"]]
    found = Found(**data)
    if found.page_error and not found.anything:
        raise ConfigError(f"{url}: {found.page_error}; check the address (nothing else was found there either)")
    if not found.anything:
        raise IngestError(f"nothing to crawl found at {url}: tried {tried_summary(found)}")
    return found


def tried_summary(found: Found) -> str:
    """What discovery tried, in a line: '6 feed addresses (none a feed with items), robots.txt...'."""
    counts: dict[str, int] = {}
    for role, _, _ in found.tried:
        counts[role] = counts.get(role, 0) + 1
    parts = [f"{counts.get('feed', 0)} feed addresses", f"{counts.get('sitemap', 0) + counts.get('sitemap_child', 0)} sitemap addresses",
             "robots.txt" if counts.get("robots") else "", f"{counts.get('section', 0)} navigation links as sections"]
    return ", ".join(p for p in parts if p) + "; none gave articles"


def new_source(found: Found, key: str, *, delay: float = 1.0) -> NewSource:
    """The sources.toml table for what was found, each setting with a note on where it came from."""
    settings: dict[str, Any] = {"name": found.name or urlsplit(found.url).hostname}
    notes: dict[str, str] = {}
    for name in SETTINGS:
        urls = getattr(found, name)
        if urls:
            settings[name] = urls
    if found.article_pattern:
        settings["article_pattern"] = found.article_pattern
        notes["article_pattern"] = found.pattern_note
    if found.feeds or found.news_sitemaps:
        settings["schedule"] = "every 30m"
    else:  # sitemaps and sections only: a full listing each time, so less often
        settings["schedule"] = "every 2h"
    settings["delay"] = delay
    comment = [f"Found by `newsdesk sources add {found.url}` on {date.today().isoformat()}:",
               f"{_summary(found)}; {found.articles} article URLs listed."]
    if not found.article_pattern and found.sections:
        comment.append(found.pattern_note)
    return NewSource(key=key, settings=settings, comment=comment, notes=notes)


def _summary(found: Found) -> str:
    parts = []
    for name in SETTINGS:
        n = len(getattr(found, name))
        if n:
            label = name.replace("_", " ")
            parts.append(f"{n} {label if n > 1 else label.removesuffix('s')}")
    return ", ".join(parts) or "nothing"


def add_source(sources_path: str | Path, found: Found, *, key: str | None = None, delay: float = 1.0,
               dry_run: bool = False) -> NewSource:
    """Write the table for `found` into sources.toml (unless `dry_run`) and return it.

    The file must read as it is first: a broken sources.toml is reported, not rewritten."""
    path = Path(sources_path)
    existing = load_sources(path) if path.exists() else {}
    if key and key in existing:
        raise ConfigError(f"{path}: [sources.{key}] exists already; choose another --key")
    source = new_source(found, key or unique_key(existing, key_for_url(found.url)), delay=delay)
    if not dry_run:
        append_sources(path, [source])
    return source
