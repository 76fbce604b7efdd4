"""Full-text feeds: articles built from feed items' content when their pages are closed to us
(paywall, robots.txt) or the source asks for it, crawled from real sites on 127.0.0.1 into
real archives; teasers are never stored as the story."""
from __future__ import annotations

import html
import json
import sqlite3
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawl_fixtures import BASE_DAY, FixtureSite, slug, story
from ingest.discover.feeds import parse_feed
from ingest.discover.feedtext import feed_page
from ingest.distributed.merge import merge_dir
from ingest.distributed.shards import make_task, run_task
from ingest.models import Article, Hints, Page, Rejected
from ingest.page import process_page
from ingest.run.crawl import crawl_source
from ingest.sources.config import load_sources
from storage import Archive

IDS = [0, 1, 2, 3, 4]
PAYWALL = ("<!DOCTYPE html><html><head><title>Subscribe</title></head><body><h1>Subscribe to read</h1>"
           "<p>This story is for subscribers only.</p></body></html>")


def paragraphs_html(i: int) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in story(i)[1])


def published(i: int) -> str:
    """The item's date as the fixture wrote it, in ISO 8601 with its own offset."""
    return (BASE_DAY + timedelta(hours=i)).isoformat()


def rss_items(base: str, contents: dict[int, str], *, summaries: dict[int, str] | None = None) -> str:
    """An RSS 2.0 feed whose items carry `contents[i]` as content:encoded (none when empty)."""
    items = []
    for i, content in contents.items():
        title = story(i)[0]
        encoded = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
        summary = (summaries or {}).get(i, f"{title}.")
        items.append(f"<item><title>{html.escape(title)}</title><link>{base}{slug(i)}</link>"
                     f"<pubDate>{format_datetime(BASE_DAY + timedelta(hours=i))}</pubDate>"
                     f"<dc:creator>Jane Reporter</dc:creator><description>{html.escape(summary)}</description>"
                     f"{encoded}</item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel><title>Fixture Times</title><link>{base}/</link><language>en-gb</language>'
            f'<description>News</description>{"".join(items)}</channel></rss>')


def crawl(tmp_path: Path, site: FixtureSite, **settings: object) -> dict:
    """Crawl the site's /feed.xml as source "paper" through the crawl entry point; its run."""
    lines = ["[sources.paper]", f'feeds = ["{site.base}/feed.xml"]', "delay = 0"]
    lines += [f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in settings.items()]
    (tmp_path / "sources.toml").write_text("\n".join(lines) + "\n")
    return crawl_source(str(tmp_path / "news.db"), str(tmp_path / "sources.toml"), "paper", timeout_s=120)


def articles(tmp_path: Path) -> dict[str, dict]:
    return {r["url"]: r for r in Database(tmp_path / "news.db").query("SELECT * FROM articles")}


def fetches(tmp_path: Path) -> dict[str, dict]:
    return {r["url"]: r for r in Database(tmp_path / "news.db").query("SELECT * FROM fetches ORDER BY id")}


def assert_from_feed(tmp_path: Path, site: FixtureSite, ids: list[int]) -> dict[str, dict]:
    stored = articles(tmp_path)
    assert set(stored) == {site.base + slug(i) for i in ids}
    for i in ids:
        row = stored[site.base + slug(i)]
        title, paragraphs = story(i)
        assert row["text"] == "\n".join(paragraphs), slug(i)
        assert (row["text_from"], row["title"], row["published_at"], row["author"]) == (
            "feed", title, published(i), "Jane Reporter"), slug(i)
    return stored


# -- crawls --------------------------------------------------------------------------------

def test_a_paywalled_site_is_archived_from_its_full_text_feed(tmp_path: Path):
    with FixtureSite() as site:
        for i in IDS:
            site.add(slug(i), PAYWALL, status=403)
        site.add("/feed.xml", rss_items(site.base, {i: paragraphs_html(i) for i in IDS}), "application/rss+xml")
        run = crawl(tmp_path, site)
        assert all(site.hits_for(slug(i)) == [403] for i in IDS)  # tried once each, refused
    assert (run["status"], run["new"], run["errors"]) == ("ok", len(IDS), 0)
    assert_from_feed(tmp_path, site, IDS)
    logged = fetches(tmp_path)
    # the fetches record keeps what the page answered, and that the article was stored
    assert all((logged[site.base + slug(i)]["status"], logged[site.base + slug(i)]["outcome"]) == (403, "new")
               for i in IDS)


def test_pages_barred_by_robots_txt_are_archived_from_the_feed(tmp_path: Path):
    with FixtureSite() as site:
        site.add_articles(IDS)  # the pages would answer, but robots.txt bars them
        site.add("/robots.txt", "User-agent: *\nDisallow: /news/\n", "text/plain")
        site.add("/feed.xml", rss_items(site.base, {i: paragraphs_html(i) for i in IDS}), "application/rss+xml")
        run = crawl(tmp_path, site)
        assert site.hits_for("/robots.txt") and site.hits_for("/feed.xml") == [200]
        assert all(site.hits_for(slug(i)) == [] for i in IDS)
    assert (run["status"], run["new"]) == ("ok", len(IDS))
    assert_from_feed(tmp_path, site, IDS)
    assert all(fetches(tmp_path)[site.base + slug(i)]["status"] is None for i in IDS)  # never requested


def test_teasers_are_never_stored_and_the_page_failure_is_recorded(tmp_path: Path):
    cut_off = {0: f"<p>{html.escape(story(0)[1][0][:200])}…</p>",  # an excerpt ending in an ellipsis
               1: paragraphs_html(1).replace("</p><p>", " ", 1) + "<p>Officials said more. "
                  '<a href="/x">Continue reading <span>the story</span></a></p>',  # long, but a read-on link
               2: "<p>A two-line summary of the story.</p><p>Officials will say more later today.</p>",
               3: ""}  # no content at all: the RSS description (one line) is all the item has
    with FixtureSite() as site:
        for i in cut_off:
            site.add(slug(i), PAYWALL, status=403)
        site.add("/feed.xml", rss_items(site.base, cut_off), "application/rss+xml")
        run = crawl(tmp_path, site)
    assert articles(tmp_path) == {}
    assert (run["new"], run["errors"]) == (0, len(cut_off))
    logged = fetches(tmp_path)
    for i in cut_off:
        row = logged[site.base + slug(i)]
        assert (row["outcome"], row["status"]) == ("error", 403), slug(i)
        assert row["reason"].startswith("HTTP 403; the feed item holds only a teaser ("), row["reason"]


def test_feed_content_true_builds_articles_from_the_feed_without_fetching_pages(tmp_path: Path):
    full = [0, 1, 2, 3]
    teaser = 4  # its page is fetched: the feed cannot stand in for it
    with FixtureSite() as site:
        site.add_articles(IDS)
        contents = {i: paragraphs_html(i) for i in full} | {teaser: "<p>Just a line about it…</p>"}
        site.add("/feed.xml", rss_items(site.base, contents), "application/rss+xml")
        run = crawl(tmp_path, site, feed_content=True)
        assert all(site.hits_for(slug(i)) == [] for i in full)
        assert site.hits_for(slug(teaser)) == [200]
    assert (run["status"], run["new"], run["pages"]) == ("ok", len(IDS), 1)
    stored = articles(tmp_path)
    for i in full:
        row = stored[site.base + slug(i)]
        assert (row["text"], row["text_from"], row["title"]) == ("\n".join(story(i)[1]), "feed", story(i)[0])
    page_row = stored[site.base + slug(teaser)]
    assert (page_row["text_from"], page_row["text"]) == ("page", "\n".join(story(teaser)[1]))


def test_pages_that_answer_are_fetched_and_keep_text_from_page(tmp_path: Path):
    """A full-text feed changes nothing for a site whose pages answer: the page is the article."""
    with FixtureSite() as site:
        site.add_articles(IDS)
        site.add("/feed.xml", rss_items(site.base, {i: paragraphs_html(i) for i in IDS}), "application/rss+xml")
        crawl(tmp_path, site)
        assert all(site.hits_for(slug(i)) == [200] for i in IDS)
    stored = articles(tmp_path)
    assert {r["text_from"] for r in stored.values()} == {"page"} and len(stored) == len(IDS)
    assert all(r["text"] == "\n".join(story(i)[1]) for i in IDS for r in [stored[site.base + slug(i)]])


def test_a_shard_keeps_where_the_text_came_from_through_the_merge(tmp_path: Path):
    with FixtureSite("127.0.0.81") as site:
        for i in IDS[:2]:
            site.add(slug(i), PAYWALL, status=402)
        site.add_articles(IDS[2:3])
        contents = {i: paragraphs_html(i) for i in IDS[:3]}
        site.add("/feed.xml", rss_items(site.base, contents), "application/rss+xml")
        (tmp_path / "sources.toml").write_text(f'[sources.one]\nfeeds = ["{site.base}/feed.xml"]\ndelay = 0\n')
        with Archive(tmp_path / "main.db") as archive:
            task = make_task(archive, tmp_path / "sources.toml", [load_sources(tmp_path / "sources.toml")["one"]],
                             slot="2026-12-01T10:00:00", timeout_s=60)
        run_task(task, tmp_path / "shards")
    with Archive(tmp_path / "main.db") as archive:
        (result,) = merge_dir(archive, tmp_path / "shards")
        assert result.merged and result.runs[0]["new"] == 3
        origin = {r[0]: r[1] for r in archive.conn.execute("SELECT url, text_from FROM articles")}
    assert origin == {site.base + slug(0): "feed", site.base + slug(1): "feed", site.base + slug(2): "page"}


# -- the pieces ----------------------------------------------------------------------------

BASE = "https://paper.example"


def test_parse_feed_keeps_rss_content_encoded_and_the_author():
    item, = parse_feed(rss_items(BASE, {3: paragraphs_html(3)}).encode(), f"{BASE}/feed.xml").items
    assert item.hints.content_html == paragraphs_html(3)
    assert (item.hints.author, item.hints.title) == ("Jane Reporter", story(3)[0])


def test_an_atom_entry_with_full_content_becomes_the_article():
    title, paragraphs = story(7)
    atom = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Paper</title>'
            f'<entry><title>{html.escape(title)}</title><link href="{BASE}{slug(7)}"/>'
            f'<author><name>Ana Writer</name></author><author><name>Bo Editor</name></author>'
            f'<published>2024-05-02T09:30:00+01:00</published><summary>The short version.</summary>'
            f'<content type="html">{html.escape(paragraphs_html(7))}</content></entry></feed>')
    item, = parse_feed(atom.encode(), f"{BASE}/atom.xml").items
    assert item.hints.content_html == paragraphs_html(7)  # the content, not the shorter summary
    article = _built(item.url, item.hints)
    assert (article.text, article.title, article.author, article.published_at, article.text_from) == (
        "\n".join(paragraphs), title, "Ana Writer; Bo Editor", "2024-05-02T09:30:00+01:00", "feed")


@pytest.mark.parametrize("key", ["content_html", "content_text"])
def test_a_json_feed_item_with_full_content_becomes_the_article(key: str):
    title, paragraphs = story(8)
    content = paragraphs_html(8) if key == "content_html" else "\n\n".join(paragraphs)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Paper", "language": "en",
            "authors": [{"name": "Desk Staff"}],
            "items": [{"id": "8", "url": f"{BASE}{slug(8)}", "title": title, "summary": "The short version.",
                       "date_published": "2024-05-03T07:00:00-04:00", key: content,
                       "authors": [{"name": "Cy Columnist"}]}]}
    item, = parse_feed(json.dumps(feed).encode(), f"{BASE}/feed.json").items
    article = _built(item.url, item.hints)
    assert (article.text, article.title, article.author, article.published_at, article.language) == (
        "\n".join(paragraphs), title, "Cy Columnist", "2024-05-03T07:00:00-04:00", "en")
    assert article.url == f"{BASE}{slug(8)}" and article.text_from == "feed"


@pytest.mark.parametrize("content, why", [
    (None, "carries no text"),
    ("<p>One line about the council.</p>", "holds only a teaser (1 paragraph, 5 words)"),
    ("<p>" + "word " * 200 + "</p>", "holds only a teaser (1 paragraph, 200 words)"),  # one block: an excerpt
    ("<p>First.</p><p>Second.</p><p>Third, and a long one, but cut off [...]</p>",
     "holds only a teaser (it ends cut off)"),
    ("".join(f"<p>{'word ' * 30}</p>" for _ in range(4)) + "<p>More on our site. Read more</p>",
     "holds only a teaser (it ends cut off)"),
], ids=["none", "one-line", "one-block", "bracketed-ellipsis", "read-more"])
def test_teasers_are_refused_with_the_reason(content: str | None, why: str):
    result = feed_page(f"{BASE}/news/x", Hints(title="A story", content_html=content), "paper", status=403)
    assert isinstance(result, Rejected) and result.reason == f"the feed item {why}"


def test_three_paragraphs_of_enough_words_are_the_story():
    content = "".join(f"<p>{'word ' * 45}</p>" for _ in range(3))  # 135 words
    page = feed_page(f"{BASE}/news/x", Hints(title="A story", content_html=content), "paper", status=None)
    assert isinstance(page, Page) and page.text_from == "feed" and page.hints.content_html is None


def test_an_archive_from_before_text_from_opens_with_every_article_from_its_page(tmp_path: Path):
    path = tmp_path / "old.db"
    with Archive(path) as archive:
        archive.save(Article(url=f"{BASE}/a", fetched_url=f"{BASE}/a", title="A", text="Some text here."))
    conn = sqlite3.connect(path)  # back to schema 8's shape
    conn.execute("ALTER TABLE articles DROP COLUMN text_from")
    conn.execute("PRAGMA user_version=8")
    conn.commit()
    conn.close()
    with Archive(path) as archive:
        rows = archive.conn.execute("SELECT url, text_from FROM articles").fetchall()
    assert [tuple(r) for r in rows] == [(f"{BASE}/a", "page")]


def _built(url: str, hints: Hints) -> Article:
    page = feed_page(url, hints, "paper", status=403)
    assert isinstance(page, Page), page
    article = process_page(page)
    assert isinstance(article, Article), article
    return article


def test_feed_content_is_a_checked_source_setting():
    from ingest.errors import ConfigError
    from ingest.sources.config import parse_source

    assert parse_source("paper", {"feeds": [f"{BASE}/feed.xml"], "feed_content": True}).feed_content is True
    assert parse_source("paper", {"feeds": [f"{BASE}/feed.xml"]}).feed_content is False
    with pytest.raises(ConfigError, match=r"\[sources.paper\] feed_content: expected true or false, got 'yes'"):
        parse_source("paper", {"feeds": [f"{BASE}/feed.xml"], "feed_content": "yes"})
