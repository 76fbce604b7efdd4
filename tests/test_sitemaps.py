"""ingest.discover.sitemaps: urlsets, indexes, news sitemaps with their hints; hostile XML is harmless."""
from __future__ import annotations

import gzip

import pytest

from crawl_fixtures import BOMB, XXE, FixtureSite
from ingest.discover.sitemaps import MalformedSitemap, parse_sitemap

BASE = "https://news.example.org"

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
 <url><loc>https://news.example.org/india/budget-passed-in-house</loc>
  <news:news><news:publication><news:name>Herald</news:name><news:language>hi</news:language></news:publication>
   <news:publication_date>2025-06-10T04:00:00+05:30</news:publication_date>
   <news:title>Budget passed in house</news:title></news:news>
  <image:image><image:loc>https://cdn.example.org/a.jpg</image:loc></image:image></url>
 <url><loc> https://news.example.org/world/plain-entry-story </loc><lastmod>2025-06-09</lastmod></url>
 <url><lastmod>2025-06-09</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example.org/sitemap-2025-06.xml</loc><lastmod>2025-06-10</lastmod></sitemap>
<sitemap><loc>/sitemap-2025-05.xml</loc></sitemap>
</sitemapindex>"""


def test_news_sitemap_keeps_title_date_and_language():
    sitemap = parse_sitemap(NEWS, f"{BASE}/news_sitemap.xml")
    assert sitemap.kind == "urlset"
    assert [e.url for e in sitemap.entries] == [f"{BASE}/india/budget-passed-in-house", f"{BASE}/world/plain-entry-story"]
    news = sitemap.entries[0].hints
    assert (news.title, news.published_at, news.language, news.via) == (
        "Budget passed in house", "2025-06-10T04:00:00+05:30", "hi", "news_sitemap")
    plain = sitemap.entries[1]
    assert plain.lastmod == "2025-06-09" and plain.hints.via == "sitemap" and plain.hints.title is None


def test_sitemap_index_lists_child_sitemaps():
    sitemap = parse_sitemap(INDEX, f"{BASE}/sitemap.xml")
    assert sitemap.kind == "index"
    assert [e.url for e in sitemap.entries] == [f"{BASE}/sitemap-2025-06.xml", f"{BASE}/sitemap-2025-05.xml"]


def test_gzipped_sitemap():
    assert len(parse_sitemap(gzip.compress(NEWS), BASE).entries) == 2


@pytest.mark.parametrize("body,message", [
    (b"", "empty"),
    (b"<html><body>hello</body></html>", "not a sitemap"),
    (b"\x1f\x8b\x08\x00garbage", "gzip"),
    (b"just text", "malformed XML|not a sitemap"),
], ids=["empty", "html", "bad-gzip", "text"])
def test_unreadable_sitemaps_raise_with_a_reason(body, message):
    with pytest.raises(MalformedSitemap, match=message):
        parse_sitemap(body, BASE)


def test_entity_bomb_is_refused_without_expanding():
    with pytest.raises(MalformedSitemap, match="entities"):
        parse_sitemap(BOMB.format(base=BASE).encode(), BASE)


def test_external_entities_are_never_read_or_fetched():
    with FixtureSite() as site:
        body = XXE.format(base=site.base).encode()
        with pytest.raises(MalformedSitemap, match="entities") as excinfo:
            parse_sitemap(body, site.base)
        assert "root:" not in str(excinfo.value)  # /etc/passwd was not read into anything
        assert site.hits == []  # the remote entity was not fetched


def test_external_dtd_is_not_fetched():
    with FixtureSite() as site:
        body = (f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{site.base}/evil.dtd">'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{BASE}/a/b-c-d</loc></url>'
                f'</urlset>').encode()
        assert [e.url for e in parse_sitemap(body, BASE).entries] == [f"{BASE}/a/b-c-d"]
        assert site.hits == []
