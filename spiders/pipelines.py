"""ArchivePipeline: extract each Page in the worker pool, store the result, learn from it, count it.

Extraction is awaited (asyncio) so fetching goes on meanwhile. Results are stored in batches
(spiders.batching): up to STORE_BATCH pages in one short transaction on the reactor thread,
after extraction, never around it; an item counts as stored only once its batch committed.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from ingest.errors import StorageError
from ingest.models import Page, Rejected, Saved
from ingest.pool import ExtractionPool
from spiders.batching import Batcher
from spiders.items import FetchFailed, Stored

_COUNTER = {"error": "errors"}  # run counters are plural for errors only
# Each commit flushes a full-text segment: 16 pages a transaction cut the main process's
# commit time several-fold, and a page waits at most STORE_DELAY_S for its batch.
STORE_BATCH = 16
STORE_DELAY_S = 0.2


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.pool: ExtractionPool | None = None
        self.batcher: Batcher[tuple[Any, Any], Saved] = Batcher(self._store, STORE_BATCH, STORE_DELAY_S)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchivePipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        settings = self.crawler.settings
        self.pool = ExtractionPool(settings.getint("NEWSDESK_WORKERS"), settings.getfloat("NEWSDESK_EXTRACT_TIMEOUT"))

    def close_spider(self) -> None:
        self.batcher.flush()  # Scrapy drains its items first; this is only a safety net
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
            saved = await self.batcher.submit((item, result))
        except StorageError as exc:  # a full disk: nothing more can be stored, so the crawl stops
            self.stats.inc_value("newsdesk/errors")
            self.stats.set_value("newsdesk/last_error", f"{item.url}: {exc}")
            spider.stop_on_storage_error(exc)
            raise DropItem(f"not stored: {item.url}: {exc}") from None
        self.stats.inc_value(f"newsdesk/{_COUNTER.get(saved.outcome, saved.outcome)}")
        if saved.outcome == "error":
            self.stats.set_value("newsdesk/last_error", f"{item.url}: {saved.reason}")
        return Stored(item.url, saved)

    def _store(self, entries: list[tuple[Any, Any]]) -> list[Saved]:
        """One transaction for the batch's saves, one for its learning (spider.learn_many)."""
        spider = self.crawler.spider
        # a fetch failure is logged exactly as record_error would, as a Rejected of kind "error"
        results = [Rejected(r.url, r.reason, kind="error") if isinstance(r, FetchFailed) else r for _, r in entries]
        statuses = [item.status if isinstance(item, (Page, FetchFailed)) else None for item, _ in entries]
        saved = spider.archive.save_many(results, source=spider.source_key, run_id=spider.run_id,
                                         statuses=statuses, batch=len(results))
        spider.learn_many(saved)
        return saved
