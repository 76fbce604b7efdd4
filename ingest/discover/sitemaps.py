"""Sitemaps: plain sitemaps, sitemap indexes and Google News sitemaps, parsed from bytes.

Scrapy's own sitemap parser keeps only the direct children of <url>, so the news:title,
news:publication_date and news:language of news sitemaps would be lost; this one keeps them.
The XML parser never touches the network, never expands entities and refuses huge trees;
a document that declares entities (an entity bomb, an external entity) is refused outright.
"""
from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from ingest.errors import ExtractionError
from ingest.links import join
from ingest.models import Hints

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed


class MalformedSitemap(ExtractionError):
    """The body is not a sitemap we can read; the message says why."""


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: str | None = None
    hints: Hints = field(default_factory=Hints)


@dataclass(frozen=True)
class Sitemap:
    kind: Literal["urlset", "index"]
    entries: list[SitemapEntry] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           recover=True, remove_comments=True, remove_pis=True)


def parse_sitemap(body: bytes, url: str = "") -> Sitemap:
    """Parse a (possibly gzipped) sitemap or sitemap index. Raises MalformedSitemap."""
    body = _gunzip(body)
    if not body.strip():
        raise MalformedSitemap("empty sitemap")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedSitemap(f"malformed XML: {exc}") from None
    if root is None:
        raise MalformedSitemap("malformed XML: no root element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise MalformedSitemap("declares XML entities (refused: a sitemap has no use for them, "
                               "and they are how entity bombs and external-entity reads work)")
    tag = etree.QName(root).localname
    if tag == "sitemapindex":
        return Sitemap("index", [SitemapEntry(join(url, loc), _text(node, "lastmod"))
                                 for node in root.iterchildren("{*}sitemap") if (loc := _text(node, "loc"))])
    if tag != "urlset":
        raise MalformedSitemap(f"not a sitemap (root element <{tag}>, expected <urlset> or <sitemapindex>)")
    entries = []
    for node in root.iterchildren("{*}url"):
        loc = _text(node, "loc")
        if not loc:
            continue
        news = node.find("{*}news")
        hints = Hints(via="sitemap")
        if news is not None:
            hints = Hints(title=_text(news, "title"), published_at=_text(news, "publication_date"),
                          language=_text(news, "publication/{*}language"), via="news_sitemap")
        entries.append(SitemapEntry(join(url, loc), _text(node, "lastmod"), hints))
    return Sitemap("urlset", entries)


def _text(node: etree._Element, path: str) -> str | None:
    found = node.find("{*}" + path)
    if found is None:
        return None
    # itertext skips unexpanded entity references, so "&bomb;" contributes nothing.
    text = " ".join("".join(found.itertext()).split())
    return text or None


def _gunzip(body: bytes) -> bytes:
    """Sitemaps are often served as .xml.gz files (not Content-Encoding): bounded decompression."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
            data = f.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise MalformedSitemap(f"broken gzip data: {exc}") from None
    if len(data) > MAX_SITEMAP_BYTES:
        raise MalformedSitemap(f"over {MAX_SITEMAP_BYTES // (1024 * 1024)} MB uncompressed")
    return data
