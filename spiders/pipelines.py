"""ArchivePipeline: extract each Page in the worker pool, store the result, learn from it, count it.

Extraction is awaited (asyncio) so fetching goes on meanwhile. Results are stored in batches
(spiders.batching): up to STORE_BATCH pages in one short transaction, after extraction, never
around it; an item counts as stored only once its batch committed. The batches run one after
another in a storing thread with its own connection: a transaction took the reactor away from
downloading for half of a local crawl's time, while SQLite and zlib work without the GIL.
The pool, the storing thread and its connection are the process's (spiders.shared): every
source of a batch crawl extracts in the same warm workers and stores through the same writer.
"""
from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from ingest.errors import StorageError
from ingest.models import Page, Rejected, Saved
from spiders.batching import Batcher
from spiders.items import FetchFailed, Stored
from spiders.shared import Shared, release, shared_for

_COUNTER = {"error": "errors"}  # run counters are plural for errors only
# Each commit flushes a full-text segment: 16 pages a transaction cut the main process's
# commit time several-fold, and a page waits at most STORE_DELAY_S for its batch.
STORE_BATCH = 16
STORE_DELAY_S = 0.2
STORE_MOST = 64  # a batch when pages queued up behind a busy writer: fewer, larger commits


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.shared: Shared | None = None
        self.batcher: Batcher[tuple[Any, Any], Saved] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchivePipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        self.loop = asyncio.get_event_loop()
        self.shared = shared_for(self.crawler.settings)
        # the batch's one storing thread: batches commit in the order they were flushed, never two at once
        self.batcher = Batcher(self._store, self.shared.writer, STORE_BATCH, STORE_DELAY_S, most=STORE_MOST)

    async def close_spider(self) -> None:
        try:
            await self.batcher.drain()  # Scrapy drains its items first; this is only a safety net
        finally:
            release(self.shared)

    async def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        if isinstance(item, Page):
            if item.text_from == "page":  # one built from a feed item (newsdesk/from_feed) was not fetched
                self.stats.inc_value("newsdesk/pages")
            result = await self.shared.pool.extract(item, spider.extract_options(item.final_url or item.url))
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
        """One transaction for the batch's saves, one for its learning (spider.learn_many).
        Runs in the storing thread: only the shared store connection is touched here, and the spider's
        cached options are dropped on the reactor thread, before any caller hears of the batch."""
        spider = self.crawler.spider
        # a fetch failure is logged exactly as record_error would, as a Rejected of kind "error"
        results = [Rejected(r.url, r.reason, kind="error") if isinstance(r, FetchFailed) else r for _, r in entries]
        statuses = [item.status if isinstance(item, (Page, FetchFailed)) else None for item, _ in entries]
        store = self.shared.store
        saved = store.save_many(results, source=spider.source_key, run_id=spider.run_id,
                                statuses=statuses, batch=len(results))
        if sites := spider.learn_many(saved, store):
            self.loop.call_soon_threadsafe(spider.forget_options, sites)
        return saved
