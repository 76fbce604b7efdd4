"""`newsdesk sources add URL`: a site's feeds, sitemaps and sections found from its address,
written to sources.toml, then crawled: sites shaped like the common CMSs on 127.0.0.1."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.demo_sites import DemoServer
from ingest.discover.site import propose_pattern
from tests.crawl_fixtures import FixtureSite
from tests.discovery_sites import SITES

ROOT = Path(__file__).resolve().parent.parent


def newsdesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ingest", "--db", str(tmp_path / "news.db"),
                           "--sources", str(tmp_path / "sources.toml"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def stored_urls(tmp_path: Path, source: str) -> set[str]:
    with sqlite3.connect(tmp_path / "news.db") as db:
        return {row[0] for row in db.execute("SELECT url FROM articles WHERE source = ?", (source,))}


def test_add_then_crawl_stores_each_sites_articles(tmp_path):
    """Seven sites (Quintype, WordPress and Arc demo sites; Ghost, Drupal; a sitemap named only
    in robots.txt; section pages only): each added by its address, then all crawled at once."""
    sources = tmp_path / "sources.toml"
    sources.write_text("# my newsroom's sources\n\n# (added by hand below)\n", encoding="utf-8")
    before = sources.read_text(encoding="utf-8")
    expected: dict[str, set[str]] = {}
    with DemoServer() as demo:
        servers = [FixtureSite() for _ in SITES]
        for server in servers:
            server.__enter__()
        try:
            for (name, build), server in zip(SITES.items(), servers):
                expected[name] = set(build(server))
            for key in demo.bases:
                expected[key] = {r["url"] for r in demo.expected() if r["site"] == key}
            bases = {**{name: s.base for name, s in zip(SITES, servers)}, **demo.bases}
            for name, base in bases.items():
                added = newsdesk(tmp_path, "sources", "add", base + "/", "--key", name, "--delay", "0")
                assert added.returncode == 0, (name, added.stdout, added.stderr)
                assert f"[sources.{name}]" in added.stdout
            crawl = newsdesk(tmp_path, "crawl", "--all", "--quiet")
            assert crawl.returncode == 0, crawl.stderr
        finally:
            for server in servers:
                server.__exit__(None, None, None)
    assert sources.read_text(encoding="utf-8").startswith(before)  # the user's comments are kept
    listed = json.loads(newsdesk(tmp_path, "sources", "--json").stdout)
    assert sorted(r["source"] for r in listed) == sorted(expected)
    for name, urls in expected.items():
        assert len(urls) >= 20, name  # the fixture itself
        got = stored_urls(tmp_path, name) & urls
        assert len(got) >= 0.95 * len(urls), (name, len(got), len(urls), sorted(urls - got)[:3])


def test_what_was_found_is_written_with_where_it_came_from(tmp_path):
    with FixtureSite() as site:
        SITES["robots_sitemap_only"](site)
        added = newsdesk(tmp_path, "sources", "add", site.base, "--delay", "0")
    assert added.returncode == 0, added.stderr
    text = (tmp_path / "sources.toml").read_text(encoding="utf-8")
    assert f'news_sitemaps = ["{site.base}/maps/gazette-news.xml"]' in text
    assert "Found by `newsdesk sources add" in text
    pattern = re.search(r"article_pattern = '([^']+)'|article_pattern = \"([^\"]+)\"", text)
    assert pattern, text
    assert re.search(pattern.group(1) or pattern.group(2).replace("\\\\", "\\"), "/stories/1007-some-story-title.html")
    # what was tried is printed: robots.txt and the common feed places
    assert "robots.txt" in added.stdout and "/rss.xml" in added.stdout


def test_dry_run_only_prints(tmp_path):
    with FixtureSite() as site:
        SITES["drupal"](site)
        added = newsdesk(tmp_path, "sources", "add", site.base, "--dry-run", "--delay", "0")
    assert added.returncode == 0, added.stderr
    assert f"{site.base}/rss.xml" in added.stdout
    assert not (tmp_path / "sources.toml").exists()


def test_a_site_with_nothing_to_crawl_says_what_was_tried(tmp_path):
    with FixtureSite() as site:
        site.add("/", "<html><head><title>Hello</title></head><body><p>Just a page.</p></body></html>")
        added = newsdesk(tmp_path, "sources", "add", site.base, "--delay", "0")
    assert added.returncode == 1
    lines = added.stderr.strip().splitlines()
    assert len(lines) == 1 and "nothing to crawl found" in lines[0] and "feed addresses" in lines[0], added.stderr
    assert not (tmp_path / "sources.toml").exists()


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://news.example.org/", "http(s)"),
    ("not a url", "http(s)"),
    ("http://127.0.0.1:1/", "check the address"),  # nothing listens on port 1
])
def test_bad_address_is_one_line_and_exit_2(tmp_path, url, message):
    added = newsdesk(tmp_path, "sources", "add", url, "--delay", "0")
    assert added.returncode == 2, added
    lines = added.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], added.stderr


def test_a_broken_sources_file_is_reported_and_left_untouched(tmp_path):
    broken = "[sources.herald\nname = 'x'\n"
    (tmp_path / "sources.toml").write_text(broken, encoding="utf-8")
    with FixtureSite() as site:
        SITES["drupal"](site)
        added = newsdesk(tmp_path, "sources", "add", site.base, "--delay", "0")
    assert added.returncode == 2
    assert "invalid TOML" in added.stderr and len(added.stderr.strip().splitlines()) == 1
    assert (tmp_path / "sources.toml").read_text(encoding="utf-8") == broken


# -- the article pattern, from URLs written out by hand ---------------------------------------

def test_pattern_from_dated_wordpress_urls():
    articles = [f"https://wp.example/2024/0{m}/1{d}/council-meets-on-budget-{m}{d}/" for m in range(1, 4) for d in range(3)]
    pattern, note = propose_pattern(articles, ["https://wp.example/category/news/", "https://wp.example/about/"])
    assert pattern == r"^/\d{4}/\d{2}/\d{2}/[a-z0-9]+(?:[-_][a-z0-9]+)+/$"
    assert note == "matches 9 of 9 article URLs found"


def test_no_pattern_when_it_would_match_a_section():
    articles = [f"https://ghost.example/{w}/" for w in ("alpha", "beta", "gamma", "delta")]
    pattern, note = propose_pattern(articles, ["https://ghost.example/world/"])
    assert pattern is None and "also matches https://ghost.example/world/" in note


def test_no_pattern_from_too_few_articles():
    assert propose_pattern(["https://x.example/a-b-c"], [])[0] is None


# -- Discovery itself, fed responses by hand (no network) -------------------------------------

def test_a_big_sitemap_index_is_read_a_dozen_children_deep_news_first():
    from ingest.discover.site import MAX_CHILDREN, Discovery, Wanted

    d = Discovery("https://big.example/")
    days = [f"https://big.example/sitemaps/day-{n}.xml" for n in range(40)]
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             + "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in [*days, "https://big.example/news.xml"])
             + "</sitemapindex>").encode()
    wanted = d.received(Wanted("https://big.example/sitemap.xml", "sitemap"), "https://big.example/sitemap.xml",
                        200, index, "application/xml")
    assert len(wanted) == MAX_CHILDREN == 12
    assert wanted[0] == Wanted("https://big.example/news.xml", "sitemap_child")
    news = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://big.example/a/b-c-d</loc>'
            b'<news:news><news:title>T</news:title></news:news></url></urlset>')
    assert d.received(wanted[0], wanted[0].url, 200, news, "application/xml") == []
    found = d.result()
    # the index lists only the news sitemap read so far: that one is polled on its own
    assert found.news_sitemaps == ["https://big.example/news.xml"] and found.sitemaps == []
    plain = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b'<url><loc>https://big.example/a/e-f-g</loc></url></urlset>')
    d.received(wanted[1], wanted[1].url, 200, plain, "application/xml")
    assert d.result().sitemaps == ["https://big.example/sitemap.xml"]  # plain children: the index, for backfill
