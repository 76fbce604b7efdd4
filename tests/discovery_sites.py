"""Sites shaped like the common CMSs, for `newsdesk sources add`: each announces its feeds,
sitemaps and sections the way that CMS does, and lists ARTICLES stories in all. The demo sites
(Quintype, WordPress and Arc styles) are the other half; these add Ghost, Drupal, a site that
only names its sitemap in robots.txt, and one with nothing but section pages.
"""
from __future__ import annotations

import html
from collections.abc import Callable

from tests.crawl_fixtures import FixtureSite, story, urlset

ARTICLES = 30


def _article(i: int, head: str, nav: str) -> str:
    title, paragraphs = story(i)
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2024-05-{1 + i % 28:02d}T08:00:00+02:00">
{head}</head><body><header>{nav}</header><main><article><h1>{html.escape(title)}</h1>{body}</article></main></body></html>"""


def _listing(title: str, links: list[tuple[str, int]], head: str, nav: str) -> str:
    items = "\n".join(f'<li><a href="{path}">{html.escape(story(i)[0])}</a></li>' for path, i in links)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body><header>{nav}</header><main><h1>{title}</h1><ul>{items}</ul></main>
<footer><a href="/about/">About us</a> <a href="/privacy/">Privacy</a></footer></body></html>"""


def ghost(site: FixtureSite) -> list[str]:
    """Ghost: /rss/ announced in <head>, a sitemap index (posts, pages, tags), /tag/... sections."""
    path = lambda i: f"/{'-'.join(story(i)[0].lower().split()[:4])}-{i}/"
    head = '<link rel="alternate" type="application/rss+xml" title="Ghost Times" href="/rss/">'
    nav = '<nav class="gh-head-menu"><a href="/">Home</a> <a href="/tag/world/">World</a> <a href="/tag/politics/">Politics</a></nav>'
    urls = [site.add(path(i), _article(i, head, nav)) for i in range(ARTICLES)]
    site.add("/", _listing("Ghost Times", [(path(i), i) for i in range(ARTICLES - 10, ARTICLES)], head, nav))
    site.add("/tag/world/", _listing("World", [(path(i), i) for i in range(0, ARTICLES, 2)], head, nav))
    site.add("/tag/politics/", _listing("Politics", [(path(i), i) for i in range(1, ARTICLES, 2)], head, nav))
    site.add("/rss/", rss_items(site.base, [(path(i), i) for i in range(ARTICLES - 15, ARTICLES)]),
             "application/rss+xml")
    site.add("/sitemap.xml", _index(site.base, ["/sitemap-posts.xml", "/sitemap-pages.xml", "/sitemap-tags.xml"]),
             "application/xml")
    site.add("/sitemap-posts.xml", urlset(site.base, [path(i) for i in range(ARTICLES)]), "application/xml")
    site.add("/sitemap-pages.xml", urlset(site.base, ["/about/"]), "application/xml")
    site.add("/sitemap-tags.xml", urlset(site.base, ["/tag/world/", "/tag/politics/"]), "application/xml")
    site.add("/robots.txt", f"User-agent: *\nSitemap: {site.base}/sitemap.xml\nDisallow: /ghost/\n", "text/plain")
    return urls


def drupal(site: FixtureSite) -> list[str]:
    """Drupal: /rss.xml in <head>, a plain /sitemap.xml, sections in the main menu."""
    path = lambda i: f"/news/{'-'.join(story(i)[0].lower().split()[:5])}"
    head = '<link rel="alternate" type="application/rss+xml" title="Front page feed" href="/rss.xml">'
    nav = ('<nav role="navigation" class="menu--main"><ul class="menu"><li><a href="/world">World</a></li>'
           '<li><a href="/politics">Politics</a></li><li><a href="/user/login">Log in</a></li></ul></nav>')
    urls = [site.add(path(i), _article(i, head, nav)) for i in range(ARTICLES)]
    site.add("/", _listing("Drupal Post", [(path(i), i) for i in range(ARTICLES - 10, ARTICLES)], head, nav))
    site.add("/world", _listing("World", [(path(i), i) for i in range(0, ARTICLES, 2)], head, nav))
    site.add("/politics", _listing("Politics", [(path(i), i) for i in range(1, ARTICLES, 2)], head, nav))
    site.add("/rss.xml", rss_items(site.base, [(path(i), i) for i in range(ARTICLES - 10, ARTICLES)]),
             "application/rss+xml")
    site.add("/sitemap.xml", urlset(site.base, ["/", "/world", "/politics"] + [path(i) for i in range(ARTICLES)]),
             "application/xml")
    return urls


def robots_sitemap_only(site: FixtureSite) -> list[str]:
    """No feed and no navigation: a news sitemap at an address only robots.txt gives."""
    path = lambda i: f"/stories/{1000 + i}-{'-'.join(story(i)[0].lower().split()[:3])}.html"
    urls = [site.add(path(i), _article(i, "", "")) for i in range(ARTICLES)]
    site.add("/", _listing("Plain Gazette", [], "", ""))
    site.add("/robots.txt", f"User-agent: *\nDisallow: /search\n\nSitemap: {site.base}/maps/gazette-news.xml\n",
             "text/plain")
    site.add("/maps/gazette-news.xml", urlset(site.base, [path(i) for i in range(ARTICLES)], news=True),
             "application/xml")
    return urls


def sections_only(site: FixtureSite) -> list[str]:
    """Nothing but section pages: no feed, no sitemap, a menu of three sections."""
    names = ("economy", "science", "culture")
    path = lambda i: f"/{names[i % 3]}/{'-'.join(story(i)[0].lower().split()[:4])}-{i}"
    nav = "<ul class='main-menu'>" + "".join(f'<li><a href="/section/{n}">{n.title()}</a></li>' for n in names) + "</ul>"
    urls = [site.add(path(i), _article(i, "", nav)) for i in range(ARTICLES)]
    site.add("/", _listing("Section Weekly", [(path(i), i) for i in range(3)], "", nav))
    for k, name in enumerate(names):
        site.add(f"/section/{name}", _listing(name.title(), [(path(i), i) for i in range(k, ARTICLES, 3)], "", nav))
    return urls


def rss_items(base: str, items: list[tuple[str, int]]) -> str:
    entries = "".join(f"<item><title>{html.escape(story(i)[0])}</title><link>{base}{path}</link></item>"
                      for path, i in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
            f"<link>{base}/</link>{entries}</channel></rss>")


def _index(base: str, paths: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{base}{p}</loc></sitemap>" for p in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'


SITES: dict[str, Callable[[FixtureSite], list[str]]] = {
    "ghost": ghost, "drupal": drupal, "robots_sitemap_only": robots_sitemap_only, "sections_only": sections_only,
}
