"""The demo sites and their server: pages, feeds, sitemaps, conditional GET, edits, faults."""
from __future__ import annotations

import gzip
import http.client
import itertools
import json
import re
import socket
import urllib.error
import urllib.request
import urllib.robotparser
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from ingest.demo_sites import DemoServer, Response, build_sites, sources_toml
from ingest.demo_sites.stories import jaccard, shingles
from ingest.sources.config import load_sources

SEED = Path(__file__).parent.parent / "ingest" / "demo_sites" / "seed_article.txt"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, headers: dict | None = None, timeout: float = 5, follow: bool = True):
    """(status, headers, body) without raising on HTTP errors."""
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_every_article_and_listing_is_served(demo_server: DemoServer):
    records = demo_server.expected(include_private=True)
    assert {r["site"] for r in records} == {"herald", "wpdaily", "wirenews"}
    for record in records:
        status, headers, body = get(record["url"])
        html = body.decode()
        assert status == 200, record["url"]
        assert headers["Content-Type"].startswith("text/html")
        assert f'<link rel="canonical" href="{record["url"]}">' in html, record["url"]
        assert record["text"].splitlines()[-1].replace('"', "&quot;").replace("'", "&#x27;") in html
        for alternate in record["alternate_urls"]:  # WordPress ?p= shortlinks: same page, same canonical
            assert get(alternate)[2] == body
    for url in demo_server.non_article_urls():
        assert get(url)[0] == 200, url
    assert get(demo_server.url("herald", "/no/such/page"))[0] == 404


def test_related_links_point_at_served_articles(demo_server: DemoServer):
    for record in demo_server.expected():
        html = etree.HTML(get(record["url"])[2])
        related = html.xpath("//div[contains(@class,'related') or contains(@class,'more-stories')]//a/@href")
        assert len(related) >= 3, record["url"]
        assert all(get(demo_server.url(record["site"], href))[0] == 200 for href in related[:1])


def test_feeds_list_real_articles_on_the_right_port(demo_server: DemoServer):
    expected = {r["url"]: r for r in demo_server.expected(include_private=True)}
    for site, path in (("herald", "/stories.rss"), ("wpdaily", "/feed/atom")):
        status, headers, body = get(demo_server.url(site, path))
        feed = feedparser.parse(body)
        assert status == 200 and not feed.bozo, (site, feed.get("bozo_exception"))
        assert len(feed.entries) == 20
        for entry in feed.entries:
            assert entry.link.startswith(demo_server.bases[site] + "/")
            assert expected[entry.link]["title"] == entry.title
            assert entry.get("published_parsed") is not None
    items = json.loads(get(demo_server.url("wirenews", "/feed.json"))[2])["items"]
    assert items and all(item["url"] in expected and item["url"].startswith(demo_server.bases["wirenews"])
                         for item in items)


def test_news_sitemap_carries_publication_date_title_and_language(demo_server: DemoServer):
    expected = {r["url"]: r for r in demo_server.expected("wirenews", include_private=True)}
    root = etree.fromstring(get(demo_server.url("wirenews", "/news-sitemap.xml"))[2])
    urls = root.findall(f"{SM}url")
    assert {u.findtext(f"{SM}loc") for u in urls} == set(expected)
    for url in urls:
        record = expected[url.findtext(f"{SM}loc")]
        news = url.find(f"{NEWS}news")
        assert news.findtext(f"{NEWS}publication_date") == record["published_at"]
        assert news.findtext(f"{NEWS}title") == record["title"]
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == record["language"]
    assert {r["language"] for r in expected.values()} == {"en", "es"}


def test_sitemap_index_leads_to_every_post(demo_server: DemoServer):
    index = etree.fromstring(get(demo_server.url("wpdaily", "/sitemap_index.xml"))[2])
    children = [loc.text for loc in index.iter(f"{SM}loc")]
    assert demo_server.url("wpdaily", "/post-sitemap.xml") in children
    posts = etree.fromstring(get(demo_server.url("wpdaily", "/post-sitemap.xml"))[2])
    listed = {loc.text for loc in posts.iter(f"{SM}loc")}
    assert listed == {r["url"] for r in demo_server.expected("wpdaily", include_private=True)}


def test_robots_disallows_the_private_articles(demo_server: DemoServer):
    private = demo_server.private_urls()
    assert len(private) == 3
    for site, base in demo_server.bases.items():
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(get(base + "/robots.txt")[2].decode().splitlines())
        assert all(not parser.can_fetch("newsdesk", url) for url in private if url.startswith(base))
        assert all(parser.can_fetch("newsdesk", r["url"]) for r in demo_server.expected(site))
    # Each private article is linked from some discovery page, so a careless crawler would find it.
    assert "/private/" in get(demo_server.url("herald", "/national"))[2].decode()
    assert "/private/" in get(demo_server.url("wpdaily", "/post-sitemap.xml"))[2].decode()
    assert "/private/" in get(demo_server.url("wirenews", "/feed.json"))[2].decode()


def test_conditional_get_answers_304_until_something_changes(demo_server: DemoServer):
    feed = demo_server.url("herald", "/stories.rss")
    status, headers, body = get(feed)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert get(feed, {"If-None-Match": etag})[0] == 304
    assert get(feed, {"If-Modified-Since": modified})[0] == 304
    assert get(feed, {"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200  # ETag wins

    newest = demo_server.expected("herald")[0]
    demo_server.edit_article(newest["url"], paragraphs=["A corrected first paragraph.", "And a second one."])
    status, headers2, body2 = get(feed, {"If-None-Match": etag})
    assert status == 200 and body2 != body and headers2["ETag"] != etag
    assert get(feed, {"If-Modified-Since": modified})[0] == 200


def test_edit_article_changes_the_served_text(demo_server: DemoServer):
    record = demo_server.expected("wpdaily")[3]
    new_text = "The council has corrected the figures it published on Monday.\nThe vote is now due next week."
    updated = demo_server.edit_article(record["url"], text=new_text)
    html = get(record["url"])[2].decode()
    assert "corrected the figures" in html and record["text"].splitlines()[1] not in html
    assert updated["text"] == new_text and updated["modified_at"] > record["published_at"]
    assert demo_server.expected_for(record["url"])["text"] == new_text


def test_added_article_leads_every_listing_and_removed_one_disappears(demo_server: DemoServer):
    for site, feed_path in (("herald", "/stories.rss"), ("wpdaily", "/feed/atom")):
        added = demo_server.add_article(site)
        assert added in demo_server.expected(site)
        assert feedparser.parse(get(demo_server.url(site, feed_path))[2]).entries[0].link == added["url"]
        assert get(added["url"])[0] == 200
        assert len(added["text"].splitlines()) >= 6
    added = demo_server.add_article("wirenews", title="Breaking: demo headline", paragraphs=["One.", "Two."])
    assert added["url"] in get(demo_server.url("wirenews", "/news-sitemap.xml"))[2].decode()
    demo_server.remove_article(added["url"])
    assert get(added["url"])[0] == 404
    assert added["url"] not in get(demo_server.url("wirenews", "/news-sitemap.xml"))[2].decode()


def test_fault_routes(demo_server: DemoServer):
    url = lambda path: demo_server.url("herald", path)  # noqa: E731
    assert get(url("/fault/500"))[0] == 500
    assert get(url("/fault/503"))[1]["Retry-After"] == "2"
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        get(url("/fault/slow?s=20"), timeout=0.3)
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, urllib.error.URLError)):
        get(url("/fault/reset"))
    status, headers, _ = get(url("/fault/redirect-loop"), follow=False)
    assert status == 302 and headers["Location"] == url("/fault/redirect-loop-b")
    with pytest.raises(urllib.error.HTTPError, match="infinite loop|redirect"):
        urllib.request.urlopen(url("/fault/redirect-loop"), timeout=5)

    bomb = get(url("/fault/bomb.xml"))[2]
    assert len(bomb) < 4096 and b"<!ENTITY lol9" in bomb
    safe = etree.XMLParser(resolve_entities=False, no_network=True)
    try:  # libxml2 either leaves the entities unexpanded or refuses the document outright
        assert len(etree.tostring(etree.fromstring(bomb, safe))) < 4096
    except etree.XMLSyntaxError as exc:
        assert "amplification" in str(exc)

    xxe = get(url("/fault/xxe.xml"))[2].decode()
    assert 'SYSTEM "file:///etc/passwd"' in xxe and f'SYSTEM "{url("/fault/xxe-canary")}"' in xxe
    etree.fromstring(xxe.encode(), safe)
    assert demo_server.requests_for("herald", "/fault/xxe-canary") == []
    get(url("/fault/xxe-canary"))
    assert demo_server.requests_for("herald", "/fault/xxe-canary") == ["/fault/xxe-canary"]

    assert feedparser.parse(get(url("/fault/malformed.rss"))[2]).bozo
    status, headers, body = get(url("/fault/pdf"))
    assert headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert get(url("/fault/empty"))[:3:2] == (200, b"")
    assert len(get(url("/fault/huge"))[2]) > 10 * 1024 * 1024


def test_custom_routes_and_request_log(demo_server: DemoServer):
    demo_server.route("/teapot", lambda request: Response(418, f"short and stout on {request.site}"),
                      site="wpdaily")
    status, _, body = get(demo_server.url("wpdaily", "/teapot"))
    assert (status, body) == (418, b"short and stout on wpdaily")
    assert get(demo_server.url("herald", "/teapot"))[0] == 404
    demo_server.route("/fault/500", lambda request: Response(200, "overridden"))  # all sites
    assert get(demo_server.url("wirenews", "/fault/500"))[0] == 200
    assert "/teapot" in demo_server.requests_for("herald")


def test_gzip_when_asked(demo_server: DemoServer):
    record = demo_server.expected("wirenews")[0]
    status, headers, body = get(record["url"], {"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == get(record["url"])[2]


def test_expected_data_is_consistent():
    with DemoServer() as demo:
        records = demo.expected()
        bases = demo.bases
    assert all(sum(r["site"] == s for r in records) >= 24 for s in bases)
    assert len({r["url"] for r in records}) == len({r["title"] for r in records}) == len(records)
    for record in records:
        assert 6 <= len(record["text"].splitlines()) <= 15, record["url"]
        assert record["author"] and record["title"] and record["published_at"][19:] in (
            "+05:30", "-05:00", "+01:00")
    seed = next(r for r in records if "julian-assange" in r["url"] and r["site"] == "herald")
    assert seed["text"] == SEED.read_text(encoding="utf-8").strip()
    assert (seed["author"], seed["date"]) == ("IANS", "2021-01-05")
    assert any("; " in r["author"] for r in records)  # several authors
    assert sum(r["language"] == "es" for r in records) >= 3

    by_url = {r["url"]: r for r in records}
    copies = [r for r in records if r["syndicated_from"]]
    assert len(copies) >= 6 and any(c["syndicated_from"] == seed["url"] for c in copies)
    marks = {r["url"]: shingles(r["text"]) for r in records}
    for copy in copies:
        original = by_url[copy["syndicated_from"]]
        assert copy["title"] != original["title"]
        assert copy["text"].splitlines()[0] != original["text"].splitlines()[0]
        assert jaccard(marks[copy["url"]], marks[original["url"]]) > 0.6
    pairs = {(c["url"], c["syndicated_from"]) for c in copies}
    for a, b in itertools.combinations(records, 2):
        if (a["url"], b["url"]) not in pairs and (b["url"], a["url"]) not in pairs:
            assert jaccard(marks[a["url"]], marks[b["url"]]) < 0.35, (a["url"], b["url"])


def test_the_seed_page_carries_the_seed_boilerplate(demo_server: DemoServer):
    seed = next(r for r in demo_server.expected("herald") if "julian-assange" in r["url"])
    html = get(seed["url"])[2].decode()
    assert html.count("Published: undefined") == 5
    assert "Follow us on: Facebook, Twitter, Google News, Instagram" in html
    assert "Join our official telegram channel (@nationalherald)" in html


def test_build_is_deterministic():
    one, two = build_sites(), build_sites(7)
    assert [a.text for a in one["herald"].articles] == [a.text for a in build_sites()["herald"].articles]
    assert [a.text for a in one["wpdaily"].articles] != [a.text for a in two["wpdaily"].articles]


def test_sources_toml_declares_the_three_sites(tmp_path: Path, demo_server: DemoServer):
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml(demo_server.bases), encoding="utf-8")
    sources = load_sources(path)
    assert set(sources) == {"herald", "wpdaily", "wirenews"}
    assert sources["herald"].feeds == (demo_server.url("herald", "/stories.rss"),)
    assert sources["wirenews"].news_sitemaps == (demo_server.url("wirenews", "/news-sitemap.xml"),)
    assert sources["wpdaily"].sitemaps == (demo_server.url("wpdaily", "/sitemap_index.xml"),)
    for key, source in sources.items():
        assert source.hosts == {"127.0.0.1"}
        pattern = re.compile(source.article_pattern)
        assert all(pattern.search(r["url"]) for r in demo_server.expected(key))
        assert not any(pattern.search(u) for u in demo_server.non_article_urls(key))


def test_example_sources_file_is_valid():
    sources = load_sources(Path(__file__).parent.parent / "sources.example.toml")
    assert sources
