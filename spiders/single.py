"""SingleSpider: fetch given URLs once, for `newsdesk ingest URL...` (same settings as crawls)."""
from __future__ import annotations

from typing import Any, AsyncIterator

import scrapy

from ingest.models import Hints
from spiders.base import ArchiveSpider


class SingleSpider(ArchiveSpider):
    name = "newsdesk-single"

    def __init__(self, urls: list[str], source: str = "manual", **kwargs: Any):
        super().__init__(**kwargs)
        self.urls = list(urls)
        self.source_key = source

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            # dont_filter: the user asked for each URL, repeats included
            yield self.page_request(url, Hints(via="manual"), dont_filter=True)
