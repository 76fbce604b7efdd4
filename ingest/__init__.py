"""newsdesk's core, without Scrapy: the page pipeline here, and rooms by role beside it.

    ingest/             one page: page -> extract (metadata, body, clean, pagekind) -> Article
    ingest/discover/    what to fetch: feeds, sitemaps, section pages, polling etiquette, a site's sources
    ingest/sources/     the configured sources: sources.toml read and written, sites added, OPML
    ingest/run/         running crawls on this machine: batches, the extraction pool, the scheduler
    ingest/distributed/ running them on several: Celery workers, shard archives, merging

The flow is discover -> fetch (spiders/, run as subprocesses by ingest.run.crawl) ->
extract/clean (here) -> store (storage/) -> query (storage/ and the CLI).
"""
