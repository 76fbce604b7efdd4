"""The one-off path: `newsdesk ingest URL...` and `newsdesk ingest --html FILE --url URL`."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ingest.errors import ConfigError, IngestError
from ingest.models import Hints, Page, Saved
from ingest.page import MAX_PAGE_BYTES, process_page
from storage import Archive


def ingest_file(archive: Archive, path: Path, url: str, *, source: str = "manual") -> Saved:
    """Store a saved page as if it had been fetched from `url` (no network)."""
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
    return archive.save(process_page(page), source=source)


def ingest_urls(db_path: str, urls: list[str], *, source: str = "manual") -> list[Saved]:
    """Fetch each URL through Scrapy (same robots, limits and retries as crawls) and store it."""
    from ingest.crawl import fetch_and_store

    return fetch_and_store(db_path, urls, source=source)
