"""DemoServer: the demo sites on 127.0.0.1, one port per site, in background threads.

Tests start it, read `bases`, change it between crawls (edit or add articles, register
fault routes) and stop it. `python -m ingest.demo_sites.server` serves until Ctrl-C.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from ingest.demo_sites import stories
from ingest.demo_sites.build import DEFAULT_SEED, SITE_KEYS, DemoArticle, DemoSite, build_sites, \
    expected_records, slugify
from ingest.demo_sites.faults import FAULTS, Reset
from ingest.demo_sites.routes import Response, non_article_paths, render

Route = Callable[["Request"], Response]


@dataclass
class Request:
    """One request as a route sees it."""

    site: str
    method: str
    path: str
    query: str
    headers: Message
    base: str  # http://127.0.0.1:PORT of the site that got the request
    server: "DemoServer"

    def wait(self, seconds: float) -> None:
        """Sleep, but wake up when the server stops."""
        self.server._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoNews/1.0"
    timeout = 30  # idle keep-alive connections end on their own
    demo: "DemoServer"
    site_key: str

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read demo.log instead
        pass

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        path, _, query = self.path.partition("?")
        demo = self.demo
        demo._record(self.site_key, self.command, self.path, self.headers)
        request = Request(self.site_key, self.command, path, query, self.headers, demo.bases[self.site_key], demo)
        try:
            response = demo._respond(request)
        except Reset:
            self._reset()
            return
        self._send(response, head)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout turns close() into a TCP RST.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _send(self, response: Response, head: bool) -> None:
        data = response.data
        headers = dict(response.headers)
        status = response.status
        if response.conditional and status == 200:
            etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
            changed = self.demo._changed_at[self.site_key]
            headers["ETag"] = etag
            headers["Last-Modified"] = formatdate(changed, usegmt=True)
            if _not_modified(self.headers, etag, changed):
                status, data = 304, b""
        if status != 304 and data and len(data) > 1024 and "gzip" in self.headers.get("Accept-Encoding", "") \
                and response.conditional:
            data = gzip.compress(data, 5, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", response.content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head and data:
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True


def _not_modified(headers: Message, etag: str, changed: int) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since only when it is absent."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            return changed <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


class DemoServer:
    """The three demo sites, each on its own 127.0.0.1 port. Use as a context manager or
    call start()/stop(). All mutators are thread-safe and bump Last-Modified/ETag."""

    def __init__(self, seed: int = DEFAULT_SEED, host: str = "127.0.0.1",
                 ports: dict[str, int] | None = None):
        self.seed = seed
        self.host = host
        self.ports = dict(ports or {})
        self.sites: dict[str, DemoSite] = build_sites(seed)
        self.bases: dict[str, str] = {}
        self.log: list[tuple[str, str, str]] = []  # (site, method, path with query), in order
        self.routes: dict[tuple[str | None, str], Route] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        self._changed_at = {key: int(time.time()) for key in SITE_KEYS}
        self._added = 0

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> "DemoServer":
        self._stopping.clear()
        for key in SITE_KEYS:
            handler = type(f"{key}Handler", (_Handler,), {"demo": self, "site_key": key})
            httpd = ThreadingHTTPServer((self.host, self.ports.get(key, 0)), handler)
            httpd.daemon_threads = True
            self._servers[key] = httpd
            self.ports[key] = httpd.server_address[1]
            self.bases[key] = f"http://{self.host}:{self.ports[key]}"
            thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"demo-{key}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes slow routes
        for httpd in self._servers.values():
            httpd.shutdown()
            httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the freshly built sites: undo edits, additions, routes and the log."""
        with self._lock:
            self.sites = build_sites(self.seed)
            self.routes.clear()
            self.log.clear()
            for key in SITE_KEYS:
                self._touch(key)

    # -- what tests read ------------------------------------------------------------------

    def url(self, site: str, path: str = "/") -> str:
        return self.bases[site] + path

    def expected(self, site: str | None = None, *, include_private: bool = False) -> list[dict[str, Any]]:
        """Expected fields of every article (see DemoArticle.expected), absolute URLs."""
        with self._lock:
            records = expected_records(self.sites, self.bases, include_private=include_private)
        return [r for r in records if site is None or r["site"] == site]

    def expected_for(self, url: str) -> dict[str, Any]:
        site, article = self._find(url)
        with self._lock:
            return article.expected(self.bases)

    def non_article_urls(self, site: str | None = None) -> list[str]:
        """Home, section, category and about pages: extraction must reject them."""
        keys = [site] if site else list(SITE_KEYS)
        return [self.bases[k] + p for k in keys for p in non_article_paths(self.sites[k])]

    def private_urls(self) -> list[str]:
        """Articles under /private/, which every robots.txt disallows."""
        return [r["url"] for r in self.expected(include_private=True) if r["private"]]

    def requests_for(self, site: str | None = None, path_prefix: str = "") -> list[str]:
        """Paths (with query) fetched so far, optionally on one site and under a prefix."""
        with self._lock:
            return [p for s, _, p in self.log if (site is None or s == site) and p.startswith(path_prefix)]

    # -- changing the sites between crawls ------------------------------------------------

    def route(self, path: str, handler: Route, site: str | None = None) -> None:
        """Serve `path` (no query) with `handler(request) -> Response` on one site or all."""
        with self._lock:
            self.routes[(site, path)] = handler

    def edit_article(self, url: str, *, paragraphs: list[str] | None = None, text: str | None = None,
                     title: str | None = None) -> dict[str, Any]:
        """Change an article in place (a revision); returns its new expected record."""
        site, article = self._find(url)
        with self._lock:
            if text is not None:
                paragraphs = [line for line in text.splitlines() if line.strip()]
            if paragraphs is not None:
                article.paragraphs = list(paragraphs)
                if article.cards:
                    article.cards = (len(paragraphs),)
                first = paragraphs[0] if paragraphs else ""
                article.description = first if len(first) <= 200 else first[:197].rsplit(" ", 1)[0] + "..."
            if title is not None:
                article.title = title
            article.modified = (article.modified or article.published) + timedelta(hours=6)
            self._touch(site)
            return article.expected(self.bases)

    def add_article(self, site: str, *, title: str | None = None, paragraphs: list[str] | None = None,
                    authors: list[str] | None = None) -> dict[str, Any]:
        """Publish a new article (newest on its site, so feeds list it first); returns its
        expected record. Without title/paragraphs a new story is generated deterministically."""
        with self._lock:
            self._added += 1
            rng = random.Random(f"{self.seed}-{site}-{self._added}")
            distinct = stories.Distinct()
            for existing in (a for d in self.sites.values() for a in d.articles):
                distinct.add(existing.paragraphs, existing.title)
            story = distinct.story(rng)
            demo = self.sites[site]
            newest = max(a.published for a in demo.articles)
            when = newest + timedelta(hours=1, minutes=7 * self._added)
            title = title or story.title
            slug = slugify(title) or f"story-{self._added}"
            section = story.section
            path = {"herald": f"/{section}/{slug}", "wpdaily": f"/{when:%Y/%m/%d}/{slug}/",
                    "wirenews": f"/news/{when:%Y/%m/%d}/{slug}"}[site]
            while demo.article(path):
                path = path.rstrip("/") + f"-{self._added}" + ("/" if site == "wpdaily" else "")
            if site == "wpdaily":
                section = {"national": "News", "international": "World"}[section]
            elif site == "wirenews":
                section = {"national": "Politics", "international": "World"}[section]
            article = DemoArticle(site, path, title, authors or [f"{rng.choice(stories.FIRST)} "
                                                                 f"{rng.choice(stories.LAST)}"],
                                  when, list(paragraphs or story.paragraphs), section, list(story.tags),
                                  topic=story.topic, post_id=5000 + self._added if site == "wpdaily" else 0,
                                  related=[a.path for a in demo.public[:3]])
            if site == "herald":
                article.cards = (len(article.paragraphs),)
            first = article.paragraphs[0]
            article.description = first if len(first) <= 200 else first[:197].rsplit(" ", 1)[0] + "..."
            demo.articles.insert(0, article)
            self._touch(site)
            return article.expected(self.bases)

    def remove_article(self, url: str) -> None:
        """Unpublish an article: it answers 404 and leaves every feed and sitemap."""
        site, article = self._find(url)
        with self._lock:
            self.sites[site].articles.remove(article)
            self._touch(site)

    # -- internals ------------------------------------------------------------------------

    def _find(self, url: str) -> tuple[str, DemoArticle]:
        with self._lock:
            for key, base in self.bases.items():
                if url.startswith(base + "/"):
                    article = self.sites[key].article(url[len(base):])
                    if article:
                        return key, article
            for key, site in self.sites.items():  # a bare path
                article = site.article(url)
                if article:
                    return key, article
        raise KeyError(f"no demo article at {url}")

    def _touch(self, site: str) -> None:
        # HTTP dates have one-second resolution: never let a change keep the old date.
        self._changed_at[site] = max(int(time.time()), self._changed_at[site] + 1)

    def _record(self, site: str, method: str, path: str, headers: Message) -> None:
        with self._lock:
            self.log.append((site, method, path))

    def _respond(self, request: Request) -> Response:
        with self._lock:
            handler = self.routes.get((request.site, request.path)) or self.routes.get((None, request.path)) \
                or FAULTS.get(request.path)
        if handler is not None:
            return handler(request)  # outside the lock: routes may sleep
        with self._lock:
            response = render(self.sites, request.site, request.path, request.query, self.bases)
        if response is None:
            return Response(404, "<!DOCTYPE html><html><head><title>Page not found</title></head>"
                                 "<body><h1>404: Page not found</h1></body></html>")
        return response


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the newsdesk demo news sites on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0,
                        help="first of three consecutive ports (default: any free ports)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    ports = {key: args.port + i for i, key in enumerate(SITE_KEYS)} if args.port else None
    server = DemoServer(seed=args.seed, ports=ports).start()
    for key, base in server.bases.items():
        print(f"{key:9} {base}/", flush=True)
    print("Serving until Ctrl-C.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
