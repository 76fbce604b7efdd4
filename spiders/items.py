"""What the spiders hand the pipeline besides ingest.models.Page and Rejected."""
from __future__ import annotations

from dataclasses import dataclass

from ingest.models import Saved


@dataclass(frozen=True)
class FetchFailed:
    """A URL that could not be fetched (network, HTTP status, size, robots, redirects)."""

    url: str
    reason: str
    status: int | None = None
    discovery: bool = False  # a feed, sitemap or section page rather than an article


@dataclass(frozen=True)
class Stored:
    """The pipeline's output: what became of one requested URL."""

    url: str  # as requested
    saved: Saved
