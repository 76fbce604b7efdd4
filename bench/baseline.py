"""The naive baseline the crawl benchmark compares against: Scrapy with trafilatura inline in
the pipeline and one sqlite-utils insert per item (what NOTES.md measured as the common setup).

    python -m bench.baseline --sitemap URL --db baseline.db
"""
from __future__ import annotations

import argparse

import scrapy
import sqlite_utils
import trafilatura
from scrapy.crawler import CrawlerProcess
from scrapy.spiders import SitemapSpider


class InlinePipeline:
    """Extracts on the reactor thread and inserts one row per item."""

    def __init__(self, db_path: str):
        self.db = sqlite_utils.Database(db_path)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["BASELINE_DB"])

    def process_item(self, item):
        doc = trafilatura.bare_extraction(item["html"], url=item["url"], with_metadata=True)
        if doc is None or not doc.text:
            raise scrapy.exceptions.DropItem(f"not an article: {item['url']}")
        self.db["articles"].insert({"url": item["url"], "title": doc.title, "author": doc.author,
                                    "date": doc.date, "text": doc.text}, alter=True)
        return {"url": item["url"]}


class BaselineSpider(SitemapSpider):
    name = "baseline"

    def parse(self, response):
        yield {"url": response.url, "html": response.text}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sitemap", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    process = CrawlerProcess({
        "BASELINE_DB": args.db, "ITEM_PIPELINES": {"bench.baseline.InlinePipeline": 300},
        "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False, "COOKIES_ENABLED": False,
    })
    process.crawl(BaselineSpider, sitemap_urls=[args.sitemap])
    process.start()


if __name__ == "__main__":
    main()
