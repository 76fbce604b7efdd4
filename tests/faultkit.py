"""Shared helpers of the fault and crash tests: the real CLI in a subprocess, article pages, checks."""
from __future__ import annotations

import os
import random
import socket
import socketserver
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

WORDS = ("harbour council budget river school bridge market station museum library festival clinic "
         "railway ferry orchard factory stadium vineyard airport garden theatre hospital village "
         "province minister engineer farmer teacher nurse mayor judge auditor reporter").split()


def newsdesk(db: Path | str, sources: Path | str | None, *args: str, timeout: float = 180,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`newsdesk [--db DB] [--sources SRC] ARGS...` in a subprocess, from the repository root."""
    cmd = [sys.executable, "-m", "ingest", "--db", str(db)]
    if sources is not None:
        cmd += ["--sources", str(sources)]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([*cmd, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=full_env)


def story_paragraphs(slug: str, n: int = 6, sentence: str | None = None) -> list[str]:
    """Distinct, article-like paragraphs for one made-up story (seeded by its slug)."""
    rng = random.Random(slug)
    paras = []
    for i in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(28))
        lead = f"{sentence} " if sentence else ""
        paras.append(f"{lead}The {slug.replace('-', ' ')} story, part {i + 1}: the {words}.")
    return paras


def story_html(slug: str, *, title: str | None = None, lang: str = "en", meta_charset: str | None = "utf-8",
               paragraphs: list[str] | None = None) -> str:
    """A plain news article page (og:type article, one <article>), as text to encode."""
    title = title or f"Report on the {slug.replace('-', ' ')}"
    body = "".join(f"<p>{p}</p>\n" for p in (paragraphs or story_paragraphs(slug)))
    charset = f'<meta charset="{meta_charset}">' if meta_charset else ""
    return (f'<!DOCTYPE html><html lang="{lang}"><head>{charset}<title>{title}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2024-03-05T10:00:00+01:00"></head>'
            f'<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>\n{body}</article>'
            f'<footer>Demo footer</footer></body></html>')


def rss(items: list[str], title: str = "Matrix feed") -> str:
    """An RSS 2.0 feed listing these links (XML-escaped by the caller when needed)."""
    entries = "".join(f"<item><title>Item {i}</title><link>{link}</link></item>\n" for i, link in enumerate(items))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{title}</title>'
            f'<link>http://127.0.0.1/</link><description>d</description>\n{entries}</channel></rss>\n')


def rows(db: Path | str, sql: str, params: tuple | list = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(str(db))
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def snapshot(db: Path | str, article_ids: list[int]) -> dict[int, tuple]:
    """Everything stored about these articles: the row, its revisions and its raw page."""
    conn = sqlite3.connect(str(db))
    try:
        out = {}
        for aid in article_ids:
            out[aid] = (
                conn.execute("SELECT * FROM articles WHERE id = ?", (aid,)).fetchone(),
                conn.execute("SELECT * FROM revisions WHERE article_id = ? ORDER BY revision", (aid,)).fetchall(),
                conn.execute("SELECT html FROM raw_pages WHERE article_id = ?", (aid,)).fetchone(),
            )
        return out
    finally:
        conn.close()


def assert_archive_sound(db: Path | str) -> None:
    """integrity_check ok, FTS5's own consistency check passes, one row per canonical URL."""
    conn = sqlite3.connect(str(db))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")  # raises if not
        dupes = conn.execute("SELECT url, count(*) FROM articles GROUP BY url HAVING count(*) > 1").fetchall()
        assert dupes == [], f"duplicate articles: {dupes}"
    finally:
        conn.close()


class RawServer:
    """A bare TCP server for answers the demo server cannot give: bytes trickled for ever,
    and a body streamed without Content-Length. Any other path is a 404."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.paths: list[str] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                path = data.split(b" ", 2)[1].decode("latin-1")
                outer.paths.append(path)
                try:
                    if path.startswith("/trickle"):
                        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                             b"Content-Length: 100000\r\n\r\n<html><body><p>")
                        for _ in range(600):  # a byte every 0.1 s, for at most a minute
                            if outer.stop.wait(0.1):
                                break
                            self.request.sendall(b"x")
                    elif path.startswith("/stream-huge"):
                        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
                                             b"<html><body>")
                        chunk = b"<p>" + b"streamed filler " * 4000 + b"</p>\n"
                        for _ in range(50 * 1024 * 1024 // len(chunk)):  # 50 MB, never announced
                            if outer.stop.is_set():
                                break
                            self.request.sendall(chunk)
                    else:
                        self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:  # the client gave up: that is the point
                    pass

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "RawServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
