"""NewsSpider: one configured source's crawl: discover (feeds, sitemaps, sections), fetch only new pages.

Discovery documents are fetched with conditional GET and the publisher's polling wishes
(Retry-After, max-age, <ttl>) are kept in the archive's feed_state. A listing's validators
(ETag, Last-Modified) are stored only when the run finishes cleanly, every article it listed
attempted: stored on reading, a crawl killed (or out of disk) before its articles were stored
would leave later runs a 304 and lose those articles for good. Article URLs are
normalized, kept on-site, checked against the archive (already archived ones are skipped unless
the source sets `recheck`) and bounded by `max_pages`. The pipeline extracts and stores.
A page closed to us (paywall, robots.txt), or every page of a source that sets `feed_content`,
is built from its feed item's full text instead when the item has it (ingest.discover.feedtext).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Iterable, Iterator

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from ingest.errors import ExtractionError, StorageError
from ingest.discover.feeds import parse_feed
from ingest.discover.feedtext import CLOSED_STATUSES, feed_page
from ingest.models import Hints, Page, Rejected
from ingest.discover.polling import is_due, max_age_s, not_before, retry_after_s
from ingest.discover.sections import article_links
from ingest.discover.sitemaps import parse_sitemap
from ingest.sources.config import Source
from ingest.links import link_problem, normalize, site_host
from spiders.base import ArchiveSpider
from spiders.failures import ROBOTS_REFUSAL, describe_failure
from spiders.items import FetchFailed
from storage.archive import RUN_COUNTERS

DISCOVERY = (("feeds", "feed"), ("news_sitemaps", "news_sitemap"), ("sitemaps", "sitemap"), ("sections", "section"))
_POLL_STATUSES = [304, 429, 503]  # handled by the callback, not as errors


@dataclass
class Found:
    """What one discovery document lists."""

    candidates: list[tuple[str, Hints]]
    children: list[str] = field(default_factory=list)  # sitemaps listed by a sitemap index
    problem: str | None = None  # a broken feed that still gave some items
    ttl_s: int | None = None


def spider_for(source: Source) -> type["NewsSpider"]:
    """A NewsSpider subclass named after the source key, with its politeness settings."""
    settings: dict[str, Any] = {
        "DOWNLOAD_DELAY": source.delay,
        "DOWNLOAD_TIMEOUT": source.timeout_s,
        "USER_AGENT": source.user_agent,
        # delay = 0 means "my own site, no politeness needed": AutoThrottle would slow it down.
        "AUTOTHROTTLE_ENABLED": source.delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(source.delay, 0.1),
        "CLOSESPIDER_TIMEOUT": source.run_timeout_s,
    }
    return type(f"NewsSpider_{source.key}", (NewsSpider,), {
        "name": source.key, "source": source, "custom_settings": settings})


class NewsSpider(ArchiveSpider):
    name = "news"
    source: Source  # set by spider_for

    def __init__(self, *args: Any, max_pages: int | str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.source_key = self.source.key
        self.budget = int(max_pages) if max_pages else self.source.max_pages
        self.hosts = {site_host(f"http://{host}/") for host in self.source.hosts}
        self.scheduled: set[str] = set()  # every article URL met this run, normalized
        self.polled: list[str] = []  # discovery URLs read in full this run
        self.validators: dict[str, dict[str, str | None]] = {}  # theirs, stored at a clean finish
        self.truncated = False
        self.discovery_ok = 0
        self.discovery_failed = 0

    # -- discovery ----------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.run_id = self.archive.start_run(self.source_key, pid=os.getpid())
        for attr, kind in DISCOVERY:
            for url in getattr(self.source, attr):
                request = self.discovery_request(url, kind)
                if request is not None:
                    yield request

    def discovery_request(self, url: str, kind: str) -> scrapy.Request | None:
        state = self.archive.feed_state(url) or {}
        if not is_due(state.get("not_before")):
            self.logger.info("skipping %s until %s, as its publisher asked", url, state["not_before"])
            self.crawler.stats.inc_value("newsdesk/discovery_skipped")
            return None
        headers = {}
        if not self.source.recheck:  # a recheck wants the full listing, not a 304
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
        return scrapy.Request(url, headers=headers, callback=self.parse_discovery, errback=self.discovery_error,
                              priority=10, meta={"newsdesk_kind": kind, "newsdesk_url": url,
                                                 "handle_httpstatus_list": _POLL_STATUSES})

    def parse_discovery(self, response: Response) -> Iterator[Any]:
        url, kind = response.meta["newsdesk_url"], response.meta["newsdesk_kind"]
        state = self.archive.feed_state(url) or {}
        # Unchanged since the last clean finish (whose every article was attempted): a 304, or
        # the very same body from a server that sends no validators. Nothing to parse or fetch.
        unchanged = response.status == 304 or (
            response.status == 200 and not self.source.recheck and state.get("body_hash") is not None
            and state["body_hash"] == hashlib.sha256(response.body).hexdigest())
        if unchanged:
            self.crawler.stats.inc_value("newsdesk/discovery_not_modified")
            self.discovery_ok += 1
            self._note_polled(url, state, not_before(max_age_s(_header(response, "Cache-Control"))))
            return
        if response.status in (429, 503):
            wait = retry_after_s(_header(response, "Retry-After"))
            reason = f"HTTP {response.status}" + (f", asked to come back in {wait:g}s" if wait else "")
            yield from self._discovery_failed(url, reason, response.status, state, not_before(wait))
            return
        try:
            found = self._read(kind, response)
        except ExtractionError as exc:
            yield from self._discovery_failed(url, f"{kind.replace('_', ' ')}: {exc}", response.status, state)
            return
        self.discovery_ok += 1
        self.polled.append(url)
        self.crawler.stats.inc_value(f"newsdesk/discovered_{kind}s")
        wait = max(max_age_s(_header(response, "Cache-Control")) or 0, found.ttl_s or 0)
        self.validators[url] = {"etag": _header(response, "ETag"), "last_modified": _header(response, "Last-Modified"),
                                "body_hash": hashlib.sha256(response.body).hexdigest()}
        self.archive.set_feed_state(url, self.source_key, not_before=not_before(wait), failures=0,
                                    last_error=found.problem)
        if found.problem:  # a broken feed that still gave some items: use them, but say so
            yield FetchFailed(url, found.problem, response.status, discovery=True)
        for child in found.children:
            if problem := link_problem(child):
                yield Rejected(child, problem)
            elif site_host(child) in self.hosts:
                request = self.discovery_request(child, kind)
                if request is not None:
                    yield request
            else:
                self.crawler.stats.inc_value("newsdesk/offsite")
        yield from self.follow(found.candidates, kind)

    def _read(self, kind: str, response: Response) -> "Found":
        """What one discovery document lists. Raises MalformedFeed / MalformedSitemap."""
        if kind == "feed":
            feed = parse_feed(response.body, response.url, _header(response, "Content-Type"))
            return Found([(item.url, item.hints) for item in feed.items], problem=feed.problem, ttl_s=feed.ttl_s)
        if kind == "section":
            hints = Hints(via="section")
            return Found([(u, hints) for u in article_links(response.body, response.url, self.source.article_pattern)])
        sitemap = parse_sitemap(response.body, response.url)
        if sitemap.kind == "index":
            return Found([], children=[normalize(e.url) for e in sitemap.entries])
        return Found([(e.url, e.hints) for e in sitemap.entries])

    def discovery_error(self, failure: Failure) -> Iterator[FetchFailed]:
        url = failure.request.meta["newsdesk_url"]
        reason, status = describe_failure(failure, self.timeout_s, self.maxsize)
        yield from self._discovery_failed(url, reason, status, self.archive.feed_state(url) or {})

    def _note_polled(self, url: str, state: dict[str, Any], wait_until: str | None) -> None:
        """A good poll that changed nothing: written only when it clears a failure or a hold,
        so a poll that finds nothing new opens no write transaction."""
        if state.get("failures") or state.get("last_error") or state.get("not_before") or wait_until:
            self.archive.set_feed_state(url, self.source_key, failures=0, last_error=None, not_before=wait_until)

    def _discovery_failed(self, url: str, reason: str, status: int | None, state: dict[str, Any],
                          wait_until: str | None = None) -> Iterator[FetchFailed]:
        self.discovery_failed += 1
        self.archive.set_feed_state(url, self.source_key, failures=(state.get("failures") or 0) + 1,
                                    last_error=reason, not_before=wait_until)
        yield FetchFailed(url, reason, status, discovery=True)

    # -- articles -----------------------------------------------------------------------

    def follow(self, candidates: Iterable[tuple[str, Hints]], kind: str) -> Iterator[Any]:
        """Requests for the new, on-site candidates, within the run's page budget."""
        stats = self.crawler.stats
        fresh: list[tuple[str, Hints]] = []
        unusable: dict[str, str] = {}  # URL -> why it is not fetched
        for raw, hints in candidates:
            url = normalize(raw)
            if url in self.scheduled:
                continue
            self.scheduled.add(url)
            problem = link_problem(url)  # file:, mailto:, javascript:, an invalid host...
            if problem is None and site_host(url) not in self.hosts:
                problem = f"off-site link: {site_host(url)} is not a host of source {self.source_key}"
                stats.inc_value("newsdesk/offsite")
            elif problem is not None:
                stats.inc_value("newsdesk/not_http")
            if problem is None:
                fresh.append((url, hints))
            # A feed or sitemap claims its entries are this source's articles: one that cannot be
            # fetched is worth a line in fetches. Such links on a section page are just the web.
            elif kind != "section":
                unusable[url] = problem
        if unusable:
            seen = self.archive.seen_urls(list(unusable))  # recorded once, not on every run
            for url, problem in unusable.items():
                if url not in seen:
                    yield Rejected(url, problem)
        if not self.source.recheck and fresh:
            seen = self.archive.seen_urls([u for u, _ in fresh])
            stats.inc_value("newsdesk/already_archived", len(seen))
            fresh = [(u, h) for u, h in fresh if u not in seen]
        for number, (url, hints) in enumerate(fresh):
            if self.budget <= 0:
                self.truncated = True
                stats.inc_value("newsdesk/over_budget", len(fresh) - number)
                break
            self.budget -= 1
            if self.source.feed_content and hints.content_html:
                page = feed_page(url, hints, self.source_key)
                if isinstance(page, Page):  # the source asks for its feed's text: no page fetched
                    stats.inc_value("newsdesk/from_feed")
                    yield page
                    continue
            # dont_filter: the run dedupes its own URLs; Scrapy's filter would silently drop the
            # second hop of a redirect loop instead of reporting it
            yield self.page_request(url, hints, dont_filter=True)

    def page_failed(self, failure: Failure) -> Iterator[Page | FetchFailed]:
        """A page closed to us (HTTP 401/402/403, or robots.txt) is built from its feed item's
        full text when the item has it (ingest.discover.feedtext); else the failure is recorded, with a
        note when the feed held only a teaser."""
        reason, status = describe_failure(failure, self.timeout_s, self.maxsize)
        url, hints = failure.request.meta["newsdesk_url"], failure.request.meta["newsdesk_hints"]
        if hints.content_html and (status in CLOSED_STATUSES or reason == ROBOTS_REFUSAL):
            page = feed_page(url, hints, self.source_key, status=status)
            if isinstance(page, Page):
                self.crawler.stats.inc_value("newsdesk/from_feed")
                yield page
                return
            reason = f"{reason}; {page.reason}"
        yield FetchFailed(url, reason, status)

    # -- the run record -----------------------------------------------------------------

    def closed(self, reason: str) -> None:
        try:
            if self.run_id is not None:
                self._close_run(reason)
        except StorageError as exc:  # the disk is still full: the parent process closes the run
            self.logger.error("could not close run %s: %s", self.run_id, exc)
        finally:
            super().closed(reason)

    def _close_run(self, reason: str) -> None:
        """Record the run's counts and status, then what a clean finish may store."""
        stats = self.crawler.stats
        counts = {k: int(stats.get_value(f"newsdesk/{k}", 0)) for k in RUN_COUNTERS}
        self.archive.finish_run(self.run_id, self._status(reason), counts,
                                self._last_error(reason, stats.get_value("newsdesk/last_error")))
        if self.truncated:
            # Pages were left for the next run: forget the validators so the next run
            # reads these listings in full instead of getting a 304 and missing them.
            for url in self.polled:
                self.archive.set_feed_state(url, self.source_key, etag=None, last_modified=None,
                                            body_hash=None, not_before=None)
        elif reason == "finished":
            # Every article these listings gave was attempted: a 304 next time loses nothing.
            # Any other end (a timeout, a signal, a full disk) keeps the previous validators,
            # so the next run reads the changed listings in full again.
            for url, validators in self.validators.items():
                self.archive.set_feed_state(url, self.source_key, **validators)

    def _status(self, reason: str) -> str:
        if self.storage_error:
            return "failed"
        if reason in ("shutdown", "closespider_timeout"):
            return "interrupted"
        if reason != "finished" or (self.discovery_failed and not self.discovery_ok):
            return "failed"
        return "ok"

    def _last_error(self, reason: str, last: str | None) -> str | None:
        if self.storage_error:
            return f"crawl stopped: {self.storage_error}"
        if reason == "closespider_timeout":
            return f"run stopped after its run_timeout ({self.source.run_timeout_s:g}s)"
        if reason == "shutdown":
            return "interrupted (SIGINT/SIGTERM)"
        if reason != "finished":
            return f"crawl ended: {reason}"
        return last


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
