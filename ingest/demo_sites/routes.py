"""Which page each demo site serves at which path: the URL map of the three CMS styles."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs

from ingest.demo_sites import feeds, pages
from ingest.demo_sites.build import DemoSite

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"


@dataclass
class Response:
    """What a route answers. `conditional` adds ETag/Last-Modified and honours
    If-None-Match/If-Modified-Since (304)."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = False

    @property
    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


def _ok(body: str, content_type: str = HTML) -> Response:
    return Response(200, body, content_type, conditional=True)


# Listing pages per site: path -> (heading, which articles). Home pages list everything,
# including the robots-disallowed /private/ article, as a careless crawler would see it.
def _sections(site: DemoSite) -> dict[str, tuple[str, list]]:
    arts = site.articles
    if site.key == "herald":
        return {"/": ("Latest news", arts),
                "/international": ("International", [a for a in arts if a.section == "international"]),
                "/national": ("National", [a for a in arts if a.section == "national"])}
    if site.key == "wpdaily":
        return {"/": ("Latest posts", arts),
                "/category/news/": ("Category: News", [a for a in arts if a.section == "News"]),
                "/category/world/": ("Category: World", [a for a in arts if a.section == "World"])}
    return {"/": ("Top stories", arts),
            "/section/world": ("World", [a for a in arts if a.section in ("World", "Mundo")]),
            "/section/politics": ("Politics", [a for a in arts if a.section == "Politics"])}


def non_article_paths(site: DemoSite) -> list[str]:
    """Pages that are listings or site pages: extraction must reject them."""
    paths = list(_sections(site))
    return paths + (["/about/"] if site.key == "wpdaily" else [])


def discovery_paths(key: str) -> dict[str, list[str]]:
    """The discovery URLs (paths) each site offers, by sources.toml key."""
    return {
        "herald": {"feeds": ["/stories.rss"], "sections": ["/international", "/national"]},
        "wpdaily": {"feeds": ["/feed/atom"], "sitemaps": ["/sitemap_index.xml"]},
        "wirenews": {"feeds": ["/feed.json"], "news_sitemaps": ["/news-sitemap.xml"]},
    }[key]


def render(sites: dict[str, DemoSite], key: str, path: str, query: str, bases: dict[str, str]) -> Response | None:
    """The response for one path on one site, or None (404)."""
    site, base = sites[key], bases[key]
    public = site.public
    sections = _sections(site)
    nav = [(p, h) for p, (h, _) in sections.items() if p != "/"]
    if key == "wpdaily" and path == "/" and "p" in parse_qs(query):
        post = parse_qs(query)["p"][0]
        match = next((a for a in site.articles if str(a.post_id) == post), None)
        return _ok(pages.wpdaily_article(site, match, base)) if match else None
    if path in sections:
        heading, articles = sections[path]
        return _ok(pages.listing(site, base, path, heading, articles, nav))
    article = site.article(path)
    if article is not None:
        if key == "herald":
            return _ok(pages.herald_article(site, article, base))
        if key == "wpdaily":
            return _ok(pages.wpdaily_article(site, article, base))
        return _ok(pages.wirenews_article(site, article, base, bases, sites))
    if key == "herald":
        if path == "/stories.rss":
            return _ok(feeds.rss(site, base, public), "application/rss+xml; charset=utf-8")
        if path == "/robots.txt":
            return _ok(feeds.robots(base, []), "text/plain; charset=utf-8")
    elif key == "wpdaily":
        if path == "/feed/atom":
            return _ok(feeds.atom(site, base, public), "application/atom+xml; charset=utf-8")
        if path == "/sitemap_index.xml":
            latest = max(a.modified or a.published for a in site.articles)
            return _ok(feeds.sitemap_index([(base + "/post-sitemap.xml", latest),
                                            (base + "/page-sitemap.xml", None)]), XML)
        if path == "/post-sitemap.xml":  # lists the disallowed post too: robots must stop it
            return _ok(feeds.urlset([(base + a.path, a.modified or a.published) for a in site.articles]), XML)
        if path == "/page-sitemap.xml":
            return _ok(feeds.urlset([(base + "/", None), (base + "/about/", None)]), XML)
        if path == "/about/":
            return _ok(pages.simple_page(site, base, path, "About us",
                                         ["WP Daily Demo is a demonstration site.", "Contact: desk@example.org"]))
        if path == "/robots.txt":
            return _ok(feeds.robots(base, ["/sitemap_index.xml"]), "text/plain; charset=utf-8")
    else:
        if path == "/news-sitemap.xml":
            return _ok(feeds.news_sitemap(site, base, site.articles), XML)
        if path == "/feed.json":
            return _ok(feeds.json_feed(site, base, site.articles), "application/feed+json; charset=utf-8")
        if path == "/robots.txt":
            return _ok(feeds.robots(base, ["/news-sitemap.xml"]), "text/plain; charset=utf-8")
    return None
