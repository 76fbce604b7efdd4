"""ArchivePipeline: extract each Page in the worker pool, store the result, count it.

Extraction is awaited (asyncio) so fetching goes on meanwhile; storing is one short
transaction on the reactor thread, after extraction, never around it.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from scrapy.crawler import Crawler

from ingest.models import Page, Rejected
from ingest.pool import ExtractionPool
from spiders.items import FetchFailed, Stored

_COUNTER = {"error": "errors"}  # run counters are plural for errors only


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.pool: ExtractionPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchivePipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        settings = self.crawler.settings
        self.pool = ExtractionPool(settings.getint("NEWSDESK_WORKERS"), settings.getfloat("NEWSDESK_EXTRACT_TIMEOUT"))

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()

    async def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        where = {"source": spider.source_key, "run_id": spider.run_id}
        if isinstance(item, Page):
            self.stats.inc_value("newsdesk/pages")
            result = await self.pool.extract(item, spider.extract_options)
            if isinstance(result, Rejected):  # logged against the URL we asked for, so it counts as seen
                result = dataclasses.replace(result, url=item.url)
            saved = spider.archive.save(result, status=item.status, **where)
        elif isinstance(item, FetchFailed):
            saved = spider.archive.record_error(item.url, item.reason, status=item.status, **where)
        elif isinstance(item, Rejected):
            saved = spider.archive.save(item, status=None, **where)
        else:
            return item
        self.stats.inc_value(f"newsdesk/{_COUNTER.get(saved.outcome, saved.outcome)}")
        if saved.outcome == "error":
            self.stats.set_value("newsdesk/last_error", f"{item.url}: {saved.reason}")
        return Stored(item.url, saved)
