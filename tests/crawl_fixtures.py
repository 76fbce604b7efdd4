"""A small news site served on 127.0.0.1 for the crawl tests: articles, listings, feeds,
sitemaps, and a corner of misbehaving URLs. Every request is logged so tests can count hits.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

WORDS = """council budget river harbour minister election railway hospital school teachers farmers
drought rainfall festival museum library bridge tunnel airport shipping market prices inflation
wages union strike court judge appeal verdict police investigation reporters archive statement
parliament committee inquiry report findings residents neighbourhood housing rents tenants mayor
district province coast mountains forest wildlife conservation volunteers survey scientists study
energy solar wind turbines grid outage engineers repairs contract tender company shareholders
exports imports harvest wheat rice coffee tea factory workers shift overtime pension reform
vaccine clinic nurses doctors patients waiting list ambulance emergency flood storm warning""".split()

BASE_DAY = datetime(2024, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=2)))


def story(i: int, version: int = 1) -> tuple[str, list[str]]:
    """A title and five long paragraphs, different for every article (and every version)."""
    rng = random.Random(i * 1000 + version)
    title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} report number {i} on the {rng.choice(WORDS)}"
    paragraphs = []
    for p in range(5):
        sentences = []
        for _ in range(4):
            words = [rng.choice(WORDS) for _ in range(rng.randint(12, 20))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(f"In item {i}, part {p}: " + " ".join(sentences))
    if version > 1:
        paragraphs.append(f"Update {version}: officials corrected the figures given earlier in story {i}.")
    return title, paragraphs


def slug(i: int) -> str:
    return f"/news/2024/05/story-number-{i}-about-the-council"


def article_html(i: int, version: int = 1) -> str:
    title, paragraphs = story(i, version)
    date = (BASE_DAY + timedelta(hours=i)).isoformat()
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | The Fixture Times</title>
<meta property="og:type" content="article"><meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{date}">
<meta name="author" content="Jane Reporter"></head>
<body><header><nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/about">About</a></nav></header>
<main><article><h1>{html.escape(title)}</h1><p class="byline">By Jane Reporter</p>
<time datetime="{date}">{date}</time>
{body}
</article></main>
<footer><p>© The Fixture Times</p></footer></body></html>"""


def listing_html(title: str, ids: list[int], extra_links: list[str] = ()) -> str:
    items = "\n".join(f'<li><a href="{slug(i)}">{html.escape(story(i)[0])}</a></li>' for i in ids)
    extras = "\n".join(f'<li><a href="{u}">elsewhere</a></li>' for u in extra_links)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><header><nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/tag/politics">Politics</a>
<a href="/about">About</a></nav></header><main><h1>{title}</h1><ul>
{items}
{extras}
</ul></main><footer><a href="/page/2">Next page</a></footer></body></html>"""


def rss(base: str, ids: list[int], extra_links: list[str] = ()) -> str:
    items = []
    for i in ids:
        title, _ = story(i)
        date = format_datetime(BASE_DAY + timedelta(hours=i))
        items.append(f"<item><title>{html.escape(title)}</title><link>{base}{slug(i)}?utm_source=rss</link>"
                     f"<pubDate>{date}</pubDate><guid>{i}</guid></item>")
    items += [f"<item><title>Elsewhere</title><link>{html.escape(u)}</link></item>" for u in extra_links]
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fixture Times</title>'
            f'<link>{base}/</link><language>en-gb</language><description>News</description>'
            f'{"".join(items)}</channel></rss>')


def urlset(base: str, paths: list[str], news: bool = False) -> str:
    entries = []
    for path in paths:
        extra = ""
        if news:
            extra = ("<news:news><news:publication><news:name>Fixture Times</news:name>"
                     "<news:language>en</news:language></news:publication>"
                     "<news:publication_date>2024-05-01T08:00:00+02:00</news:publication_date>"
                     f"<news:title>Story at {html.escape(path)}</news:title></news:news>")
        entries.append(f"<url><loc>{base}{path}</loc>{extra}</url>")
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>' \
           f'{"".join(entries)}</urlset>'


BOMB = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/news/&lol9;</loc></url></urlset>"""

XXE = """<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">
<!ENTITY remote SYSTEM "{base}/xxe-probe">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/news/&xxe;&remote;</loc></url></urlset>"""


def pathological_html() -> str:
    """A real page shape trafilatura is slow on: thousands of one-cell tables (seconds per page)."""
    _, paragraphs = story(9999)
    cell = "<table><tr><td><p>" + html.escape(paragraphs[0]) + "</p></td></tr></table>"
    return "<html><head><title>Tables</title></head><body>" + cell * 6000 + "</body></html>"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = False  # answer If-None-Match with 304


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up (timeouts, cancelled downloads) are part of the tests


Handler = Callable[["FixtureSite"], "Response | str | None"]


class FixtureSite:
    """Routes are path -> Response, or path -> special behaviour ("reset", ("slow", seconds),
    ("hold", threading.Event): an article page answered only once the test sets the event)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        """host: a loopback address (127.0.0.2 and up are hosts of their own)."""
        self.routes: dict[str, Response | str | tuple] = {}
        self.hits: list[tuple[str, int]] = []  # (path with query, status)
        self._lock = threading.Lock()
        self.server = _QuietServer((host, 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FixtureSite":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- content --------------------------------------------------------------------------

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8", *,
            status: int = 200, headers: dict[str, str] | None = None, conditional: bool = False) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Response(status, data, content_type, headers or {}, conditional)
        return self.base + path

    def add_articles(self, ids: range | list[int], version: int = 1) -> list[str]:
        return [self.add(slug(i), article_html(i, version)) for i in ids]

    def hits_for(self, path: str) -> list[int]:
        with self._lock:
            return [status for p, status in self.hits if p.split("?")[0] == path]

    def clear_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    # -- serving --------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                route = site.routes.get(path)
                if route == "reset":
                    site._log(self.path, 0)
                    # SO_LINGER 0: close() sends a TCP RST instead of a clean FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if isinstance(route, tuple) and route[0] == "hold":
                    site._log(self.path, 0)
                    route[1].wait()
                    route = Response(200, article_html(4242).encode())
                if isinstance(route, tuple) and route[0] == "slow":
                    site._log(self.path, 0)
                    time.sleep(route[1])
                    route = Response(200, article_html(4242).encode())
                if isinstance(route, tuple) and route[0] == "redirect":
                    route = Response(302, b"", headers={"Location": route[1]})
                if route is None:
                    route = Response(404, b"<html><body><h1>Not found</h1></body></html>")
                status, headers = route.status, dict(route.headers)
                body = route.body
                if route.conditional:
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    headers["ETag"] = etag
                    if self.headers.get("If-None-Match") == etag:
                        status, body = 304, b""
                site._log(self.path, status)
                try:
                    self.send_response(status)
                    if status != 304:
                        self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

    def _log(self, path: str, status: int) -> None:
        with self._lock:
            self.hits.append((path, status))


def gz(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"))
