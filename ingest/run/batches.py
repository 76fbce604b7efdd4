"""Batches of sources: the unit of crawl work.

A batch is a plain list of source keys that one process crawls together (spiders.run), so
start-up, the extraction pool and the writer are paid once for many sources. Sources that
share a host always share a batch, and inside it they are crawled one after another (a
"host group"), so a host's politeness (robots, delay) is kept in one place: never two
crawls of one host at once, from this process or another.
"""
from __future__ import annotations

from collections.abc import Iterable

from ingest.sources.config import Source

__all__ = ["BATCH_SIZE", "host_groups", "plan_batches", "batch_time_limit"]

BATCH_SIZE = 200  # sources per batch process: start-up is paid once per batch, memory grows per source


def host_groups(sources: Iterable[Source]) -> list[list[Source]]:
    """Sources that share a host (directly or through another source), in their given order."""
    sources = list(sources)
    parent = list(range(len(sources)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_host: dict[str, int] = {}
    for i, source in enumerate(sources):
        for host in sorted(source.hosts):
            if host in by_host:
                parent[root(i)] = root(by_host[host])
            else:
                by_host[host] = i
    groups: dict[int, list[Source]] = {}
    for i, source in enumerate(sources):
        groups.setdefault(root(i), []).append(source)
    return sorted(groups.values(), key=lambda group: sources.index(group[0]))


def plan_batches(sources: Iterable[Source], size: int = BATCH_SIZE) -> list[list[str]]:
    """Source keys in batches of at most `size` (a host group larger than that stays whole)."""
    batches: list[list[str]] = []
    current: list[str] = []
    for group in host_groups(sources):
        if current and len(current) + len(group) > size:
            batches.append(current)
            current = []
        current.extend(source.key for source in group)
    if current:
        batches.append(current)
    return batches


def batch_time_limit(sources: Iterable[Source]) -> float:
    """How long a batch may run: its host groups run side by side, each group's sources one
    after another, each within its own run time limit (a batch of one: that source's limit)."""
    return max((sum(s.run_timeout_s for s in group) for group in host_groups(sources)), default=0.0)
