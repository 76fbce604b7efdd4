"""Source discovery: from a site's address to its feeds, sitemaps, sections and article pattern.

Pure, like the rest of the core: `Discovery` says which URLs it wants fetched, is handed each
response (or failure) by the caller (a Scrapy spider, spiders/discover.py, so the fetching is
as polite as a crawl's), asks for more from what it read, and finally gives a `Found`:

- feeds: the page's `<link rel="alternate">` feeds (trafilatura's feed finder; when the page
  announces none, one of its article pages is read for them, as many sites announce feeds
  only there), then the common places (/feed, /rss, ...), each kept only when it parses as a
  feed with items;
- news sitemaps and sitemaps: robots.txt `Sitemap:` lines, then the common places; an index is
  followed one level to tell a news sitemap (entries with <news:news>) from a plain one;
- sections: the page's navigation links on the same site that lead to listing pages holding
  at least MIN_SECTION_LINKS article links;
- an article_pattern proposed from the article URLs those listed, checked against them.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from protego import Protego
from trafilatura.feeds import FeedParameters, determine_feed

from ingest.discover.feeds import parse_feed
from ingest.discover.sections import article_links, looks_like_article
from ingest.discover.sitemaps import parse_sitemap
from ingest.errors import ExtractionError
from ingest.links import is_http_url, join, normalize, site_host

Role = Literal["page", "robots", "feed", "sitemap", "sitemap_child", "section", "article"]

COMMON_FEEDS = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.json", "/index.xml")
COMMON_SITEMAPS = ("/sitemap.xml", "/news-sitemap.xml", "/sitemap_index.xml")
MIN_SECTION_LINKS = 5  # a listing page: at least this many article links
MAX_SECTIONS = 12  # navigation links tried as sections
MAX_CHILDREN = 12  # sitemaps of an index read (a big site's index lists one per day, or thousands)
PATTERN_MIN_SHARE = 0.9  # a proposed article_pattern must match this share of the articles found

# Where a site keeps its navigation: the elements, then class/id words.
_NAV = ("//nav//a[@href]", "//header//a[@href]",
        ("//*[contains(@class, 'menu') or contains(@class, 'nav') or contains(@id, 'menu') "
         "or contains(@id, 'nav')]//a[@href]"))


@dataclass(frozen=True)
class Wanted:
    url: str
    role: Role


@dataclass
class Found:
    """What discovery found on a site, and what it tried."""

    url: str
    name: str | None = None  # the site's name (og:site_name, else its <title>)
    feeds: list[str] = field(default_factory=list)
    news_sitemaps: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    article_pattern: str | None = None
    pattern_note: str = ""  # how the pattern was checked, or why none is proposed
    articles: int = 0  # distinct article URLs the feeds, sitemaps and sections listed
    tried: list[tuple[str, str, str]] = field(default_factory=list)  # (role, url, what came of it)
    page_error: str | None = None  # the address itself could not be fetched

    @property
    def anything(self) -> bool:
        return bool(self.feeds or self.news_sitemaps or self.sitemaps or self.sections)

    def tried_summary(self) -> str:
        """What was tried, in a line: '6 feed addresses, 3 sitemap addresses, robots.txt, ...'."""
        counts: dict[str, int] = {}
        for role, _, _ in self.tried:
            counts[role] = counts.get(role, 0) + 1
        parts = [f"{counts.get('feed', 0)} feed addresses",
                 f"{counts.get('sitemap', 0) + counts.get('sitemap_child', 0)} sitemap addresses",
                 "robots.txt" if counts.get("robots") else "",
                 f"{counts.get('section', 0)} navigation links as sections"]
        return ", ".join(p for p in parts if p) + "; none gave articles"


class Discovery:
    """The state of one site's discovery; see the module docstring for the steps."""

    def __init__(self, url: str):
        self.url = url
        self.host = site_host(url)
        root = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
        self.root = root
        self.found = Found(url)
        self._asked: set[str] = set()
        self._sitemap_kind: dict[str, str] = {}  # sitemap URL -> "news", "plain" or "index"
        self._index_children: dict[str, list[str]] = {}
        self._section_links: dict[str, int] = {}
        self._section_order: list[str] = []  # as the page lists them
        self._articles: set[str] = set()
        self._not_articles: set[str] = {normalize(url), normalize(root + "/")}

    # -- what to fetch ------------------------------------------------------------------

    def first(self) -> list[Wanted]:
        common = [Wanted(self.root + path, "feed") for path in COMMON_FEEDS]
        common += [Wanted(self.root + path, "sitemap") for path in COMMON_SITEMAPS]
        return self._new([Wanted(self.url, "page"), Wanted(self.root + "/robots.txt", "robots"), *common])

    def _new(self, wanted: list[Wanted]) -> list[Wanted]:
        fresh = []
        for w in wanted:
            key = normalize(w.url)
            if key not in self._asked and is_http_url(w.url):
                self._asked.add(key)
                fresh.append(w)
        return fresh

    # -- what came back -----------------------------------------------------------------

    def failed(self, wanted: Wanted, reason: str) -> None:
        self._tried(wanted, reason)
        if wanted.role == "page":
            self.found.page_error = reason

    def received(self, wanted: Wanted, final_url: str, status: int, body: bytes,
                 content_type: str | None = None) -> list[Wanted]:
        """Read one response; returns the further URLs it leads to."""
        if status >= 400:
            self.failed(wanted, f"HTTP {status}")
            return []
        read = {"page": self._page, "robots": self._robots, "feed": self._feed, "sitemap": self._sitemap,
                "sitemap_child": self._sitemap, "section": self._section, "article": self._article}[wanted.role]
        return self._new(read(wanted, final_url, body, content_type))

    def _page(self, wanted: Wanted, url: str, body: bytes, content_type: str | None) -> list[Wanted]:
        try:
            doc = lxml.html.fromstring(body)
        except (etree.ParserError, ValueError):
            self._tried(wanted, "not an HTML page")
            return []
        self.found.name = _site_name(doc)
        feeds = self._feed_links(body, url)
        self._tried(wanted, f"read: {len(feeds)} feed link(s)")
        more = [Wanted(f, "feed") for f in feeds]
        articles = [link for link in article_links(body, url) if site_host(link) == self.host]
        if not feeds and articles:
            more.append(Wanted(articles[0], "article"))
        sections = self._nav_links(doc, url)
        # the address itself may be a section page (a user adding https://site/world)
        if len(articles) >= MIN_SECTION_LINKS and urlsplit(url).path.strip("/"):
            sections.insert(0, normalize(url))
        self._section_order = sections[:MAX_SECTIONS]
        return more + [Wanted(s, "section") for s in self._section_order]

    def _article(self, wanted: Wanted, url: str, body: bytes, content_type: str | None) -> list[Wanted]:
        feeds = self._feed_links(body, url)
        self._tried(wanted, f"an article page, read for feed links: {len(feeds)}")
        return [Wanted(f, "feed") for f in feeds]

    def _feed_links(self, body: bytes, url: str) -> list[str]:
        return [f for f in determine_feed(body.decode("utf-8", "replace"), FeedParameters(url, self.host, url))
                if site_host(f) == self.host]

    def _nav_links(self, doc: lxml.html.HtmlElement, url: str) -> list[str]:
        """Same-site links in the page's navigation that are not themselves articles."""
        links: list[str] = []
        for xpath in _NAV:
            for href in doc.xpath(xpath + "/@href"):
                link = normalize(join(url, str(href).strip()))
                if (is_http_url(link) and site_host(link) == self.host and link not in links
                        and urlsplit(link).path.strip("/") and not looks_like_article(link)):
                    links.append(link)
                    self._not_articles.add(link)
            if links:
                break
        return links

    def _robots(self, wanted: Wanted, url: str, body: bytes, content_type: str | None) -> list[Wanted]:
        listed = [s for s in Protego.parse(body.decode("utf-8", "replace")).sitemaps if is_http_url(s)]
        self._tried(wanted, f"read: {len(listed)} Sitemap: line(s)")
        return [Wanted(s, "sitemap") for s in listed]

    def _feed(self, wanted: Wanted, url: str, body: bytes, content_type: str | None) -> list[Wanted]:
        try:
            feed = parse_feed(body, url, content_type)
        except ExtractionError as exc:
            self._tried(wanted, str(exc))
            return []
        if not feed.items:
            self._tried(wanted, "a feed without items")
            return []
        final = normalize(url)
        if final not in self.found.feeds:  # /feed and /rss often redirect to one feed
            self.found.feeds.append(final)
        self._tried(wanted, f"a feed of {len(feed.items)} items" + (f" (at {final})" if final != normalize(wanted.url) else ""))
        self._add_articles(item.url for item in feed.items)
        return []

    def _sitemap(self, wanted: Wanted, url: str, body: bytes, content_type: str | None) -> list[Wanted]:
        try:
            sitemap = parse_sitemap(body, url)
        except ExtractionError as exc:
            self._tried(wanted, str(exc))
            return []
        final = normalize(url)
        if sitemap.kind == "index":
            children = [e.url for e in sitemap.entries if is_http_url(e.url)]
            self._tried(wanted, f"a sitemap index of {len(children)} sitemaps")
            if wanted.role == "sitemap_child":  # one level only
                return []
            # the ones named for news first: they are what tells a news sitemap from a plain one
            children.sort(key=lambda c: "news" not in c.lower())
            self._sitemap_kind[final] = "index"
            self._index_children[final] = [normalize(c) for c in children[:MAX_CHILDREN]]
            return [Wanted(c, "sitemap_child") for c in children[:MAX_CHILDREN]]
        news = any(e.hints.via == "news_sitemap" for e in sitemap.entries)
        self._sitemap_kind[final] = "news" if news else "plain"
        self._tried(wanted, f"a {'news ' if news else ''}sitemap of {len(sitemap.entries)} URLs")
        self._add_articles(e.url for e in sitemap.entries)
        return []

    def _section(self, wanted: Wanted, url: str, body: bytes, content_type: str | None) -> list[Wanted]:
        links = [link for link in article_links(body, url) if site_host(link) == self.host]
        self._tried(wanted, f"{len(links)} article links")
        if len(links) >= MIN_SECTION_LINKS:
            self._section_links[normalize(url)] = len(links)
            self._add_articles(links)
        return []

    def _add_articles(self, urls: object) -> None:
        for url in urls:  # type: ignore[attr-defined]
            link = normalize(url)
            if site_host(link) == self.host:
                self._articles.add(link)

    def _tried(self, wanted: Wanted, outcome: str) -> None:
        self.found.tried.append((wanted.role, wanted.url, outcome))

    # -- the result ---------------------------------------------------------------------

    def result(self) -> Found:
        """What was found so far (a fresh Found each call: the responses may go on coming)."""
        found = dataclasses.replace(self.found, tried=list(self.found.tried), feeds=list(self.found.feeds))
        children = {c for kids in self._index_children.values() for c in kids}
        news, plain = [], []
        for url, kind in self._sitemap_kind.items():
            if kind == "news":
                news.append(url)
            elif kind == "index":
                # An index is kept when it lists plain sitemaps (the crawl follows it one level,
                # for backfill), or when none of its children could be read; its news sitemaps
                # are listed on their own, to be polled often.
                kids = self._index_children[url]
                if any(self._sitemap_kind.get(k) == "plain" for k in kids) or not any(k in self._sitemap_kind for k in kids):
                    plain.append(url)
            elif kind == "plain" and url not in children:
                plain.append(url)
        found.news_sitemaps, found.sitemaps = news, plain
        found.sections = [s for s in self._section_order if s in self._section_links]
        not_articles = self._not_articles | set(found.sections) | set(found.feeds) | set(self._sitemap_kind)
        articles = sorted(self._articles - not_articles)
        found.articles = len(articles)
        found.article_pattern, found.pattern_note = propose_pattern(articles, sorted(not_articles))
        return found


def _site_name(doc: lxml.html.HtmlElement) -> str | None:
    for value in doc.xpath("//meta[@property='og:site_name']/@content"):
        if str(value).strip():
            return str(value).strip()
    title = doc.findtext(".//title")
    if title and title.strip():
        # "Latest news | The Courier" -> the part that names the site: the last one
        return re.split(r"\s+[|\-–—·:]\s+", title.strip())[-1].strip() or None
    return None


# -- the article pattern ---------------------------------------------------------------

_SLUG = r"[a-z0-9]+(?:[-_][a-z0-9]+)+"


def propose_pattern(articles: list[str], others: list[str]) -> tuple[str | None, str]:
    """A regex for the sources.toml `article_pattern`, from the article URLs found, and a note.

    Article paths are grouped by shape (depth; a segment of digits is a number, one that all
    the group shares is kept as it is, any other is a word or slug); the shapes that cover
    the articles become the pattern. It is proposed only when it matches at least
    PATTERN_MIN_SHARE of the articles and none of the other pages seen (home, sections, feeds).
    """
    if len(articles) < 3:
        return None, f"too few article URLs found ({len(articles)}) to propose an article_pattern"
    paths = [urlsplit(u).path for u in articles]
    groups: dict[tuple[int, bool], list[list[str]]] = {}
    for path in paths:
        segments = [s for s in path.split("/") if s]
        groups.setdefault((len(segments), path.endswith("/")), []).append(segments)
    covered, alternatives = 0, []
    for (depth, slash), members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        if depth == 0 or covered >= PATTERN_MIN_SHARE * len(paths):
            break
        alternatives.append("/" + "/".join(_segment([m[i] for m in members], last=i == depth - 1)
                                           for i in range(depth)) + ("/" if slash else ""))
        covered += len(members)
    pattern = "^(?:" + "|".join(alternatives) + ")$" if len(alternatives) > 1 else f"^{alternatives[0]}$"
    compiled = re.compile(pattern)
    matched = sum(1 for p in paths if compiled.search(p))
    wrong = [u for u in others if compiled.search(urlsplit(u).path)]
    if matched < PATTERN_MIN_SHARE * len(paths):
        return None, f"no article_pattern: the best one, {pattern}, matches only {matched} of {len(paths)} article URLs"
    if wrong:
        return None, f"no article_pattern: the best one, {pattern}, also matches {wrong[0]}"
    return pattern, f"matches {matched} of {len(paths)} article URLs found"


def _segment(values: list[str], *, last: bool) -> str:
    distinct = set(values)
    numbers = all(v.isdigit() for v in distinct)  # years, months, ids: never kept as they are
    if len(distinct) == 1 and not last and not numbers:
        return re.escape(values[0])
    if numbers:
        lengths = {len(v) for v in distinct}
        return rf"\d{{{lengths.pop()}}}" if len(lengths) == 1 else r"\d+"
    lowered = [v.lower() for v in values]
    stems = [re.sub(r"\.s?html?$", "", v) for v in lowered]
    suffix = r"\.html?" if all(s != v for s, v in zip(stems, lowered)) else ""
    # A story's slug is several words; a few one-word pages among them (/about/) are not stories.
    if last and sum(1 for s in stems if re.fullmatch(_SLUG, s)) >= PATTERN_MIN_SHARE * len(stems):
        return _SLUG + suffix
    return r"[^/]+" + suffix
