"""Crawls end to end: the real CLI in a subprocess, a real site on 127.0.0.1, a real archive."""
from __future__ import annotations

import asyncio
import importlib.util
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from crawl_fixtures import BOMB, XXE, FixtureSite, article_html, listing_html, rss, slug, urlset
from ingest.discover.sections import article_links, looks_like_article
from ingest.links import normalize
from ingest.models import Page
from ingest.run.crawl import crawl_source
from ingest.run.pool import ExtractionPool
from storage import Archive

ROOT = Path(__file__).resolve().parent.parent
# The placeholder extractor stores listing pages as articles; the real one turns them away.
LISTING_DETECTION = importlib.util.find_spec("ingest.pagekind") is not None


class Crawler:
    """The `newsdesk` CLI against one archive and one sources file under tmp_path."""

    def __init__(self, tmp_path: Path):
        self.db = tmp_path / "news.db"
        self.sources = tmp_path / "sources.toml"

    def configure(self, key: str, **settings: object) -> None:
        lines = [f"[sources.{key}]"]
        for name, value in {"delay": 0, **settings}.items():
            if isinstance(value, bool):
                value = str(value).lower()
            elif isinstance(value, (list, str)):
                value = repr(value).replace("'", '"')
            lines.append(f"{name} = {value}")
        self.sources.write_text("\n".join(lines) + "\n")

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "ingest", "--db", str(self.db), "--sources", str(self.sources), *args],
            cwd=ROOT, capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})})

    def crawl(self, key: str, *args: str, env: dict[str, str] | None = None, ok: bool = True):
        result = self.run("crawl", key, "--quiet", *args, env=env)
        if ok:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    @property
    def archive(self) -> Database:
        return Database(self.db)

    def runs(self) -> list[dict]:
        return list(self.archive.query("SELECT * FROM runs ORDER BY id"))

    def fetches(self, run_id: int | None = None) -> list[dict]:
        where, params = ("WHERE run_id = ?", [run_id]) if run_id else ("", [])
        return list(self.archive.query(f"SELECT * FROM fetches {where} ORDER BY id", params))

    def reason(self, url: str) -> str:
        rows = [f for f in self.fetches() if f["url"] == url]
        assert rows, f"{url} was never logged in fetches"
        return f"{rows[-1]['outcome']}: {rows[-1]['reason']}"


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    return Crawler(tmp_path)


def news_site(site: FixtureSite, ids: list[int]) -> None:
    site.add_articles(ids)
    site.add("/", listing_html("The Fixture Times", ids))
    site.add("/world/", listing_html("World", ids[:6]))
    site.add("/feed.xml", rss(site.base, ids), "application/rss+xml", conditional=True)
    site.add("/sitemap.xml", urlset(site.base, ["/", "/world/"] + [slug(i) for i in ids]), "application/xml",
             conditional=True)


def test_crawl_stores_each_article_once_then_only_new_work(crawler: Crawler):
    ids = list(range(12))
    with FixtureSite() as site:
        news_site(site, ids)
        crawler.configure("fixture", feeds=[f"{site.base}/feed.xml"], sitemaps=[f"{site.base}/sitemap.xml"])
        first = crawler.crawl("fixture")
        for i in ids:  # feed and sitemap both list every story (the feed with ?utm_source): one fetch each
            assert site.hits_for(slug(i)) == [200], slug(i)
        stored = Counter(r["url"] for r in crawler.archive.query("SELECT url FROM articles"))
        assert {site.base + slug(i) for i in ids} <= set(stored) and max(stored.values()) == 1
        run = crawler.runs()[0]
        assert run["status"] == "ok" and run["new"] >= 12 and run["pages"] == 14 and run["errors"] == 0
        assert f"{run['pages']} pages fetched" in first.stdout and "new" in first.stdout

        site.clear_hits()
        crawler.crawl("fixture")
        assert all(not site.hits_for(slug(i)) for i in ids)  # no article fetched again
        assert site.hits_for("/feed.xml") == [304] and site.hits_for("/sitemap.xml") == [304]
        second = crawler.runs()[1]
        assert (second["status"], second["pages"], second["new"]) == ("ok", 0, 0)
        assert crawler.fetches(second["id"]) == []  # nothing stored, nothing logged
        assert crawler.archive["articles"].count == sum(stored.values())


@pytest.mark.skipif(not LISTING_DETECTION, reason="needs the extraction work's listing-page detection")
def test_home_and_listing_pages_are_rejected(crawler: Crawler):
    with FixtureSite() as site:
        news_site(site, list(range(4)))
        crawler.configure("fixture", sitemaps=[f"{site.base}/sitemap.xml"])
        crawler.crawl("fixture")
        assert crawler.reason(site.base + "/").startswith("rejected")
        assert crawler.reason(site.base + "/world/").startswith("rejected")
        run = crawler.runs()[0]
        assert (run["new"], run["rejected"]) == (4, 2)
        assert crawler.archive["articles"].count == 4


def test_max_pages_leaves_the_rest_for_the_next_run(crawler: Crawler):
    ids = list(range(8))
    with FixtureSite() as site:
        news_site(site, ids)
        crawler.configure("fixture", feeds=[f"{site.base}/feed.xml"], max_pages=5)
        crawler.crawl("fixture")
        assert crawler.runs()[0]["pages"] == 5
        site.clear_hits()
        crawler.crawl("fixture")
        # the feed was read in full again (no 304), because the first run could not finish it
        assert site.hits_for("/feed.xml") == [200]
        assert crawler.runs()[1]["pages"] == 3
        assert {r["url"] for r in crawler.archive.query("SELECT url FROM articles")} == {site.base + slug(i) for i in ids}


def test_recheck_stores_a_revision_of_a_changed_article(crawler: Crawler):
    ids = [1, 2, 3]
    with FixtureSite() as site:
        news_site(site, ids)
        crawler.configure("fixture", feeds=[f"{site.base}/feed.xml"], recheck=True)
        crawler.crawl("fixture")
        site.add(slug(2), article_html(2, version=2))
        site.clear_hits()
        crawler.crawl("fixture")
        assert site.hits_for("/feed.xml") == [200]  # a recheck reads the whole feed
        assert all(site.hits_for(slug(i)) == [200] for i in ids)
        run = crawler.runs()[1]
        assert (run["updated"], run["unchanged"], run["new"]) == (1, 2, 0)
        article = next(crawler.archive.query("SELECT * FROM articles WHERE url = ?", [site.base + slug(2)]))
        assert article["revision"] == 2 and "Update 2" in article["text"]
        assert crawler.archive["revisions"].count_where("article_id = ?", [article["id"]]) == 2


def test_mixed_source_ends_with_the_union_and_no_duplicates(crawler: Crawler):
    feed_ids, news_ids, section_ids = list(range(0, 20)), list(range(15, 35)), list(range(30, 50))
    with FixtureSite() as site:
        site.add_articles(range(50))
        site.add("/feed.xml", rss(site.base, feed_ids), "application/rss+xml")
        site.add("/news-sitemap.xml", urlset(site.base, [slug(i) for i in news_ids], news=True), "application/xml")
        site.add("/world/", listing_html("World", section_ids, ["https://elsewhere.example/news/some-other-story"]))
        site.add("/about", "<html><body><p>About us</p></body></html>")
        crawler.configure("mixed", feeds=[f"{site.base}/feed.xml"], news_sitemaps=[f"{site.base}/news-sitemap.xml"],
                          sections=[f"{site.base}/world/"])
        crawler.crawl("mixed")
        assert all(site.hits_for(slug(i)) == [200] for i in range(50))
        # the section page's navigation (home, tag, about, next page) is not taken for articles
        assert not any(site.hits_for(p) for p in ("/", "/about", "/tag/politics", "/page/2"))
        urls = [r["url"] for r in crawler.archive.query("SELECT url FROM articles")]
        assert sorted(urls) == sorted(site.base + slug(i) for i in range(50))
        run = crawler.runs()[0]
        assert (run["new"], run["duplicate"], run["errors"]) == (50, 0, 0)


def test_bad_input_does_not_stop_a_crawl_and_loses_nothing(crawler: Crawler):
    good = list(range(6))
    with FixtureSite() as site:
        site.add_articles(good)
        b = site.base
        bad_links = {
            "loop": b + "/bad/loop", "500": b + "/bad/500", "reset": b + "/bad/reset", "slow": b + "/bad/slow",
            "offsite": "https://elsewhere.example/news/2024/05/a-story-on-another-site",
        }
        site.routes["/bad/loop"] = ("redirect", "/bad/loop-2")
        site.routes["/bad/loop-2"] = ("redirect", "/bad/loop")
        site.add("/bad/500", "<html><body>Internal error</body></html>", status=500)
        site.routes["/bad/reset"] = "reset"
        site.routes["/bad/slow"] = ("slow", 4)
        site.add("/feed.xml", rss(b, good, list(bad_links.values())), "application/rss+xml")
        site.add("/bad/malformed.xml", "<rss version='2.0'><channel><title>Oops</ti", "application/rss+xml")
        site.add("/bad/busy.xml", "busy", "text/plain", status=503, headers={"Retry-After": "3600"})
        site.add("/bad/bomb.xml", BOMB.format(base=b), "application/xml")
        site.add("/bad/xxe.xml", XXE.format(base=b), "application/xml")
        crawler.configure("rough", timeout=1,
                          feeds=[f"{b}/feed.xml", f"{b}/bad/malformed.xml", f"{b}/bad/busy.xml"],
                          news_sitemaps=[f"{b}/bad/bomb.xml", f"{b}/bad/xxe.xml"])
        # Pages over the extraction time limit: test_a_page_over_the_extraction_time_limit_...
        # (a page slow by construction needs the pool in this process).
        crawler.crawl("rough")

        stored = {r["url"] for r in crawler.archive.query("SELECT url FROM articles")}
        assert stored == {b + slug(i) for i in good}
        expected = {
            b + "/bad/malformed.xml": "error: feed: malformed feed",
            b + "/bad/busy.xml": "error: HTTP 503, asked to come back in 3600s",
            b + "/bad/bomb.xml": "error: news sitemap: declares XML entities",
            b + "/bad/xxe.xml": "error: news sitemap: declares XML entities",
            bad_links["loop"]: "error: too many redirects",
            bad_links["500"]: "error: HTTP 500",
            bad_links["reset"]: "error: connection reset or closed",
            bad_links["slow"]: "error: timed out after 1s",
            bad_links["offsite"]: "rejected: off-site link: elsewhere.example",
        }
        for url, reason in expected.items():
            assert crawler.reason(url).startswith(reason), url
        assert not site.hits_for("/xxe-probe")
        run = crawler.runs()[0]
        assert run["status"] == "ok"
        assert (run["new"], run["errors"], run["rejected"]) == (6, 8, 1)
        assert run["last_error"]

        site.clear_hits()
        crawler.crawl("rough")
        assert site.hits_for("/bad/busy.xml") == []  # Retry-After honoured
        state = {r["url"]: r for r in crawler.archive.query("SELECT * FROM feed_state")}
        assert state[b + "/bad/busy.xml"]["failures"] == 1 and state[b + "/bad/busy.xml"]["not_before"]
        assert state[b + "/bad/malformed.xml"]["failures"] == 2
        assert state[b + "/feed.xml"]["failures"] == 0


def test_scrapy_list_and_crawl_work_from_the_repo_root(crawler: Crawler, tmp_path: Path):
    with FixtureSite() as site:
        news_site(site, [7, 8])
        crawler.configure("plain-scrapy", feeds=[f"{site.base}/feed.xml"])
        env = {**os.environ, "NEWSDESK_SOURCES": str(crawler.sources), "NEWSDESK_DB": str(crawler.db)}
        listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=60)
        assert listed.stdout.split() == ["plain-scrapy"], listed.stderr
        crawled = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "plain-scrapy"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert crawled.returncode == 0, crawled.stderr
        assert crawler.runs()[0]["status"] == "ok"
        assert {r["url"] for r in crawler.archive.query("SELECT url FROM articles")} == {
            site.base + slug(7), site.base + slug(8)}


def _newsdesk_at_a_terminal(crawler: Crawler, *args: str) -> subprocess.Popen:
    """`newsdesk ARGS` with SIGINT at Python's default handler, as at a terminal: a shell starts
    background jobs (a CI script's `make test &`) with SIGINT ignored, which newsdesk would inherit."""
    argv = ["newsdesk", "--db", str(crawler.db), "--sources", str(crawler.sources), *args]
    code = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            f"sys.argv = {argv!r}; runpy.run_module('ingest', run_name='__main__')")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_crawl_source_reports_timed_out_failed_and_interrupted_runs(crawler: Crawler, tmp_path: Path):
    release = threading.Event()  # the article pages answer only at the end: no crawl can finish early
    with FixtureSite() as site:
        try:
            site.add("/feed.xml", rss(site.base, list(range(40))), "application/rss+xml")
            for i in range(40):
                site.routes[slug(i)] = ("hold", release)
            crawler.configure("slowpoke", feeds=[f"{site.base}/feed.xml"], timeout=30)
            run = crawl_source(str(crawler.db), str(crawler.sources), "slowpoke", timeout_s=3)
            assert run["status"] == "timeout" and run["ended_at"] and "time limit of 3s" in run["last_error"]

            # Ctrl-C on `newsdesk crawl`: the crawl subprocess is stopped and its run closed
            held = len(site.hits)
            cli = _newsdesk_at_a_terminal(crawler, "crawl", "slowpoke", "--quiet")
            # interrupted once it waits for an article page
            while len(crawler.runs()) < 2 or not any(path.startswith("/news/") for path, _ in site.hits[held:]):
                assert cli.poll() is None, cli.communicate()
                time.sleep(0.2)
            cli.send_signal(signal.SIGINT)
            out, err = cli.communicate(timeout=60)
            assert cli.returncode == 1, out + err
            run = crawler.runs()[1]
            assert run["status"] == "interrupted" and run["ended_at"]
            assert "slowpoke: interrupted" in out
        finally:
            release.set()

        crawler.configure("down", feeds=[f"{site.base}/missing-feed.xml"])
        result = crawler.crawl("down", ok=False)
        assert result.returncode == 1
        run = crawler.runs()[-1]
        assert run["status"] == "failed" and "HTTP 404" in run["last_error"]
        assert "down: failed" in result.stdout


def test_ctrl_c_again_kills_the_crawl_instead_of_leaving_it_alone(crawler: Crawler):
    """The crawl runs in a session of its own; an impatient second Ctrl-C must end its grace
    with a SIGKILL, not unwind past it and leave the crawl going on without newsdesk."""
    release = threading.Event()  # the article pages answer only at the end
    with FixtureSite() as site:
        try:
            site.add("/feed.xml", rss(site.base, list(range(10))), "application/rss+xml")
            for i in range(10):
                site.routes[slug(i)] = ("hold", release)
            crawler.configure("slowpoke", feeds=[f"{site.base}/feed.xml"])
            Archive(crawler.db).close()  # the tables exist before newsdesk starts, for crawler.runs()
            cli = _newsdesk_at_a_terminal(crawler, "crawl", "slowpoke", "--quiet")
            while not crawler.runs() or not any(path.startswith("/news/") for path, _ in site.hits):
                assert cli.poll() is None, cli.communicate()
                time.sleep(0.2)
            crawl_pid = crawler.runs()[0]["pid"]
            while cli.poll() is None:  # Ctrl-C, and again, until newsdesk has exited
                cli.send_signal(signal.SIGINT)
                time.sleep(0.2)
            out, _ = cli.communicate()
            assert cli.returncode == 1
            assert not Path(f"/proc/{crawl_pid}").exists(), "the crawl went on after newsdesk exited"
            (run,) = crawler.runs()
            assert run["status"] == "interrupted" and run["ended_at"]
            assert "slowpoke: interrupted" in out
        finally:
            release.set()


# -- discovery helpers (pure) ---------------------------------------------------------------

def test_normalize_strips_tracking_and_fragments():
    assert normalize("HTTP://Example.COM:80/a/story-one?utm_source=rss&b=2&a=1&fbclid=x#top") == \
        "http://example.com/a/story-one?a=1&b=2"
    assert normalize("mailto:desk@example.com") == "mailto:desk@example.com"


def test_section_links_by_heuristic_and_by_pattern():
    page = listing_html("World", [1, 2], ["/world/2024/05/31/123456", "/video/some-clip-of-the-day",
                                          "/files/report-on-the-budget.pdf", "https://other.example/x/a-b-c"])
    base = "http://site.example/world/"
    found = article_links(page, base)
    assert found == ["http://site.example" + slug(1), "http://site.example" + slug(2),
                     "http://site.example/world/2024/05/31/123456", "https://other.example/x/a-b-c"]
    assert article_links(page, base, pattern=r"/\d{6}$") == ["http://site.example/world/2024/05/31/123456"]
    assert not looks_like_article("http://site.example/tag/politics")
    assert not looks_like_article("http://site.example/")


class HeldBody(bytes):
    """The body of a page no extraction can get through, on any machine: the first thing
    process_page does with a body, `strip()`, tells the test the worker is in the page
    (`started`, a fork-inherited semaphore) and then waits until the worker is killed.
    Everything else about it (pickling to the worker, the HTML itself) is an ordinary page's,
    so a worker that did get past it would store an article and fail the test."""

    started: Any = None  # set by held_pages() before the pool forks its workers

    def strip(self, *args: Any) -> bytes:
        type(self).started.release()
        threading.Event().wait()  # until the pool kills this worker
        raise AssertionError("unreachable")


def held_pages() -> Any:
    """Arm HeldBody; call before the ExtractionPool is made (its workers inherit the semaphore)."""
    HeldBody.started = multiprocessing.get_context("fork").Semaphore(0)
    return HeldBody.started


def page(i: int, body: str | bytes) -> Page:
    url = f"http://site.example{slug(i)}"
    return Page(url=url, final_url=url, body=body.encode() if isinstance(body, str) else body,
                content_type="text/html")


def held(i: int) -> Page:
    return page(i, HeldBody(article_html(i).encode()))


def test_a_page_over_the_extraction_time_limit_is_an_error_and_the_next_pages_go_on():
    """Slow by construction, not by CPU speed: a held page never finishes, so it is over any
    time limit on any machine (a pathological page that takes 6 s here takes 2 s on a machine
    three times faster). The limit is still far above what an ordinary page takes (tens of
    milliseconds), and the worker's warm-up is not counted against it."""
    started = held_pages()

    async def scenario() -> list:
        # One worker: each held page kills it, and its replacement must take the next pages.
        pool = ExtractionPool(workers=1, time_limit_s=3)
        try:
            pages = [held(1), page(2, article_html(2)), held(3), page(4, article_html(4))]
            return list(await asyncio.wait_for(asyncio.gather(*(pool.extract(p) for p in pages)), 240))
        finally:
            pool.close()

    results = asyncio.run(scenario())
    assert started.acquire(timeout=0) and started.acquire(timeout=0), "a held page never reached a worker"
    assert [getattr(r, "reason", None) for r in results] == [
        "extraction timed out after 3s", None, "extraction timed out after 3s", None], results
    assert [type(r).__name__ for r in results] == ["Rejected", "Article", "Rejected", "Article"]
    assert [r.kind for r in results[::2]] == ["error", "error"]  # counted as errors, not rejections


def test_extraction_pool_survives_workers_killed_from_outside():
    """A worker killed mid-page (OOM killer, an operator) costs that page, never the crawl."""
    started = held_pages()

    async def scenario() -> list:
        pool = ExtractionPool(workers=2, time_limit_s=600)  # a held page ends only by the kill below
        try:
            slow = [asyncio.ensure_future(pool.extract(held(i))) for i in (1, 2)]
            for _ in slow:  # wait until both workers are inside their held pages
                assert await asyncio.to_thread(started.acquire, True, 120), "a worker never took its page"
            me = os.getpid()
            with open(f"/proc/{me}/task/{me}/children") as f:
                for pid in f.read().split():
                    # forked workers carry our own command line; leave any other helper process be
                    if Path(f"/proc/{pid}/cmdline").read_bytes() == Path("/proc/self/cmdline").read_bytes():
                        os.kill(int(pid), signal.SIGKILL)
            after = [pool.extract(page(i, article_html(i))) for i in (3, 4, 5)]
            return list(await asyncio.wait_for(asyncio.gather(*slow, *after), 120))
        finally:
            pool.close()

    results = asyncio.run(scenario())
    assert [getattr(r, "reason", None) for r in results[:2]] == ["extraction worker died (exit code -9)"] * 2
    assert [type(r).__name__ for r in results[2:]] == ["Article"] * 3


def test_a_link_with_an_invalid_host_is_named_not_raised():
    from ingest.discover.feeds import parse_feed
    from ingest.discover.sitemaps import parse_sitemap
    from ingest.extract import extract_article
    from ingest.links import link_problem

    bad = "http://[::1/story"
    assert link_problem(bad) == "invalid URL (Invalid IPv6 URL)" and normalize(bad) == bad
    assert link_problem("mailto:desk@example.org") == "not an http(s) URL"
    assert link_problem("http://site.example:99999/x").startswith("invalid URL")
    assert link_problem("http://site.example/x") is None
    # the bad link comes through as written (follow() records it), the good one resolved
    sitemap = urlset("http://site.example", [bad, slug(1)]).replace("http://site.example" + bad, bad)
    assert [e.url for e in parse_sitemap(sitemap.encode(), "http://site.example/s.xml").entries] == [
        bad, "http://site.example" + slug(1)]
    feed = ('{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "%s"}, {"url": "%s"}]}'
            % (bad, slug(2))).encode()
    assert [i.url for i in parse_feed(feed, "http://site.example/f.json").items] == [
        bad, "http://site.example" + slug(2)]
    assert article_links(listing_html("World", [3], [bad]), "http://site.example/world/") == [
        "http://site.example" + slug(3)]
    # a broken canonical tag: the fetched URL stands in, the article is kept
    page = article_html(4).replace("<head>", f'<head><link rel="canonical" href="{bad}">')
    assert extract_article(page, "http://site.example" + slug(4)).url == "http://site.example" + slug(4)


TEMPLATE_LINE = "The harbour office opens at nine on weekdays and closes at five in the evening."


def test_a_line_every_article_ends_with_is_learned_and_gone_from_all(crawler: Crawler):
    """Learned boilerplate in a crawl: the options of each page carry its site's learned lines,
    and each stored article is counted, so a template sentence ends up in no stored article."""
    ids = list(range(20))
    with FixtureSite() as site:
        for i in ids:
            site.add(slug(i), article_html(i).replace("</article>", f"<p>{TEMPLATE_LINE}</p></article>"))
        site.add("/feed.xml", rss(site.base, ids), "application/rss+xml")
        crawler.configure("template", feeds=[f"{site.base}/feed.xml"])
        crawler.crawl("template")
        articles = list(crawler.archive.query("SELECT url, text FROM articles"))
        assert len(articles) == 20
        assert [a["url"] for a in articles if TEMPLATE_LINE in a["text"]] == []
        assert all("In item" in a["text"] for a in articles)  # the story itself is all there
        learned = [r["sample"] for r in crawler.archive.query("SELECT sample FROM learned_lines")]
        assert learned == [TEMPLATE_LINE]
        # the articles stored before the line was learned were revised; the later ones came out clean
        revisions = Counter(r["revision"] for r in crawler.archive.query("SELECT revision FROM articles"))
        assert revisions[1] >= 1 and revisions[2] >= 4, revisions


def test_a_meta_refresh_page_is_followed_to_its_article(crawler: Crawler):
    # spiders.middlewares.QuickMetaRefreshMiddleware skips decoding pages that cannot hold the
    # tag; one that does (any case, any attribute order) is still followed as Scrapy would.
    with FixtureSite() as site:
        site.add_articles([1, 3])
        site.add("/moved", f'<html><head><META content="0; URL={slug(3)}" HTTP-EQUIV="Refresh"></head>'
                           "<body>This story has moved.</body></html>")
        site.add("/sitemap.xml", urlset(site.base, ["/moved", slug(1)]), "application/xml")
        crawler.configure("fixture", sitemaps=[f"{site.base}/sitemap.xml"])
        crawler.crawl("fixture")
        assert site.hits_for(slug(3)) == [200]
        stored = {r["url"] for r in crawler.archive.query("SELECT url FROM articles")}
        assert stored == {site.base + slug(1), site.base + slug(3)}
