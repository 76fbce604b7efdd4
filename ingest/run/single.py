"""The one-off path: `newsdesk ingest URL...` and `newsdesk ingest --html FILE --url URL`."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ingest.boilerplate import site_of
from ingest.errors import ConfigError, IngestError
from ingest.models import Hints, Page, Saved
from ingest.options import extract_options_for
from ingest.page import MAX_PAGE_BYTES, process_page
from ingest.sources.config import Source
from storage import Archive


def ingest_file(archive: Archive, path: Path, url: str, *, source: str = "manual",
                config: Source | None = None) -> Saved:
    """Store a saved page as if it had been fetched from `url` (no network).

    `config`: the source's sources.toml entry, for its extraction overrides."""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ConfigError(f"--url {url!r}: expected an http(s) URL")
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            return archive.record_error(url, f"{path}: page over the size limit ({size} > {MAX_PAGE_BYTES} bytes)",
                                        source=source)
        body = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file") from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror}") from None
    page = Page(url=url, final_url=url, body=body, content_type="text/html", source=source,
                hints=Hints(via="manual"))
    options = extract_options_for(config, archive.learned_boilerplate(site_of(url, source)))
    saved = archive.save(process_page(page, options), source=source)
    if saved.article_id is not None and saved.outcome in ("new", "updated"):
        archive.learn_lines(saved.article_id)
    return saved


def ingest_urls(db_path: str, urls: list[str], *, source: str = "manual") -> list[Saved]:
    """Fetch each URL through Scrapy (same robots, limits and retries as crawls) and store it."""
    from ingest.run.crawl import fetch_and_store

    return fetch_and_store(db_path, urls, source=source)
