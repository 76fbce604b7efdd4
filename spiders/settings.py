"""Scrapy settings for newsdesk (scrapy.cfg points here); per-source values come from sources.toml."""
import os

BOT_NAME = "newsdesk"
SPIDER_LOADER_CLASS = "spiders.loader.SourceSpiderLoader"
SPIDER_MODULES: list[str] = []  # spiders are built from sources.toml, not discovered in modules

# Where the archive and the sources live; `newsdesk` passes both explicitly.
NEWSDESK_DB = os.environ.get("NEWSDESK_DB", "newsdesk.db")
NEWSDESK_SOURCES = os.environ.get("NEWSDESK_SOURCES", "sources.toml")
# Extraction runs in worker processes; a page that takes longer than this is an error.
NEWSDESK_EXTRACT_TIMEOUT = float(os.environ.get("NEWSDESK_EXTRACT_TIMEOUT", "30"))
NEWSDESK_WORKERS = int(os.environ.get("NEWSDESK_WORKERS", "0")) or os.cpu_count() or 2

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
USER_AGENT = "newsdesk/0.1 (+https://github.com/newsdesk/newsdesk)"  # sources override it
ROBOTSTXT_OBEY = True

# Politeness: each source sets DOWNLOAD_DELAY (its `delay`); AutoThrottle adapts above it.
# The default, used by `newsdesk ingest URL` (sources set their own `delay`).
DOWNLOAD_DELAY = float(os.environ.get("NEWSDESK_DELAY", "1.0"))
AUTOTHROTTLE_ENABLED = DOWNLOAD_DELAY > 0  # a delay of 0 means "no politeness needed" (own sites, tests)
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy starts this many asyncio tasks for every callback's output; an article response yields
# one item, so the default 100 costs ~100 tasks per page on the reactor for nothing.
CONCURRENT_ITEMS = 8

# Bounds: a page over 10 MB is not an article; nothing waits for ever.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_TIMEOUT = float(os.environ.get("NEWSDESK_TIMEOUT", "20"))  # sources set their own `timeout`
DNS_TIMEOUT = 15
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 2
# 429 and 503 mean "slow down": retrying at once is the wrong answer. Feeds honour their
# Retry-After (see ingest.discover.polling); pages are recorded as errors and tried on the next run.
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]

ITEM_PIPELINES = {"spiders.pipelines.ArchivePipeline": 300}
# Scrapy defaults that cost CPU on every page for nothing newsdesk uses: the main process's
# reactor handles every page, and its time per page bounds the crawl's rate.
DOWNLOADER_MIDDLEWARES = {
    # decoded each page in full (to look for a meta refresh); the quick one skips pages without
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "spiders.middlewares.QuickMetaRefreshMiddleware": 580,
    # serialized every request and response (body included) to count bytes for the stats dump
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,  # no DEPTH_LIMIT: article links are one hop
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,  # a warning for spider authors
}
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port per crawl
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# A batch runs hundreds of crawlers in one process: what each one sets up and tears down
# for nothing newsdesk uses adds up. Scrapy parsed every callback's source to warn about
# `return` in generators, once per source's spider class; the stats dump pretty-printed
# every crawler's stats into the log (the runs table keeps the counts); feed exports,
# spider state and memory checks are unused, and LogStats logged each crawler every minute.
WARN_ON_GENERATOR_RETURN_VALUE = False
STATS_DUMP = False
EXTENSIONS = {
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scrapy.extensions.spiderstate.SpiderState": None,
    "scrapy.extensions.memusage.MemoryUsage": None,
    "scrapy.extensions.logstats.LogStats": None,
}
