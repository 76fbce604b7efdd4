"""Feeds, sitemaps and robots.txt for the demo sites, rendered with absolute URLs on a base.

RSS 2.0 (herald), Atom and a sitemap index (wpdaily), a Google News sitemap and a JSON
Feed (wirenews). Text goes through XML escaping; nothing here is parsed back.
"""
from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from ingest.demo_sites.build import DemoArticle, DemoSite

FEED_LIMIT = 20  # feeds list the newest items only, as real ones do


def _x(text: str) -> str:
    return escape(text)


def _latest(articles: list[DemoArticle]) -> datetime:
    return max((a.modified or a.published) for a in articles)


def rss(site: DemoSite, base: str, articles: list[DemoArticle]) -> str:
    items = []
    for a in articles[:FEED_LIMIT]:
        url = base + a.path
        items.append(
            f"<item>\n<title>{_x(a.title)}</title>\n<link>{_x(url)}</link>\n"
            f'<guid isPermaLink="true">{_x(url)}</guid>\n<pubDate>{format_datetime(a.published)}</pubDate>\n'
            f"<dc:creator>{_x(a.author)}</dc:creator>\n<category>{_x(a.section.title())}</category>\n"
            f"<description>{_x(a.description)}</description>\n</item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
            f"<title>{_x(site.name)}</title>\n<link>{_x(base)}/</link>\n"
            f"<description>Latest stories from {_x(site.name)}</description>\n<language>en</language>\n"
            f'<atom:link href="{_x(base)}/stories.rss" rel="self" type="application/rss+xml"/>\n'
            f"<lastBuildDate>{format_datetime(_latest(articles))}</lastBuildDate>\n<ttl>30</ttl>\n"
            + "\n".join(items) + "\n</channel>\n</rss>\n")


def atom(site: DemoSite, base: str, articles: list[DemoArticle]) -> str:
    entries = []
    for a in articles[:FEED_LIMIT]:
        url = base + a.path
        authors = "".join(f"<author><name>{_x(name)}</name></author>" for name in a.authors)
        entries.append(
            f"<entry>\n{authors}\n<title type=\"html\">{_x(a.title)}</title>\n"
            f'<link rel="alternate" type="text/html" href={quoteattr(url)}/>\n'
            f"<id>{_x(base)}/?p={a.post_id}</id>\n<updated>{(a.modified or a.published).isoformat()}</updated>\n"
            f"<published>{a.published.isoformat()}</published>\n"
            f'<category scheme="{_x(base)}" term={quoteattr(a.section)}/>\n'
            f'<summary type="html">{_x(a.description)}</summary>\n</entry>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-US">\n'
            f"<title type=\"text\">{_x(site.name)}</title>\n<subtitle type=\"text\">News every day</subtitle>\n"
            f"<updated>{_latest(articles).isoformat()}</updated>\n"
            f'<link rel="alternate" type="text/html" href="{_x(base)}/"/>\n<id>{_x(base)}/feed/atom</id>\n'
            f'<link rel="self" type="application/atom+xml" href="{_x(base)}/feed/atom"/>\n'
            '<generator uri="https://wordpress.org/" version="5.6">WordPress</generator>\n'
            + "\n".join(entries) + "\n</feed>\n")


def json_feed(site: DemoSite, base: str, articles: list[DemoArticle]) -> str:
    items = [{
        "id": base + a.path, "url": base + a.path, "title": a.title, "summary": a.description,
        "date_published": a.published.isoformat(),
        "date_modified": (a.modified or a.published).isoformat(),
        "authors": [{"name": name} for name in a.authors], "language": a.language, "tags": list(a.tags),
    } for a in articles[:FEED_LIMIT]]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": site.name, "home_page_url": base + "/",
            "feed_url": base + "/feed.json", "language": "en", "items": items}
    return json.dumps(feed, ensure_ascii=False, indent=1) + "\n"


def news_sitemap(site: DemoSite, base: str, articles: list[DemoArticle]) -> str:
    urls = []
    for a in articles:
        urls.append(
            f"<url>\n<loc>{_x(base + a.path)}</loc>\n<news:news>\n<news:publication>\n"
            f"<news:name>{_x(site.name)}</news:name>\n<news:language>{a.language}</news:language>\n"
            f"</news:publication>\n<news:publication_date>{a.published.isoformat()}</news:publication_date>\n"
            f"<news:title>{_x(a.title)}</news:title>\n"
            f"<news:keywords>{_x(', '.join(a.tags))}</news:keywords>\n</news:news>\n</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + "\n".join(urls) + "\n</urlset>\n")


def urlset(entries: list[tuple[str, datetime | None]]) -> str:
    rows = []
    for url, lastmod in entries:
        mod = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        rows.append(f"<url><loc>{_x(url)}</loc>{mod}</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n")


def sitemap_index(entries: list[tuple[str, datetime | None]]) -> str:
    rows = []
    for url, lastmod in entries:
        mod = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        rows.append(f"<sitemap><loc>{_x(url)}</loc>{mod}</sitemap>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows)
            + "\n</sitemapindex>\n")


def robots(base: str, sitemaps: list[str]) -> str:
    lines = ["User-agent: *", "Disallow: /private/", "Disallow: /wp-admin/", "Allow: /", ""]
    lines += [f"Sitemap: {base}{path}" for path in sitemaps]
    return "\n".join(lines) + "\n"
