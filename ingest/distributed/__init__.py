"""Work spread over machines: Celery workers, shard archives, and merging shards into the main archive."""
