"""`newsdesk ingest URL...`: fetched through Scrapy, one clear line per URL, nothing lost."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlite_utils import Database

from crawl_fixtures import FixtureSite, article_html, slug
from ingest.links import normalize

ROOT = Path(__file__).resolve().parent.parent
FAST = {"NEWSDESK_TIMEOUT": "1", "NEWSDESK_DELAY": "0"}


def ingest(db: Path, *urls: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", "--db", str(db), "ingest", *urls], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **FAST})


def test_ingest_urls_one_line_each_in_input_order(tmp_path: Path):
    db = tmp_path / "news.db"
    with FixtureSite() as site:
        good = site.add(slug(1), article_html(1))
        site.routes["/slow"] = ("slow", 3)
        cases = {
            good: "new",
            good + "?utm_source=x": None,  # another fetched URL, same article: not "new" again
            site.base + "/missing": "error: HTTP 404",
            site.base + "/slow": "error: timed out after 1s",
            site.add("/report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n", "application/pdf"):
                "error: not an HTML page (Content-Type application/pdf)",
            site.add("/photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"):
                "error: not an HTML page (Content-Type image/png)",
            site.add("/pdf-as-html", b"%PDF-1.4\n" + b"\x00" * 64, "text/html"): "error: binary content",
            site.add("/empty", b""): "error: empty body",
            site.add("/huge", b"<html><body>" + b"<p>word </p>" * 1_000_000 + b"</body></html>"):
                "error: page over the size limit",
            "ftp://example.org/file.html": "error: not an http(s) URL",
            "not a url at all": "error: not an http(s) URL",
        }
        result = ingest(db, *cases)
        lines = result.stdout.splitlines()
        assert len(lines) == len(cases), result.stdout + result.stderr
        for line, (url, expected) in zip(lines, cases.items()):
            if expected is None:
                assert line.endswith(("\tunchanged", "\tduplicate")), line
            else:
                assert line.split("\t", 1)[1].startswith(expected), (url, line)
        assert result.returncode == 1

        archive = Database(db)
        assert [r["url"] for r in archive.query("SELECT url FROM articles")] == [good]
        logged = {r["url"] for r in archive.query("SELECT url FROM fetches")}
        assert {normalize(u) for u in cases} <= logged  # every input, even a broken one, is in fetches

        again = ingest(db, good)
        assert again.stdout == f"{good}\tunchanged\n" and again.returncode == 0
        assert site.hits_for(slug(1)) == [200, 200, 200]
