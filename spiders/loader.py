"""Spider loader: every source in sources.toml is a spider named by its key.

`scrapy list` lists the keys; `scrapy crawl <key>` builds a NewsSpider for that source.
"""
from __future__ import annotations

import logging
from pathlib import Path

from scrapy import Request, Spider
from scrapy.settings import BaseSettings

from ingest.sources.config import load_sources
from ingest.links import site_host
from spiders.news import spider_for

logger = logging.getLogger(__name__)


class SourceSpiderLoader:
    """Implements Scrapy's SpiderLoaderProtocol over sources.toml."""

    def __init__(self, settings: BaseSettings):
        path = Path(settings.get("NEWSDESK_SOURCES") or "sources.toml")
        if not path.exists():
            logger.warning("no sources file at %s: no spiders (set NEWSDESK_SOURCES)", path)
            self._spiders: dict[str, type[Spider]] = {}
        else:
            self._spiders = {key: spider_for(source) for key, source in load_sources(path).items()}

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "SourceSpiderLoader":
        return cls(settings)

    def load(self, spider_name: str) -> type[Spider]:
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> list[str]:
        return sorted(self._spiders)

    def find_by_request(self, request: Request) -> list[str]:
        host = site_host(request.url)
        return [name for name, cls in self._spiders.items()
                if host in {site_host("http://" + h) for h in cls.source.hosts}]
