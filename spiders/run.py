"""`python -m spiders.run`: one batch of sources, or one batch of single URLs, in this process's one reactor.

ingest.run.crawl starts this in a subprocess per batch: a Twisted reactor cannot restart, and a
hung or leaking crawl cannot take its caller down. Every source of a batch is its own
Scrapy crawler (its own settings, robots, budget and run record) in the one process, and
they share its archive connections, extraction pool and writer (spiders.shared).

    python -m spiders.run --db news.db --sources sources.toml crawl herald wire [--max-pages 50]
    python -m spiders.run --db news.db fetch --results out.jsonl [--timeout 20] URL...
    python -m spiders.run discover --results found.json [--user-agent UA] URL
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import Any

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "spiders.settings")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.run")
    parser.add_argument("--db", help="The archive (crawl and fetch).")
    parser.add_argument("--sources", default=None)
    parser.add_argument("--log-level", default=None)
    parser.add_argument("--log-file", default=None)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="Override a Scrapy setting (the benchmark uses it).")
    commands = parser.add_subparsers(dest="command", required=True)
    crawl = commands.add_parser("crawl")
    crawl.add_argument("keys", nargs="+", metavar="key")
    crawl.add_argument("--max-pages", type=int)
    fetch = commands.add_parser("fetch")
    fetch.add_argument("--results", required=True, help="Write one JSON line per URL here.")
    fetch.add_argument("--source", default="manual")
    fetch.add_argument("--timeout", type=float)
    fetch.add_argument("urls", nargs="+")
    discover = commands.add_parser("discover")
    discover.add_argument("--results", required=True, help="Write what was found here, as JSON.")
    discover.add_argument("--user-agent")
    discover.add_argument("url")
    args = parser.parse_args(argv)
    if args.command != "discover" and not args.db:
        parser.error("--db is required for crawl and fetch")
    early = None
    if args.command == "crawl":
        from spiders.shared import start_early
        early = start_early(args.db, dict(pair.partition("=")[::2] for pair in args.set))
    try:
        return _run(args)
    finally:
        if early is not None:
            from spiders.shared import release
            release(early)


def _run(args: argparse.Namespace) -> int:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if args.db:
        settings.set("NEWSDESK_DB", args.db, priority="cmdline")
    if args.sources:
        settings.set("NEWSDESK_SOURCES", args.sources, priority="cmdline")
    if args.log_level:
        settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    if args.log_file:
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    for pair in args.set:
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")

    if args.command == "fetch":
        if args.timeout:
            settings.set("DOWNLOAD_TIMEOUT", args.timeout, priority="cmdline")
        # a one-URL ingest needs one extraction worker, not a pool sized for a crawl
        workers = min(settings.getint("NEWSDESK_WORKERS"), len(args.urls))
        settings.set("NEWSDESK_WORKERS", workers, priority="cmdline")
    if args.command == "discover":
        return _discover(settings, args)
    process = CrawlerProcess(settings)
    if args.command == "crawl":
        crawlers = _crawl_batch(process, list(dict.fromkeys(args.keys)), args.max_pages)
        process.start()
        return max((_stopped(crawler) for crawler in crawlers), default=0)

    from spiders.items import Stored
    from spiders.single import SingleSpider

    stored: list[dict[str, Any]] = []

    def collect(item: Any, **_: Any) -> None:
        if isinstance(item, Stored):
            stored.append({"requested": item.url, **dataclasses.asdict(item.saved)})

    crawler = process.create_crawler(SingleSpider)
    crawler.signals.connect(collect, signal=signals.item_scraped)
    process.crawl(crawler, urls=args.urls, source=args.source)
    process.start()
    with open(args.results, "w", encoding="utf-8") as out:
        for row in stored:
            out.write(json.dumps(row) + "\n")
    return _stopped(crawler)


def _discover(settings: Any, args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess

    from spiders.discover import DiscoverSpider

    if args.user_agent:
        settings.set("USER_AGENT", args.user_agent, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DiscoverSpider)
    process.crawl(crawler, url=args.url)
    process.start()
    with open(args.results, "w", encoding="utf-8") as out:
        json.dump(dataclasses.asdict(crawler.spider.discovery.result()), out)
    return 0


def _crawl_batch(process: Any, keys: list[str], max_pages: int | None) -> list[Any]:
    """Schedule the batch's crawls: host groups side by side, a group's sources one after
    another (one host is never crawled twice at once). Returns the crawlers, made up front."""
    from twisted.internet import defer

    from ingest.run.batches import host_groups

    sources = [process.spider_loader.load(key).source for key in keys]
    crawlers = {key: process.create_crawler(key) for key in keys}

    @defer.inlineCallbacks
    def one_after_another(group: list[Any]) -> Any:
        for source in group:
            try:
                yield process.crawl(crawlers[source.key], max_pages=max_pages)
            except Exception as exc:  # noqa: BLE001 - one source's failure must not end its host group
                print(f"newsdesk: {source.key}: crawl failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)

    for group in host_groups(sources):
        one_after_another(group)
    return list(crawlers.values())


def _stopped(crawler: Any) -> int:
    """1, with the reason as the last line of the log, when the archive could not be written."""
    error = getattr(crawler.spider, "storage_error", None)
    if error:
        print(f"newsdesk: crawl stopped: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
