"""OPML subscription lists in and out: feeds grouped by site into new sources, and sources as OPML 2.0.

Pure: bytes in, plans and text out. Reading the file and writing sources.toml
(ingest.sources.file.append_sources) is the caller's part.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Iterable
from urllib.parse import urlsplit

import listparser

from ingest.errors import ConfigError
from ingest.sources.config import Source
from ingest.sources.file import NewSource, key_for_url, unique_key

_TITLE_SEPARATORS = " -–—|:·»/"


@dataclass
class Site:
    """The feeds of one site (one host) in an OPML file, in the file's order."""

    host: str
    address: str  # the site's address (its htmlUrl when given), for key_for_url
    titles: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # "News / World"

    @property
    def name(self) -> str:
        """The site's outline title: the one title its feeds share, else their common start
        ("Herald - World", "Herald - Sport" -> "Herald"), else the first, else the host."""
        titles = list(dict.fromkeys(t for t in self.titles if t))
        if len(titles) > 1:
            common = _common_prefix(titles).rstrip(_TITLE_SEPARATORS)
            return common if len(common) >= 3 else titles[0]
        return titles[0] if titles else self.host


@dataclass
class ImportPlan:
    """What importing an OPML file does: the sources to append, and the feeds skipped:
    configured already (url, the source key that has it), or not http(s) URLs."""

    sources: list[NewSource]
    configured: list[tuple[str, str]]
    invalid: list[str]

    @property
    def feed_count(self) -> int:
        return sum(len(s.settings["feeds"]) for s in self.sources)


def parse_opml(data: bytes, name: str = "OPML file") -> list[Site]:
    """The feeds of an OPML document grouped by site, nested folders included. ConfigError
    when the data is not OPML or holds no feeds."""
    result = listparser.parse(data)
    if not str(result.get("version", "")).startswith("opml"):
        raise ConfigError(f"{name}: not an OPML file (no <opml> document found); export your "
                          f"subscriptions as OPML and try again")
    if not result.feeds:
        raise ConfigError(f"{name}: the OPML file holds no feeds (no <outline> with an xmlUrl)")
    # listparser keeps each feed's folders but not its htmlUrl, which tells the site apart
    # from the feed's host (feeds.feedburner.com, a CDN): read those attributes here.
    html_urls = _html_urls(data)
    sites: dict[str, Site] = {}
    for feed in result.feeds:
        url = feed["url"]
        address = html_urls.get(url) or url
        host = _host(address) or _host(url)
        site = sites.setdefault(host, Site(host=host, address=address))
        site.feeds.append(url)
        site.titles.append(feed.get("title") or "")
        for folder in feed.get("categories") or []:
            path = " / ".join(folder)
            if path and path not in site.folders:
                site.folders.append(path)
    return list(sites.values())


def _html_urls(data: bytes) -> dict[str, str]:
    """xmlUrl -> htmlUrl of every outline that has both, parsed as leniently as listparser
    does (lxml's HTML parser: lower-case attribute names, no entities or DTDs loaded)."""
    import lxml.etree

    try:
        root = lxml.etree.fromstring(data, lxml.etree.HTMLParser(recover=True, no_network=True))
    except (lxml.etree.LxmlError, ValueError):
        return {}
    if root is None:
        return {}
    found: dict[str, str] = {}
    for outline in root.iter("outline"):
        xml_url, html_url = (outline.get("xmlurl") or "").strip(), (outline.get("htmlurl") or "").strip()
        if xml_url and html_url:
            found.setdefault(xml_url, html_url)
    return found


def _host(url: str) -> str:
    """The host (with a port other than the default) without www., lower case."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if host and port and port not in (80, 443) else host


def _common_prefix(titles: list[str]) -> str:
    first, last = min(titles), max(titles)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    prefix = first[:n]
    # cut back to a word boundary: "Herald Wor" from "Herald World" / "Herald Worship" is no name
    if n < len(first) and prefix and prefix[-1] not in _TITLE_SEPARATORS:
        prefix = prefix[:max(prefix.rfind(c) for c in _TITLE_SEPARATORS) + 1]
    return prefix.strip()


def plan_import(sites: list[Site], configured: dict[str, str], existing_keys: Iterable[str],
                origin: str) -> ImportPlan:
    """One new source per site with its feeds not yet configured. `configured` maps feed
    URL -> source key (ingest.sources.file.configured_feeds); `origin` is the file's name,
    written in each new source's comment."""
    keys = set(existing_keys)
    sources: list[NewSource] = []
    already: list[tuple[str, str]] = []
    invalid: list[str] = []
    for site in sites:
        feeds = []
        for url in site.feeds:
            if url in configured:
                already.append((url, configured[url]))
            elif urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                invalid.append(url)
            else:
                feeds.append(url)
        if not feeds:
            continue
        key = unique_key(keys, key_for_url(site.address))
        keys.add(key)
        where = f" ({'; '.join(site.folders)})" if site.folders else ""
        sources.append(NewSource(key=key, settings={"name": site.name, "feeds": feeds},
                                 comment=[f"imported from {origin}{where}"]))
    return ImportPlan(sources=sources, configured=already, invalid=invalid)


def build_opml(sources: Iterable[Source], title: str = "newsdesk sources") -> str:
    """Every configured feed as OPML 2.0: one outline per source holding one per feed."""
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ET.SubElement(opml, "body")
    for source in sources:
        if not source.feeds:
            continue
        site = _site_root(source)
        group = ET.SubElement(body, "outline", text=source.name, title=source.name)
        for feed in source.feeds:
            ET.SubElement(group, "outline", text=source.name, title=source.name, type="rss", xmlUrl=feed,
                          htmlUrl=site)
    ET.indent(opml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(opml, encoding="unicode") + "\n"


def _site_root(source: Source) -> str:
    """The root of the site a source crawls: its section pages are on the site itself,
    where feeds and sitemaps may be served from elsewhere."""
    for url in (*source.sections, *source.news_sitemaps, *source.sitemaps, *source.feeds):
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/"
    return ""
