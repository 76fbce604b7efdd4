"""The fault matrix: every kind of bad input or broken server, and what newsdesk must do with it.

Each row is one fault. What newsdesk must do is always one of: store the article correctly
(a fault it can read through), or a clear error / a clean skip recorded against the URL in the
`fetches` table with a reason; in every case the crawl goes on (the control articles of the
same crawl are stored) and nothing stored before is lost (the archive is seeded first and
compared after). Rows that share a crawl share one Scrapy process, through the real CLI:

- PAGE_ROWS: one source whose feed lists every bad page (one `newsdesk crawl`);
- FEED_ROWS: one source whose feeds and sitemaps are broken or hostile (two crawls: the
  second checks what the first remembered, e.g. Retry-After);
- CONFIG_ROWS: a sources.toml with one mistake each (`newsdesk crawl`, exit 2);
- INGEST_ROWS: one `newsdesk ingest URL...` with bad URLs among good ones;
- HTML_ROWS: `newsdesk ingest --html` of legacy-encoded and broken saved pages.
"""
from __future__ import annotations

import gzip
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from faultkit import RawServer, assert_archive_sound, newsdesk, rows, rss, snapshot, story_html, story_paragraphs
from ingest.cli import main as cli_main
from ingest.demo_sites import DemoServer, Reset, Response
from ingest.models import Page, Rejected
from ingest.page import process_page
from ingest.links import normalize
from storage import Archive

HTML = "text/html; charset=utf-8"

# -- legacy encodings: (codec, language, a sentence whose accented words must survive) -----------
ENCODED = {
    "windows-1252": ("fr", "Le café où l’élève a mangé une crème brûlée à Noël coûte cinq €"),
    "iso-8859-1": ("de", "Die Größe der Straße überrascht die Bürger in München täglich"),
    "shift_jis": ("ja", "東京都の新しい図書館が開館しました。多くの市民が訪れています。"),
    "koi8-r": ("ru", "Москва является столицей России и крупнейшим городом страны"),
}


def encoded_page(codec: str, *, meta: str | None) -> bytes:
    lang, sentence = ENCODED[codec]
    paras = [f"{sentence}. {p}" for p in story_paragraphs(f"enc-{codec}", 5)]
    return story_html(f"enc-{codec}", lang=lang, meta_charset=meta, paragraphs=paras).encode(codec)


def has_sentence(codec: str) -> Callable[[dict[str, Any]], None]:
    def check(article: dict[str, Any]) -> None:
        sentence = ENCODED[codec][1]
        assert sentence in article["text"], f"{codec}: accented words came out wrong: {article['text'][:120]!r}"
        assert "\ufffd" not in article["text"]
    return check


def has_text(fragment: str) -> Callable[[dict[str, Any]], None]:
    def check(article: dict[str, Any]) -> None:
        assert fragment in article["text"]
    return check


# -- pages the demo server cannot serve as they are ---------------------------------------------

def gzip_bomb() -> bytes:
    """Content-Encoding: gzip that inflates to 2 GiB: 64 gzip members of 32 MiB of spaces each
    (a valid multi-member stream, about 2 MB on the wire)."""
    member = gzip.compress(b" " * (32 * 1024 * 1024), 9, mtime=0)
    return member * 64


_BIG: dict[str, bytes] = {}


def fifty_mb(_: Any) -> Response:
    if "50" not in _BIG:
        para = b"<p>" + b"filler text " * 80 + b"</p>\n"
        _BIG["50"] = b"<html><body>" + para * (50 * 1024 * 1024 // len(para)) + b"</body></html>"
    return Response(200, _BIG["50"], HTML)


def bomb_route(_: Any) -> Response:
    if "bomb" not in _BIG:
        _BIG["bomb"] = gzip_bomb()
    return Response(200, _BIG["bomb"], HTML, headers={"Content-Encoding": "gzip"})


def page(body: bytes | str, content_type: str = HTML, status: int = 200) -> Callable[[Any], Response]:
    return lambda _: Response(status, body, content_type)


def chain(prefix: str, n: int, end: str) -> dict[str, Callable[[Any], Response]]:
    """Routes prefix/n -> prefix/(n-1) -> ... -> prefix/0 -> end (302s)."""
    routes = {}
    for i in range(n, -1, -1):
        target = f"{prefix}/{i - 1}" if i else end
        routes[f"{prefix}/{i}"] = (lambda t: lambda req: Response(302, "", headers={"Location": req.base + t}))(target)
    return routes


TRUNCATED = story_html("truncated-html").split("</p>")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
MALFORMED = ("<html><head><title>Malformed but readable</title><meta property='og:type' content='article'>"
             "<body><div><article><h1>Malformed but readable<p>" +
             "</b></i>".join(p + "<p>" for p in story_paragraphs("malformed-html")) +
             "</span></div></div></table><<>>&&&")


@dataclass(frozen=True)
class Row:
    """One fault: the link a feed lists, what the server does there, what newsdesk must do."""

    id: str
    link: str  # a path on the herald demo site, or a full URL ({raw} = the raw socket server)
    expect: str  # "stored", "error", "rejected" or "skipped" (never fetched, but recorded)
    reason: str = ""  # regex the recorded reason must match
    routes: dict[str, Callable[[Any], Response]] | None = None
    check: Callable[[dict[str, Any]], None] | None = None
    fetched_at_most: int | None = None  # requests the path may get (retries included)
    listed_in: str = "feed"  # "feed" (the matrix feed), "sitemap", "json" or "section": see BAD_LINK_DOCS
    xfail: str | None = None  # a known bug, reported; strict: the row fails loudly once it is fixed


NOT_HTTP = r"^not an http\(s\) URL"  # ingest.links.link_problem's reason for a link it will not fetch


def _route(path: str, handler: Callable[[Any], Response]) -> dict[str, Callable[[Any], Response]]:
    return {path: handler}


PAGE_ROWS = [
    # controls: the crawl goes on around the faults
    Row("control-1", "/matrix/control-one", "stored", routes=_route("/matrix/control-one", page(story_html("control-one")))),
    Row("control-2", "/matrix/control-two", "stored", routes=_route("/matrix/control-two", page(story_html("control-two")))),
    # broken markup
    Row("truncated-html", "/matrix/truncated", "stored", check=has_text("truncated html story, part 2"),
        routes=_route("/matrix/truncated", page("</p>".join(TRUNCATED[:4])[:-20]))),
    Row("malformed-html", "/matrix/malformed", "stored", check=has_text("malformed html story, part 3"),
        routes=_route("/matrix/malformed", page(MALFORMED))),
    Row("tag-soup", "/matrix/soup", "rejected", r"no article text|too little text|not an HTML",
        routes=_route("/matrix/soup", page("<<<<>>>&&&<//><html<body<<p>>"))),
    Row("empty-body", "/fault/empty", "error", r"empty body"),
    # legacy encodings with a missing or false charset: the accented words must come out right
    Row("cp1252-no-charset", "/matrix/enc/cp1252", "stored", check=has_sentence("windows-1252"),
        routes=_route("/matrix/enc/cp1252", page(encoded_page("windows-1252", meta=None), "text/html"))),
    Row("latin1-header-says-utf8", "/matrix/enc/latin1", "stored", check=has_sentence("iso-8859-1"),
        routes=_route("/matrix/enc/latin1", page(encoded_page("iso-8859-1", meta=None), HTML))),
    Row("shift_jis-no-charset", "/matrix/enc/sjis", "stored", check=has_sentence("shift_jis"),
        routes=_route("/matrix/enc/sjis", page(encoded_page("shift_jis", meta=None), "text/html"))),
    Row("koi8r-meta-says-utf8", "/matrix/enc/koi8r", "stored", check=has_sentence("koi8-r"),
        routes=_route("/matrix/enc/koi8r", page(encoded_page("koi8-r", meta="utf-8"), "text/html"))),
    # a label that decodes anything (latin-1) on koi8-r bytes cannot be caught: it must not crash
    Row("koi8r-labelled-latin1", "/matrix/enc/koi8r-latin1", "stored",
        routes=_route("/matrix/enc/koi8r-latin1",
                      page(encoded_page("koi8-r", meta=None), "text/html; charset=iso-8859-1"))),
    # not HTML at all
    Row("png-as-html", "/matrix/png", "error", r"binary content", routes=_route("/matrix/png", page(PNG))),
    Row("pdf-as-html", "/fault/pdf-as-html", "error", r"binary content"),
    Row("pdf", "/fault/pdf", "error", r"not an HTML page.*application/pdf"),
    # size bombs
    Row("gzip-bomb", "/matrix/gzip-bomb", "error", r"size|max ?size|larger", routes=_route("/matrix/gzip-bomb", bomb_route)),
    Row("50mb-page", "/matrix/fifty-mb", "error", r"size|larger", routes=_route("/matrix/fifty-mb", fifty_mb)),
    Row("50mb-streamed-no-length", "{raw}/stream-huge", "error", r"size limit \(more than \d+ bytes\)"),
    Row("11mib-page", "/fault/huge", "error", r"size|larger"),
    # a server that never finishes, or hangs up
    Row("trickle-for-ever", "{raw}/trickle", "error", r"timed out"),
    Row("slow-answer", "/fault/slow?s=60", "error", r"timed out"),
    Row("connection-reset", "/fault/reset", "error", r"reset|closed|connection"),
    # redirects
    Row("redirect-loop", "/fault/redirect-loop", "error", r"redirect", fetched_at_most=20),
    Row("redirect-chain-12", "/matrix/chain/12", "error", r"redirect",
        routes=chain("/matrix/chain", 12, "/matrix/control-one")),
    Row("redirect-chain-3-ok", "/matrix/short/3", "stored",
        routes={**chain("/matrix/short", 3, "/matrix/short-end"),
                "/matrix/short-end": page(story_html("short-chain-end"))}),
    # HTTP errors
    Row("404", "/matrix/nothing-here", "error", r"HTTP 404"),
    Row("410", "/matrix/gone", "error", r"HTTP 410", routes=_route("/matrix/gone", page("<h1>Gone</h1>", status=410))),
    Row("500", "/fault/500", "error", r"HTTP 500"),
    Row("503-retry-after", "/fault/503", "error", r"HTTP 503"),
    Row("429-retry-after", "/fault/429", "error", r"HTTP 429", fetched_at_most=1),
    Row("challenge-200", "/fault/challenge", "rejected", r"challenge"),
    Row("error-page-200", "/matrix/soft-404", "rejected", r"error page|not found|too little",
        routes=_route("/matrix/soft-404", page("<html><head><title>Page not found</title></head>"
                                               "<body><h1>404: Page not found</h1><p>Sorry.</p></body></html>"))),
    # odd URLs
    Row("spaces-in-path", "/matrix/odd path with spaces", "stored",
        routes=_route("/matrix/odd%20path%20with%20spaces", page(story_html("odd-spaces")))),
    Row("unicode-path", "/matrix/café-ünïcode", "stored",
        routes=_route("/matrix/caf%C3%A9-%C3%BCn%C3%AFcode", page(story_html("odd-unicode")))),
    Row("fragment", "/matrix/fragment-story#comments", "stored", fetched_at_most=1,
        routes=_route("/matrix/fragment-story", page(story_html("fragment-story")))),
    Row("quotes-parens", "/matrix/it's-(odd)!~*", "stored",
        routes=_route("/matrix/it's-(odd)!~*", page(story_html("quotes-parens")))),
    Row("idn-host", "http://bücher.example/story", "rejected", r"off-site"),
    # feedparser itself drops an unparsable link from RSS: never fetched, nothing to record
    Row("bad-ipv6-host-in-rss", "http://[::1/story", "ignored"),
    # non-http schemes listed in a feed: never fetched (fetched, the file link would be an
    # off-site error and the ftp one a refused connection: neither is the scheme's reason)
    # (feedparser respells "file:///etc/passwd" as "file://etc/passwd", so the row lists the
    # localhost form, which reaches our code as written and can be looked up by it)
    Row("file-scheme", "file://localhost/etc/passwd", "skipped", NOT_HTTP),
    Row("ftp-scheme", "ftp://127.0.0.1/pub/story", "skipped", NOT_HTTP),
    Row("javascript-scheme", "javascript:alert(1)", "skipped", NOT_HTTP),
    Row("mailto-scheme", "mailto:desk@example.org", "skipped", NOT_HTTP),
    Row("data-scheme", "data:text/html,<p>hi</p>", "skipped", NOT_HTTP),
]

# One good article listed next to a link with an invalid host, in each kind of discovery document.
PAGE_ROWS += [
    Row("bad-url-beside-good-in-sitemap", "/matrix/via-sitemap-good", "stored", listed_in="sitemap",
        routes=_route("/matrix/via-sitemap-good", page(story_html("via-sitemap-good")))),
    Row("bad-url-beside-good-in-json-feed", "/matrix/via-json-good", "stored", listed_in="json",
        routes=_route("/matrix/via-json-good", page(story_html("via-json-good")))),
    Row("bad-url-beside-good-on-section", "/matrix/via-section-good-story", "stored", listed_in="section",
        routes=_route("/matrix/via-section-good-story", page(story_html("via-section-good")))),
]


def bad_link_docs(herald: str) -> dict[str, Callable[[Any], Response]]:
    """The extra discovery documents: each lists an invalid URL before its good article."""
    bad = "http://[::1/story"
    good = {r.listed_in: herald + r.link for r in PAGE_ROWS if r.listed_in != "feed"}
    sitemap = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               f'<url><loc>{bad}</loc></url><url><loc>{good["sitemap"]}</loc></url></urlset>')
    json_feed = ('{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
                 f'{{"id": "1", "url": "{bad}"}}, {{"id": "2", "url": "{good["json"]}"}}]}}')
    section = (f'<html><body><h1>Section</h1><a href="{bad}">Bad one two three</a>'
               f'<a href="{good["section"]}">Good one two three</a></body></html>')
    return {"/matrix/badloc-sitemap.xml": page(sitemap, "application/xml"),
            "/matrix/badurl.json": page(json_feed, "application/feed+json"),
            "/matrix/badlink-section": page(section)}


# Articles stored before the crawl, whose URLs now fail: they must come out untouched.
SEEDED = {
    "/matrix/seeded-500": page("<h1>500</h1>", status=500),
    "/matrix/seeded-challenge": lambda req: Response(200, "<!DOCTYPE html><html><head><title>Just a moment...</title>"
                                                          "</head><body><p>Enable JavaScript and cookies to continue."
                                                          "</p></body></html>"),
    "/matrix/seeded-empty": page(b""),
    "/matrix/seeded-reset": lambda req: hang_up(),
}


def hang_up() -> Response:
    raise Reset()


def absolute(link: str, herald: str, raw: str) -> str:
    if link.startswith("{raw}"):
        return raw + link[len("{raw}"):]
    return herald + link if link.startswith("/") else link


@pytest.fixture(scope="module")
def page_crawl(tmp_path_factory):
    """Seed an archive, then crawl one source whose feed lists every PAGE_ROWS link."""
    tmp = tmp_path_factory.mktemp("pages")
    with DemoServer() as demo, RawServer() as raw:
        herald = demo.bases["herald"]
        for row in PAGE_ROWS:
            for path, handler in (row.routes or {}).items():
                demo.route(path, handler, site="herald")
        links = [absolute(r.link, herald, raw.base) for r in PAGE_ROWS if r.listed_in == "feed"]
        links += [herald + p for p in SEEDED]
        for path, handler in bad_link_docs(herald).items():
            demo.route(path, handler, site="herald")
        demo.route("/matrix/feed.rss", page(rss([escape(link) for link in links]), "application/rss+xml"),
                   site="herald")

        db = tmp / "archive.db"
        seeded_ids = []
        with Archive(db) as archive:
            # untouched articles of another site, and articles whose URLs now fail
            for record in demo.expected("wpdaily")[:4]:
                body = demo_page(demo, record["url"])
                seeded_ids.append(archive.save(process_page(Page(record["url"], record["url"], body,
                                                                 content_type=HTML)), source="wpdaily").article_id)
            for path in SEEDED:
                url = herald + path
                saved = archive.save(process_page(Page(url, url, story_html(path.rsplit("/", 1)[1]).encode(),
                                                       content_type=HTML, source="matrix")), source="matrix")
                assert saved.outcome == "new"
                seeded_ids.append(saved.article_id)
        for path, handler in SEEDED.items():
            demo.route(path, handler, site="herald")
        before = snapshot(db, seeded_ids)

        sources = tmp / "sources.toml"
        sources.write_text(f'[sources.matrix]\nfeeds = ["{herald}/matrix/feed.rss", "{herald}/matrix/badurl.json"]\n'
                           f'sitemaps = ["{herald}/matrix/badloc-sitemap.xml"]\n'
                           f'sections = ["{herald}/matrix/badlink-section"]\n'
                           f"delay = 0.0\ntimeout = 2\nmax_pages = 200\nrecheck = true\n", encoding="utf-8")
        proc = newsdesk(db, sources, "crawl", "--quiet", "matrix")
        yield {"proc": proc, "db": db, "demo": demo, "herald": herald, "raw": raw, "before": before,
               "seeded_ids": seeded_ids, "requests": list(demo.log), "raw_paths": list(raw.paths)}


def demo_page(demo: DemoServer, url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


def fetch_rows(db: Path, url: str) -> list[dict[str, Any]]:
    return rows(db, "SELECT * FROM fetches WHERE url = ? ORDER BY id", (url,))


def params(table: list) -> list:
    return [pytest.param(r, id=r.id, marks=[pytest.mark.xfail(strict=True, reason=r.xfail)] if r.xfail else [])
            for r in table]


def url_key(url: str) -> str:
    """The URL as the archive records it (normalized), or as given when it cannot be parsed."""
    try:
        return normalize(url)
    except ValueError:
        return url


@pytest.mark.parametrize("row", params(PAGE_ROWS))
def test_page_fault(page_crawl, row: Row) -> None:
    db = page_crawl["db"]
    url = absolute(row.link, page_crawl["herald"], page_crawl["raw"].base)
    key = url_key(url)
    fetched = fetch_rows(db, key)
    if row.expect == "ignored":  # dropped before our code sees it: never fetched, never stored
        assert not [f for f in fetched if f["article_id"]]
        assert not [p for _, _, p in page_crawl["requests"] if p.startswith("/story")]
        return
    if row.expect == "stored":
        assert [f["outcome"] for f in fetched] == ["new"], f"{row.id}: fetches for {key}: {fetched}"
        article = rows(db, "SELECT * FROM articles WHERE id = ?", (fetched[0]["article_id"],))[0]
        assert article["source"] == "matrix" and article["text"].strip()
        if row.check:
            row.check(article)
    else:
        outcomes = {"error": {"error"}, "rejected": {"rejected"}, "skipped": {"error", "rejected"}}[row.expect]
        assert fetched, f"{row.id}: nothing recorded in fetches for {key}"
        assert fetched[-1]["outcome"] in outcomes, f"{row.id}: {fetched[-1]}"
        assert fetched[-1]["reason"] and re.search(row.reason, fetched[-1]["reason"], re.I), \
            f"{row.id}: reason {fetched[-1]['reason']!r} does not match {row.reason!r}"
        assert fetched[-1]["article_id"] is None
        assert rows(db, "SELECT id FROM articles WHERE url = ? OR fetched_url = ?", (key, key)) == []
    if row.expect == "skipped":  # refused as it was found: recorded once, no response ever came
        assert len(fetched) == 1 and fetched[0]["status"] is None, f"{row.id}: {fetched}"
    if row.fetched_at_most is not None:
        path = urlsplit(key).path
        hits = [p for _, _, p in page_crawl["requests"] if p.split("?")[0] == path]
        assert 1 <= len(hits) <= row.fetched_at_most, f"{row.id}: {path} fetched {len(hits)} times"


def test_page_crawl_goes_on_and_reports(page_crawl) -> None:
    proc, db = page_crawl["proc"], page_crawl["db"]
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr[-3000:]
    assert re.search(r"^matrix: \w+: \d+ pages fetched", proc.stdout, re.M), proc.stdout
    run = rows(db, "SELECT * FROM runs WHERE source = 'matrix'")
    assert len(run) == 1 and run[0]["status"] in ("ok", "failed"), run
    stored = sum(r.expect == "stored" and not r.xfail for r in PAGE_ROWS)
    assert stored <= run[0]["new"] <= stored + sum(bool(r.xfail) for r in PAGE_ROWS)
    assert run[0]["errors"] >= sum(r.expect == "error" for r in PAGE_ROWS)


def test_nothing_stored_before_is_lost(page_crawl) -> None:
    db = page_crawl["db"]
    assert snapshot(db, page_crawl["seeded_ids"]) == page_crawl["before"]
    for path in SEEDED:  # each was fetched again (recheck) and failed: recorded, article kept
        fetched = fetch_rows(db, normalize(page_crawl["herald"] + path))
        assert [f["outcome"] for f in fetched][0] == "new"
        assert fetched[-1]["outcome"] in ("error", "rejected"), (path, fetched)
    assert_archive_sound(db)


def test_file_url_contents_never_read(page_crawl) -> None:
    db = page_crawl["db"]
    for table, column in (("articles", "text"), ("fetches", "reason"), ("revisions", "text")):
        assert rows(db, f"SELECT 1 FROM {table} WHERE {column} LIKE '%root:%:0:0%'") == []


# -- hostile and broken feeds and sitemaps ------------------------------------------------------

LOL_DTD = ('<!DOCTYPE rss [\n <!ENTITY lol "lol">\n' +
           "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)) +
           "]>\n")
FLOOD = 10_000


def lol_rss(req: Any) -> Response:
    body = ('<?xml version="1.0"?>\n' + LOL_DTD + '<rss version="2.0"><channel><title>&lol9;</title>'
            f'<item><title>&lol9;</title><link>{req.base}/matrix/lol-item</link></item></channel></rss>')
    return Response(200, body, "application/rss+xml")


def xxe_rss(req: Any) -> Response:
    body = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY file SYSTEM "file:///etc/passwd">\n'
            f' <!ENTITY remote SYSTEM "{req.base}/fault/xxe-canary">\n]>\n'
            '<rss version="2.0"><channel><title>t &remote;</title>'
            f'<item><title>&file;</title><link>{req.base}/matrix/xxe-item/&remote;</link></item></channel></rss>')
    return Response(200, body, "application/rss+xml")


def lol_news_sitemap(req: Any) -> Response:
    body = ('<?xml version="1.0"?>\n' + LOL_DTD.replace("rss", "urlset") +
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f'<url><loc>{req.base}/matrix/lol-news</loc><news:news><news:title>&lol9;</news:title>'
            '</news:news></url></urlset>')
    return Response(200, body, "application/xml")


def flood_rss(req: Any) -> Response:
    return Response(200, rss([f"{req.base}/matrix/many/{i}" for i in range(FLOOD)], "Ten thousand"),
                    "application/rss+xml")


def flood_page(req: Any) -> Response:
    n = req.path.rsplit("/", 1)[1]
    return Response(200, story_html(f"flood-{n}"), HTML)


@dataclass(frozen=True)
class FeedRow:
    id: str
    kind: str  # sources.toml key
    path: str
    reason: str  # regex of the recorded error
    route: Callable[[Any], Response] | None = None


FEED_ROWS = [
    FeedRow("malformed-rss", "feeds", "/fault/malformed.rss", r"malformed"),
    FeedRow("billion-laughs-rss", "feeds", "/matrix/lol.rss", r"entit|malformed|refused", lol_rss),
    FeedRow("xxe-rss", "feeds", "/matrix/xxe.rss", r"entit|malformed|refused", xxe_rss),
    FeedRow("html-as-feed", "feeds", "/matrix/not-a-feed", r"not a feed|malformed",
            page(story_html("not-a-feed-page"))),
    FeedRow("binary-as-feed", "feeds", "/matrix/binary-feed", r"not a feed|malformed|binary",
            page(PNG, "application/rss+xml")),
    FeedRow("json-feed-garbage", "feeds", "/matrix/feed.json", r"JSON", page('{"version": "https://jsonfeed.org/version/1.1", '
                                                                           '"items": 7', "application/feed+json")),
    FeedRow("429-feed", "feeds", "/matrix/limited.rss", r"HTTP 429.*come back",
            lambda req: Response(429, "slow down", "text/plain", headers={"Retry-After": "3600"})),
    FeedRow("reset-feed", "feeds", "/fault/reset", r"reset|closed|connection"),
    FeedRow("billion-laughs-sitemap", "sitemaps", "/fault/bomb.xml", r"entit"),
    FeedRow("xxe-sitemap", "sitemaps", "/fault/xxe.xml", r"entit"),
    FeedRow("garbage-sitemap", "sitemaps", "/matrix/garbage.xml", r"malformed|not a sitemap",
            page("this is not XML {{{ <", "application/xml")),
    FeedRow("billion-laughs-news-sitemap", "news_sitemaps", "/matrix/lol-news.xml", r"entit", lol_news_sitemap),
    FeedRow("404-sitemap", "news_sitemaps", "/matrix/no-sitemap.xml", r"HTTP 404"),
]
FLOOD_MAX_PAGES = 5


@pytest.fixture(scope="module")
def feed_crawls(tmp_path_factory):
    """Crawl a source whose discovery documents are all broken or hostile, plus a 10,000-item
    feed, twice; record what each crawl requested."""
    tmp = tmp_path_factory.mktemp("feeds")
    with DemoServer() as demo:
        herald = demo.bases["herald"]
        for row in FEED_ROWS:
            if row.route:
                demo.route(row.path, row.route, site="herald")
        demo.route("/matrix/flood.rss", flood_rss, site="herald")
        for i in range(FLOOD):
            demo.route(f"/matrix/many/{i}", flood_page, site="herald")
        keys: dict[str, list[str]] = {"feeds": [herald + "/matrix/flood.rss"], "sitemaps": [], "news_sitemaps": []}
        for row in FEED_ROWS:
            keys[row.kind].append(herald + row.path)
        sources = tmp / "sources.toml"
        sources.write_text("[sources.hostile]\n" + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in keys.items())
                           + f"delay = 0.0\ntimeout = 3\nmax_pages = {FLOOD_MAX_PAGES}\n", encoding="utf-8")
        db = tmp / "archive.db"
        results = []
        for _ in range(2):
            demo.log.clear()
            proc = newsdesk(db, sources, "crawl", "--quiet", "hostile")
            results.append({"proc": proc, "requests": [p for _, _, p in demo.log]})
        yield {"db": db, "herald": herald, "runs": results}


@pytest.mark.parametrize("row", FEED_ROWS, ids=[r.id for r in FEED_ROWS])
def test_feed_fault(feed_crawls, row: FeedRow) -> None:
    db, url = feed_crawls["db"], normalize(feed_crawls["herald"] + row.path)
    recorded = fetch_rows(db, url) or fetch_rows(db, feed_crawls["herald"] + row.path)
    assert recorded, f"{row.id}: nothing recorded for {url}"
    first = recorded[0]
    assert first["outcome"] == "error" and re.search(row.reason, first["reason"] or "", re.I), \
        f"{row.id}: {first}"


def test_hostile_xml_never_fetches_external_entities(feed_crawls) -> None:
    for run in feed_crawls["runs"]:
        assert not [p for p in run["requests"] if p.startswith("/fault/xxe-canary")]
        assert not [p for p in run["requests"] if "/xxe/" in p or "/bomb/" in p or "lol" in p.split("/")[-1] and
                    p.startswith("/matrix/lol-") and "lol9" in p]
    assert rows(feed_crawls["db"], "SELECT 1 FROM fetches WHERE url LIKE '%root:%' OR reason LIKE '%root:x:0%'") == []


def test_ten_thousand_items_bounded_by_max_pages(feed_crawls) -> None:
    db = feed_crawls["db"]
    seen: set[str] = set()
    for run in feed_crawls["runs"]:
        proc = run["proc"]
        assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
        pages = [p for p in run["requests"] if p.startswith("/matrix/many/")]
        assert 1 <= len(pages) <= FLOOD_MAX_PAGES, pages
        assert not seen & set(pages), "the second run fetched the same items again"
        seen |= set(pages)
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(seen)
    runs = rows(db, "SELECT * FROM runs ORDER BY id")
    assert [r["status"] for r in runs] != ["running", "running"] and all(r["ended_at"] for r in runs), runs


def test_retry_after_is_honoured_on_the_next_run(feed_crawls) -> None:
    first, second = feed_crawls["runs"]
    assert "/matrix/limited.rss" in first["requests"]
    assert "/matrix/limited.rss" not in second["requests"]
    state = rows(feed_crawls["db"], "SELECT * FROM feed_state WHERE url LIKE '%/matrix/limited.rss'")
    assert state and state[0]["not_before"], state


# -- sources.toml mistakes: exit 2, one line naming the source and the key ----------------------

GOOD = '[sources.bad]\nfeeds = ["http://127.0.0.1:9/feed.rss"]\n'
CONFIG_ROWS = [
    ("unknown-key", GOOD + "delai = 1.0\n", ["[sources.bad]", "delai"]),
    ("max_pages-string", GOOD + 'max_pages = "lots"\n', ["[sources.bad]", "max_pages"]),
    ("max_pages-zero", GOOD + "max_pages = 0\n", ["[sources.bad]", "max_pages"]),
    ("delay-negative", GOOD + "delay = -1\n", ["[sources.bad]", "delay"]),
    ("timeout-bool", GOOD + "timeout = true\n", ["[sources.bad]", "timeout"]),
    ("recheck-string", GOOD + 'recheck = "yes"\n', ["[sources.bad]", "recheck"]),
    ("feeds-number", "[sources.bad]\nfeeds = 42\n", ["[sources.bad]", "feeds"]),
    ("bad-cron", GOOD + 'schedule = "61 * * * *"\n', ["[sources.bad]", "schedule"]),
    ("bad-schedule-words", GOOD + 'schedule = "hourly-ish"\n', ["[sources.bad]", "schedule"]),
    ("bad-url", '[sources.bad]\nfeeds = ["not a url"]\n', ["[sources.bad]", "feeds"]),
    ("ftp-url", '[sources.bad]\nsections = ["ftp://127.0.0.1/news"]\n', ["[sources.bad]", "sections"]),
    ("no-discovery-keys", '[sources.bad]\nname = "Bad"\n', ["[sources.bad]", "feeds"]),
    ("invalid-regex", GOOD + 'article_pattern = "/news/(unclosed"\n', ["[sources.bad]", "article_pattern"]),
    ("not-a-table", "[sources]\nbad = 3\n", ["[sources.bad]"]),
    ("not-toml", "[sources.bad\nfeeds = [\n", ["invalid TOML"]),
    ("not-utf8", b"[sources.bad]\nname = \"Caf\xe9\"\n", ["UTF-8"]),
    ("missing-file", None, ["no such file"]),
]


@pytest.fixture(scope="module")
def config_results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("config")

    def run(row: tuple) -> tuple[str, Any, Path]:
        name, text, _ = row
        path = tmp / f"{name}.toml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        elif text is not None:
            path.write_text(text, encoding="utf-8")
        return name, newsdesk(tmp / f"{name}.db", path, "crawl", "bad"), path

    with ThreadPoolExecutor(4) as pool:  # each is a short CLI start-up: run them side by side
        return {name: (proc, path) for name, proc, path in pool.map(run, CONFIG_ROWS)}


@pytest.mark.parametrize("name,text,words", CONFIG_ROWS, ids=[r[0] for r in CONFIG_ROWS])
def test_bad_sources_toml(config_results, name: str, text: Any, words: list[str]) -> None:
    proc, path = config_results[name]
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert str(path) in lines[0]
    for word in words:
        assert word in lines[0], f"{word!r} not named in {lines[0]!r}"
    assert "Traceback" not in proc.stderr and proc.stdout == ""


# -- newsdesk ingest URL... with bad URLs among good ones ---------------------------------------

INGEST_ROWS = [
    # (id, URL or path on herald, expected line regex)
    ("good-before", "/matrix/ingest-good-1", r"\tnew$"),
    ("file", "file:///etc/passwd", r"\terror: .*http"),
    ("ftp", "ftp://127.0.0.1/pub/story", r"\terror: .*http"),
    ("javascript", "javascript:alert(1)", r"\terror: .*http"),
    ("mailto", "mailto:desk@example.org", r"\terror: .*http"),
    ("data", "data:text/html,<p>hi</p>", r"\terror: .*http"),
    ("no-scheme", "www.example.org/story", r"\terror: .*http"),
    ("idn-unresolvable", "http://bücher.example/story", r"\terror: .*(DNS|resolve|lookup)"),
    ("reset", "/fault/reset", r"\terror: .*(reset|closed|connection)"),
    ("challenge", "/fault/challenge", r"\trejected: .*challenge"),
    ("spaces", "/matrix/ingest odd path", r"\tnew$"),
    ("good-after", "/matrix/ingest-good-2", r"\tnew$"),
]


@pytest.fixture(scope="module")
def ingest_result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ingest")
    with DemoServer() as demo:
        herald = demo.bases["herald"]
        for path in ("/matrix/ingest-good-1", "/matrix/ingest-good-2"):
            demo.route(path, page(story_html(path.rsplit("/", 1)[1])), site="herald")
        demo.route("/matrix/ingest%20odd%20path", page(story_html("ingest-odd-path")), site="herald")
        urls = [herald + u if u.startswith("/") else u for _, u, _ in INGEST_ROWS]
        db = tmp / "archive.db"
        proc = newsdesk(db, None, "ingest", *urls, env={"NEWSDESK_DELAY": "0"})
        yield {"proc": proc, "urls": urls, "db": db, "requests": [p for _, _, p in demo.log]}


def test_ingest_invalid_host_is_one_error_line(tmp_path) -> None:
    proc = newsdesk(tmp_path / "a.db", None, "ingest", "http://[::1/story", "javascript:void(0)")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2 and all("\terror: " in line for line in lines), proc.stdout


def test_ingest_reports_every_url_in_order(ingest_result) -> None:
    proc = ingest_result["proc"]
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == len(INGEST_ROWS), proc.stdout + proc.stderr


@pytest.mark.parametrize("index,row", list(enumerate(INGEST_ROWS)), ids=[r[0] for r in INGEST_ROWS])
def test_ingest_url(ingest_result, index: int, row: tuple) -> None:
    lines = ingest_result["proc"].stdout.strip().splitlines()
    assert index < len(lines), ingest_result["proc"].stdout + ingest_result["proc"].stderr[-2000:]
    line = lines[index]
    # the URL as given, or as the archive records it (percent-encoded, IDN host in punycode)
    given = ingest_result["urls"][index]
    assert line.split("\t", 1)[0] in (given, url_key(given)), f"{row[0]}: line {index} is not about {given}: {line!r}"
    assert re.search(row[2], line), f"{row[0]}: {line!r}"
    url = ingest_result["urls"][index]
    if "\terror" in line or "\trejected" in line:
        recorded = rows(ingest_result["db"], "SELECT * FROM fetches WHERE url IN (?, ?)", (url, normalize(url)))
        assert recorded and recorded[-1]["reason"], f"{row[0]}: not recorded in fetches"


# -- newsdesk ingest --html: saved pages in legacy encodings, broken markup ---------------------

HTML_ROWS = [
    (f"{codec}-{label}", codec, meta) for codec in ENCODED
    for label, meta in (("no-charset", None), ("meta-says-utf8", "utf-8"))
]


@pytest.mark.parametrize("name,codec,meta", HTML_ROWS, ids=[r[0] for r in HTML_ROWS])
def test_ingest_html_legacy_encoding(tmp_path, name: str, codec: str, meta: str | None) -> None:
    saved = tmp_path / "page.html"
    saved.write_bytes(encoded_page(codec, meta=meta))
    db = tmp_path / "archive.db"
    result = CliRunner().invoke(cli_main, ["--db", str(db), "ingest", "--html", str(saved),
                                           "--url", f"https://news.example/{name}"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("\tnew"), result.output
    with Archive(db) as archive:
        article = archive.get(f"https://news.example/{name}")
        has_sentence(codec)(article)
        # the FTS index holds the decoded words too (unicode61 does not segment Japanese)
        word = {"windows-1252": "brûlée", "iso-8859-1": "Straße", "koi8-r": "Москва"}.get(codec)
        if word:
            assert [h["url"] for h in archive.search(word)] == [f"https://news.example/{name}"], word


# UTF-8 bytes under a legacy label (WinFuture, El Mundo, People's Daily do this): "fÃ¼r" unless
# the bytes win; legacy bytes are never valid UTF-8 by chance, so the rows above still hold.
UTF8_MISLABELLED = [
    ("meta-latin1", "Die Größe der Straße überrascht die Bürger in München täglich", "iso-8859-1", "text/html"),
    ("meta-cp1252", "Le café où l’élève a mangé une crème brûlée à Noël coûte cinq €", "windows-1252", "text/html"),
    ("header-latin1", "El niño pidió un café en la estación de Córdoba", None, "text/html; charset=iso-8859-1"),
    ("meta-gb2312", "人民网北京电，新的图书馆今天正式开馆，许多市民前来参观。", "gb2312", "text/html"),
]


@pytest.mark.parametrize("name,sentence,meta,content_type", UTF8_MISLABELLED, ids=[r[0] for r in UTF8_MISLABELLED])
def test_utf8_page_with_a_legacy_encoding_label(name: str, sentence: str, meta: str | None, content_type: str) -> None:
    paras = [f"{sentence}. {p}" for p in story_paragraphs(f"utf8-{name}", 5)]
    body = story_html(f"utf8-{name}", meta_charset=meta, paragraphs=paras).encode("utf-8")
    url = f"https://news.example/{name}"
    article = process_page(Page(url, url, body, content_type=content_type))
    assert not isinstance(article, Rejected), article
    assert sentence in article.text, f"{name}: UTF-8 read as {meta or content_type}: {article.text[:120]!r}"


@pytest.mark.parametrize("name,body,outcome", [
    ("binary", PNG, r"error: binary"),
    ("empty", b"   \n", r"error: empty"),
    ("tag-soup", b"<<<<>>>&&&<//><html<body<<p>>", r"rejected: "),
    ("nul-bytes", b"<html><body><p>text\x00\x00\x00 more</p></body></html>", r"error: binary"),
], ids=["binary", "empty", "tag-soup", "nul-bytes"])
def test_ingest_html_not_a_page(tmp_path, name: str, body: bytes, outcome: str) -> None:
    saved = tmp_path / "page.html"
    saved.write_bytes(body)
    db = tmp_path / "archive.db"
    result = CliRunner().invoke(cli_main, ["--db", str(db), "ingest", "--html", str(saved),
                                           "--url", f"https://news.example/{name}"])
    assert result.exit_code == 1, result.output
    assert re.search(outcome, result.output), result.output
    assert rows(db, "SELECT reason FROM fetches WHERE url = ?", (f"https://news.example/{name}",))
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 0
