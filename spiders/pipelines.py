"""ArchivePipeline: extract each Page in the worker pool, store the result, learn from it, count it.

Extraction is awaited (asyncio) so fetching goes on meanwhile; storing is one short
transaction on the reactor thread, after extraction, never around it.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from ingest.errors import StorageError
from ingest.models import Page, Rejected, Saved
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
        if isinstance(item, Page):
            self.stats.inc_value("newsdesk/pages")
            result = await self.pool.extract(item, spider.extract_options(item.final_url or item.url))
            if isinstance(result, Rejected):  # logged against the URL we asked for, so it counts as seen
                result = dataclasses.replace(result, url=item.url)
        elif isinstance(item, (FetchFailed, Rejected)):
            result = item
        else:
            return item
        try:
            saved = self._store(spider, item, result)
            spider.learn(saved)
        except StorageError as exc:  # a full disk: nothing more can be stored, so the crawl stops
            self.stats.inc_value("newsdesk/errors")
            self.stats.set_value("newsdesk/last_error", f"{item.url}: {exc}")
            spider.stop_on_storage_error(exc)
            raise DropItem(f"not stored: {item.url}: {exc}") from None
        self.stats.inc_value(f"newsdesk/{_COUNTER.get(saved.outcome, saved.outcome)}")
        if saved.outcome == "error":
            self.stats.set_value("newsdesk/last_error", f"{item.url}: {saved.reason}")
        return Stored(item.url, saved)

    @staticmethod
    def _store(spider: Any, item: Any, result: Any) -> Saved:
        where = {"source": spider.source_key, "run_id": spider.run_id}
        if isinstance(result, FetchFailed):
            return spider.archive.record_error(result.url, result.reason, status=result.status, **where)
        return spider.archive.save(result, status=item.status if isinstance(item, Page) else None, **where)
