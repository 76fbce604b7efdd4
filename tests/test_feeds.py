"""ingest.discover.feeds: every feed flavour to (URL, hints), dates with their offsets, and no fetching."""
from __future__ import annotations

import json

import pytest

from crawl_fixtures import FixtureSite
from ingest.discover.feeds import MalformedFeed, parse_feed
from ingest.discover.polling import is_due, max_age_s, not_before, retry_after_s

BASE = "https://news.example.org"

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Herald</title><link>https://news.example.org/</link>
<language>en-IN</language><ttl>15</ttl>
<item><title> Budget  passed </title><link>https://news.example.org/india/budget-passed-in-house</link>
<pubDate>Tue, 10 Jun 2025 04:00:00 +0530</pubDate></item>
<item><title>Relative</title><link>/world/relative-link-story</link></item>
<item><title>No link at all</title></item>
</channel></rss>"""

RSS091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>http://old.example.org/</link>
<description>d</description><language>fr</language>
<item><title>Vieux</title><link>http://old.example.org/vieux-article-ici</link></item></channel></rss>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example.org/"><title>RDF</title><link>https://news.example.org/</link>
<description>d</description><dc:language>de</dc:language></channel>
<item rdf:about="https://news.example.org/a/rdf-item-story"><title>RDF item</title>
<link>https://news.example.org/a/rdf-item-story</link><dc:date>2025-01-02T03:04:05-05:00</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es"><title>Atom</title><id>urn:x</id>
<updated>2025-03-01T10:00:00Z</updated>
<entry><title>Atom entry</title><id>urn:1</id><link rel="alternate" href="https://news.example.org/es/atom-entry-story"/>
<published>2025-03-01T09:30:00+01:00</published><updated>2025-03-01T10:00:00Z</updated></entry>
</feed>"""


def test_rss2_items_keep_title_date_offset_and_language():
    feed = parse_feed(RSS2, f"{BASE}/feed.xml")
    assert [i.url for i in feed.items] == [f"{BASE}/india/budget-passed-in-house", f"{BASE}/world/relative-link-story"]
    first = feed.items[0].hints
    assert first.title == "Budget passed"
    assert first.published_at == "2025-06-10T04:00:00+05:30"  # the feed's own offset, not UTC
    assert first.language == "en" and first.via == "feed"
    assert feed.ttl_s == 15 * 60
    assert feed.problem is None


@pytest.mark.parametrize("body,url,expected_url,date,lang", [
    (RSS091, "http://old.example.org/rss", "http://old.example.org/vieux-article-ici", None, "fr"),
    (RSS1, f"{BASE}/rdf", f"{BASE}/a/rdf-item-story", "2025-01-02T03:04:05-05:00", "de"),
    (ATOM, f"{BASE}/atom", f"{BASE}/es/atom-entry-story", "2025-03-01T09:30:00+01:00", None),
], ids=["rss0.91", "rss1.0", "atom"])
def test_other_feed_formats(body, url, expected_url, date, lang):
    feed = parse_feed(body, url)
    assert [i.url for i in feed.items] == [expected_url]
    assert feed.items[0].hints.published_at == date
    if lang:
        assert feed.items[0].hints.language == lang


def test_json_feed():
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "language": "pt-BR", "items": [
        {"id": "1", "url": "/br/json-feed-story-one", "title": "Um", "date_published": "2025-02-03T04:05:06-03:00"},
        {"id": "2", "external_url": "https://news.example.org/br/external-story-two"},
        {"id": "3", "content_text": "no url"},
    ]}).encode()
    feed = parse_feed(body, f"{BASE}/feed.json", "application/feed+json")
    assert [i.url for i in feed.items] == [f"{BASE}/br/json-feed-story-one", f"{BASE}/br/external-story-two"]
    assert feed.items[0].hints.published_at == "2025-02-03T04:05:06-03:00"
    assert feed.items[0].hints.language == "pt"


@pytest.mark.parametrize("body,message", [
    (b"", "empty"),
    (b"<html><body><p>Just a page</p></body></html>", "not a feed"),
    (b"<rss version='2.0'><channel><title>x</ti", "malformed"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": ', "malformed JSON"),
    (b'{"hello": "world"}', "not a feed"),
], ids=["empty", "html", "broken-xml", "broken-json", "other-json"])
def test_unreadable_feeds_raise_with_a_reason(body, message):
    with pytest.raises(MalformedFeed, match=message):
        parse_feed(body, f"{BASE}/feed.xml")


def test_broken_feed_with_recoverable_items_reports_the_problem():
    body = RSS2.replace(b"</channel></rss>", b"<item><title>cut off")
    feed = parse_feed(body, f"{BASE}/feed.xml")
    assert feed.items and feed.problem and "malformed feed" in feed.problem


def test_feedparser_is_never_asked_to_fetch():
    """A body that is a URL is parsed as (bad) content, never fetched."""
    with FixtureSite() as site:
        site.add("/feed.xml", RSS2, "application/rss+xml")
        with pytest.raises(MalformedFeed):
            parse_feed(f"{site.base}/feed.xml".encode(), f"{site.base}/feed.xml")
        assert site.hits == []


def test_polling_headers():
    assert retry_after_s("120") == 120
    assert retry_after_s("99999999") == 24 * 3600  # capped
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert retry_after_s("soon") is None
    assert max_age_s("public, max-age=300") == 300
    assert max_age_s("no-cache, max-age=300") is None
    assert not_before(None) is None
    later = not_before(3600)
    assert later and not is_due(later)
    assert is_due("2000-01-01T00:00:00+00:00") and is_due(None)
