"""newsdesk's pure core: sources, extraction, cleaning, normalization, scheduling, CLI.

Nothing in here imports Scrapy except `ingest.run.crawl`, which launches spiders as
subprocesses; the flow is discover -> fetch (spiders/) -> extract/clean (here) ->
store (storage/) -> query (storage/ and the CLI).
"""
