"""Running crawls on this machine: batches, the extraction pool, the scheduler and one-off paths."""
