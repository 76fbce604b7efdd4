"""DiscoverSpider: fetch what ingest.discover.site asks for, for `newsdesk sources add URL`.

The fetching is a crawl's (robots.txt, delay, user agent, size limits, retries); what to
fetch next and what it all means is decided by the pure Discovery.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from ingest.discover.site import Discovery, Wanted
from spiders.failures import describe_failure

_ERRORS = list(range(400, 600))


class DiscoverSpider(scrapy.Spider):
    name = "newsdesk-discover"
    custom_settings = {"ITEM_PIPELINES": {}}  # nothing is stored

    def __init__(self, url: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.discovery = Discovery(url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for wanted in self.discovery.first():
            yield self._request(wanted)

    def _request(self, wanted: Wanted) -> scrapy.Request:
        # A 4xx or 5xx is an answer Discovery notes (a site without /rss.xml); redirects are
        # still followed, which `handle_httpstatus_all` would stop.
        return scrapy.Request(wanted.url, callback=self.parse, errback=self.failed, dont_filter=True,
                              meta={"wanted": wanted, "handle_httpstatus_list": _ERRORS})

    def parse(self, response: Response, **_: Any) -> Iterator[scrapy.Request]:
        content_type = response.headers.get("Content-Type")
        more = self.discovery.received(response.meta["wanted"], response.url, response.status, response.body,
                                       content_type.decode("latin-1") if content_type else None)
        for wanted in more:
            yield self._request(wanted)

    def failed(self, failure: Failure) -> None:
        reason, _ = describe_failure(failure, self.settings.getfloat("DOWNLOAD_TIMEOUT"),
                                     self.settings.getint("DOWNLOAD_MAXSIZE"))
        self.discovery.failed(failure.request.meta["wanted"], reason)
