"""The values that flow through the pipeline: a fetched Page in, an Article or Rejected out.

They are plain dataclasses so they cross process boundaries (the extraction pool) and
serialize to JSON without ceremony.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any, Literal, Union

# What storing one page can come to; SPEC.md names the first four.
Outcome = Literal["new", "updated", "unchanged", "duplicate", "rejected", "error"]
# Where an article's text came from: its fetched page, or its feed item's full content.
TextFrom = Literal["page", "feed"]


@dataclass(frozen=True)
class Hints:
    """What discovery knew about a URL before fetching it (feed item, news sitemap entry).

    Hints fill gaps the page leaves; the page's own metadata always wins.
    """

    title: str | None = None
    published_at: str | None = None
    language: str | None = None
    via: str | None = None  # "feed", "news_sitemap", "sitemap", "section", "manual"
    # A feed item's own text (content:encoded, Atom content, JSON Feed content_html...), as HTML,
    # and its author: an article can be built from them when its page cannot be fetched
    # (ingest.discover.feedtext). The content is dropped before a fetched page goes to extraction.
    content_html: str | None = None
    author: str | None = None  # several joined by "; "


@dataclass(frozen=True)
class Page:
    """One fetched HTTP response, as the core needs it (no Scrapy types)."""

    url: str  # the URL we asked for
    final_url: str  # after redirects
    body: bytes
    # What the URL answered. A page built from a feed item (text_from "feed") keeps what its URL
    # answered when tried (403...), or None when it was not requested, for the fetches record.
    status: int | None = 200
    content_type: str | None = None  # the Content-Type header, raw
    encoding: str | None = None  # charset declared by HTTP headers, if any
    source: str = "manual"
    hints: Hints = field(default_factory=Hints)
    text_from: TextFrom = "page"


_NOT_STORED = ("html", "signature", "html_zlib")


@dataclass
class Article:
    """An extracted, cleaned, normalized article: the record of SPEC.md minus what the
    archive assigns (id, first_seen, last_seen, revision, cluster_id)."""

    url: str  # canonical
    fetched_url: str
    title: str | None
    text: str  # one paragraph per line
    source: str = "manual"
    site_name: str | None = None
    author: str | None = None  # several joined by "; "
    published_at: str | None = None  # ISO 8601, the page's own offset
    published_from: str | None = None  # where the date came from: "jsonld", "meta", "htmldate", "feed", ...
    modified_at: str | None = None
    language: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    image: str | None = None
    word_count: int = 0
    content_hash: str = ""
    text_from: TextFrom = "page"
    html: str | None = None  # the decoded page, kept so it can be re-extracted later
    # Work the crawl's extraction workers do so that the process storing the pages need not:
    # the text's MinHash (an ingest.clusters.Signature), and `html` zlib-compressed as the
    # archive keeps it (then `html` is None: the page does not travel back uncompressed).
    signature: Any = field(default=None, repr=False, compare=False)
    html_zlib: bytes | None = field(default=None, repr=False, compare=False)

    def record(self) -> dict[str, Any]:
        """The article's fields as stored, without the raw HTML and the workers' extras."""
        # a shallow copy with fresh lists: dataclasses.asdict's deep copy cost 0.2 ms a save
        return {name: list(v) if isinstance(v := getattr(self, name), list) else v for name in _stored_fields()}


@functools.cache
def _stored_fields() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Article) if f.name not in _NOT_STORED)


@dataclass(frozen=True)
class Rejected:
    """A page that is not an article (listing, home page, error page, empty body...)."""

    url: str
    reason: str
    kind: Literal["not_article", "error"] = "not_article"


Extraction = Union[Article, Rejected]


@dataclass(frozen=True)
class Saved:
    """What the archive did with one result."""

    outcome: Outcome
    url: str
    article_id: int | None = None
    revision: int | None = None
    reason: str | None = None  # for rejected / error
