"""`newsdesk serve`: a real Datasette subprocess over a real archive, by HTTP and in Chromium."""
from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from bench.newsgen import NewsGenerator
from ingest.models import Article
from storage import Archive

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
TEXT = ("The harbour authority in Velmora reopened the northern quay on Friday after repairs.\n"
        "Fishing crews had waited eleven weeks for the berths to return.\n"
        "Officials said the southern quay would close next for the same work.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """(base URL, id of the harbour article) of `newsdesk serve` over a small archive."""
    db = tmp_path_factory.mktemp("serve") / "news.db"
    gen = NewsGenerator(seed=2, topic_words=("budget",))
    # the archive stays open and written to while Datasette serves it, as in production
    archive = Archive(db)
    archive.save_many(gen.article(paragraphs=(2, 4)) for _ in range(40))
    saved = archive.save(Article(
        url="https://herald.example/velmora-quay", fetched_url="https://herald.example/velmora-quay",
        title="Velmora quay reopens", text=TEXT, source="herald", language="en",
        published_at="2024-05-03T09:15:00+02:00", author="Ana Ruiz",
        content_hash=hashlib.sha256(TEXT.encode()).hexdigest(), word_count=len(TEXT.split())))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "--db", str(db), "serve", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"newsdesk serve exited {proc.returncode}: {proc.stderr.read()}")
            try:
                if get(f"{base}/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("newsdesk serve did not answer within 60 s")
            time.sleep(0.2)
        # written after the server started: a live archive is seen live
        archive.save(gen.article(paragraphs=(2, 3)))
        yield base, saved.article_id
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        archive.close()


def test_full_text_search_facets_and_hidden_tables(server: tuple[str, int]) -> None:
    base, article_id = server
    status, body = get(f"{base}/news/articles.json?_search=northern+quay&_shape=objects")
    assert status == 200
    assert [r["id"] for r in json.loads(body)["rows"]] == [article_id]
    status, body = get(f"{base}/news/articles.json?_facet_size=5")
    facets = json.loads(body)["facet_results"]
    assert {"source", "language", "published_at"} <= set(facets)
    status, body = get(f"{base}/news.json")
    tables = {t["name"]: t for t in json.loads(body)["tables"]}
    assert tables["articles"]["count"] == 42  # including the row saved after start-up
    assert tables["articles"]["fts_table"] == "articles_fts"
    assert all(tables[name]["hidden"] for name in ("raw_pages", "minhash", "lsh_bands"))
    assert not tables["articles"]["hidden"]


def test_article_page_shows_the_text_as_paragraphs(server: tuple[str, int]) -> None:
    base, article_id = server
    status, body = get(f"{base}/news/articles/{article_id}")
    assert status == 200
    assert '<h2 class="nd-title">Velmora quay reopens</h2>' in body
    for line in TEXT.splitlines():
        assert f"<p>{line}</p>" in body


def test_read_only(server: tuple[str, int]) -> None:
    base, article_id = server
    status, body = get(f"{base}/news.json?sql=delete+from+articles")
    assert status == 400
    assert get(f"{base}/news.db")[0] == 403  # no download of the whole file
    status, body = get(f"{base}/news/articles.json?id={article_id}")
    assert len(json.loads(body)["rows"]) == 1


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed (make browser)")
def test_browser_search_and_read_an_article(server: tuple[str, int], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, article_id = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(f"{base}/news/articles", timeout=30_000)
            page.fill("input#_search", "harbour authority")
            page.press("input#_search", "Enter")
            page.wait_for_url("**_search=harbour*", timeout=30_000)
            link = page.locator(f'td.col-id a[href$="/articles/{article_id}"]')
            assert link.count() == 1
            link.click()
            page.wait_for_selector(".nd-text", timeout=30_000)
            paragraphs = page.locator(".nd-text p").all_inner_texts()
            assert paragraphs == TEXT.splitlines()
            assert page.locator("h2.nd-title").inner_text() == "Velmora quay reopens"
            shot = tmp_path / "article.png"
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    os.environ.get("NEWSDESK_KEEP_SCREENSHOT") and Path(os.environ["NEWSDESK_KEEP_SCREENSHOT"]).write_bytes(data)


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on `port`, from /proc/net/tcp (Linux)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_serve_defaults_to_127_0_0_1_port_8001(tmp_path: Path) -> None:
    """`newsdesk serve` without --host/--port: Datasette at http://127.0.0.1:8001/, loopback only."""
    try:
        with socket.socket() as sock:
            # as the server binds (uvicorn): connections of an earlier run in TIME_WAIT do not count
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 8001))
    except OSError:
        pytest.skip("port 8001 is taken on this machine")
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    db = tmp_path / "news.db"
    with Archive(db) as archive:
        saved = archive.save(Article(
            url="https://herald.example/velmora-quay", fetched_url="https://herald.example/velmora-quay",
            title="Velmora quay reopens", text=TEXT, source="herald", language="en",
            content_hash=hashlib.sha256(TEXT.encode()).hexdigest(), word_count=len(TEXT.split())))
    log = tmp_path / "serve.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "ingest", "--db", str(db), "serve"],
                                cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"newsdesk serve exited {proc.returncode}: {log.read_text()}")
            try:
                if get("http://127.0.0.1:8001/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            said = log.read_text()
            if "serving " in said and "http://127.0.0.1:8001/" not in said:  # started elsewhere
                pytest.fail(f"newsdesk serve did not start at 127.0.0.1:8001: {said}")
            if time.monotonic() > deadline:
                pytest.fail("newsdesk serve did not answer on 127.0.0.1:8001 within 60 s")
            time.sleep(0.2)
        status, body = get(f"http://127.0.0.1:8001/news/articles/{saved.article_id}.json?_shape=objects")
        assert status == 200
        assert json.loads(body)["rows"][0]["title"] == "Velmora quay reopens"
        assert listening_addresses(8001) == {"127.0.0.1"}  # not every interface
    finally:
        proc.terminate()
        proc.wait(timeout=20)
