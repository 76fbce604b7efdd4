"""ArchiveSpider: what every newsdesk spider shares: the archive, turning a response into a Page,
the extraction options of each page (with its site's learned boilerplate), and learning after a save."""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Iterator

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from ingest.boilerplate import site_of
from ingest.errors import StorageError
from ingest.extract import ExtractOptions
from ingest.models import Hints, Page, Saved
from ingest.options import extract_options_for
from ingest.sources.config import Source
from spiders.failures import describe_failure
from spiders.items import FetchFailed
from spiders.shared import release, shared_for
from storage import Archive


OPTIONS_TTL_S = 30.0  # how stale a site's learned lines may get when another process learns them


class ArchiveSpider(scrapy.Spider):
    """A spider with the archive (its process's shared connection: seen-checks, polling state,
    run records) that yields Pages."""

    source_key = "manual"
    source: Source | None = None  # its sources.toml entry, for extraction overrides
    run_id: int | None = None
    timeout_s: float | None = None
    maxsize: int | None = None  # DOWNLOAD_MAXSIZE, named in "page over the size limit" reasons
    storage_error: str | None = None  # set when the archive could not be written: the crawl stops

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "ArchiveSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.shared = shared_for(crawler.settings)
        spider.archive = spider.shared.reader  # one connection for every crawl of the batch
        spider.timeout_s = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        spider.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        spider._options = {}
        # A callback's own writes (feed state) can hit a full disk too: Scrapy would only log it.
        crawler.signals.connect(spider._spider_error, signal=signals.spider_error)
        return spider

    def _spider_error(self, failure: Failure, **_: Any) -> None:
        if isinstance(failure.value, StorageError):
            self.stop_on_storage_error(failure.value)

    def page_request(self, url: str, hints: Hints, **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.page_failed,
                              meta={"newsdesk_url": url, "newsdesk_hints": hints}, **kwargs)

    def parse_page(self, response: Response) -> Iterator[Page]:
        content_type = response.headers.get("Content-Type")
        hints = response.meta["newsdesk_hints"]
        if hints.content_html:  # the page came: its feed item's text need not travel to extraction
            hints = dataclasses.replace(hints, content_html=None)
        yield Page(
            url=response.meta["newsdesk_url"], final_url=response.url, body=response.body,
            status=response.status, content_type=content_type.decode("latin-1") if content_type else None,
            source=self.source_key, hints=hints,
        )

    def page_failed(self, failure: Failure) -> Iterator[FetchFailed]:
        reason, status = describe_failure(failure, self.timeout_s, self.maxsize)
        yield FetchFailed(failure.request.meta["newsdesk_url"], reason, status)

    def extract_options(self, url: str) -> ExtractOptions:
        """The options for one page: the source's overrides and its site's learned boilerplate.

        The learned set is one indexed query per site, cached; it is read again after this crawl
        learns a line for the site, and every OPTIONS_TTL_S for what other writers learned."""
        site = site_of(url, self.source_key)
        cached = self._options.get(site)
        now = time.monotonic()
        if cached is None or now - cached[0] > OPTIONS_TTL_S:
            cached = (now, extract_options_for(self.source, self.archive.learned_boilerplate(site)))
            self._options[site] = cached
        return cached[1]

    def learn(self, saved: Saved) -> None:
        """After storing an article: count its lines for its site (storage.learned); a line that
        becomes boilerplate is stripped from the site's stored articles and from the pages after."""
        if saved.article_id is None or saved.outcome not in ("new", "updated"):
            return
        if self.archive.learn_lines(saved.article_id):
            self._options.pop(site_of(saved.url, self.source_key), None)

    def learn_many(self, saved: list[Saved], archive: Archive | None = None) -> set[str]:
        """`learn` for a batch of saves, its counting in one transaction (in `archive`, the
        pipeline's storing connection, or the spider's own). Returns the sites that learned a
        line: the caller passes them to `forget_options` on the reactor thread."""
        fresh = [s for s in saved if s.article_id is not None and s.outcome in ("new", "updated")]
        if not fresh:
            return set()
        learned = (archive or self.archive).learn_many([s.article_id for s in fresh])
        return {site_of(s.url, self.source_key) for s, new_line in zip(fresh, learned) if new_line}

    def forget_options(self, sites: set[str]) -> None:
        """Drop the cached options of these sites: their next page reads the learned lines again."""
        for site in sites:
            self._options.pop(site, None)

    def stop_on_storage_error(self, exc: StorageError) -> None:
        """The archive cannot be written (disk full, read-only, corrupt): every later page would be
        lost the same way, so the crawl stops here, its run closed as failed with this reason."""
        if self.storage_error is None:
            self.storage_error = str(exc)
            self.logger.error("stopping the crawl: %s", exc)
            self._closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))

    def closed(self, reason: str) -> None:
        release(self.shared)
