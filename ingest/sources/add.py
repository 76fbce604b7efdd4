"""`newsdesk sources add URL`: what discovery found on a site (ingest.run.crawl.discover_site)
becomes a commented `[sources.KEY]` table in sources.toml (ingest.sources.file).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.discover.site import Found
from ingest.errors import ConfigError
from ingest.sources.config import load_sources
from ingest.sources.file import NewSource, append_sources, key_for_url, unique_key

SETTINGS = ("feeds", "news_sitemaps", "sitemaps", "sections")


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
