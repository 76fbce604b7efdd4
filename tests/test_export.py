"""Export round-trips (JSONL and CSV read back to the stored records) and `stats`."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bench.newsgen import NewsGenerator
from ingest.cli import RECORD_FIELDS
from ingest.models import Article, Rejected
from storage import Archive
from storage.stats import archive_stats

ROOT = Path(__file__).resolve().parents[1]
INT_FIELDS = ("id", "word_count", "revision", "cluster_id")
LIST_FIELDS = ("tags", "categories")


@dataclass(frozen=True)
class Stored:
    path: Path
    articles: list[Article]  # as saved, in order: their ids are 1, 2, 3...
    before: str  # the clock (UTC, ISO 8601 to the second) before and after they were saved
    after: str


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    path = tmp_path_factory.mktemp("export") / "news.db"
    gen = NewsGenerator(seed=9)
    with Archive(path) as archive:
        arts = [gen.article(paragraphs=(2, 4)) for _ in range(120)]
        arts[0].title = 'Quotes "inside", commas, and a\nnewline'
        arts[1].tags = ["é", "a, b", 'c "d"']
        arts[2].author = None
        before = utc_now()
        archive.save_many(arts, source=None)
        after = utc_now()
        archive.save(Rejected("https://herald.example/tag/x", "listing page"), source="herald")
        archive.save(Rejected("https://herald.example/broken", "HTTP 500", kind="error"), source="herald",
                     status=500)
        archive.record_error("https://post.example/down", "timeout", source="post")
    return Stored(path, arts, before, after)


@pytest.fixture(scope="module")
def db(stored: Stored) -> Path:
    return stored.path


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", "--db", str(db), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def from_csv(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row back to a record: empty cells are nulls, ints and JSON lists decoded."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value == "":
            out[key] = None
        elif key in INT_FIELDS:
            out[key] = int(value)
        elif key in LIST_FIELDS:
            out[key] = json.loads(value)
        else:
            out[key] = value
    return out


FIELDS = ("id", "url", "fetched_url", "source", "site_name", "title", "author", "published_at",
          "modified_at", "language", "text", "description", "tags", "categories", "image",
          "word_count", "content_hash", "first_seen", "last_seen", "revision", "cluster_id", "text_from")


def expected(stored: Stored, seen: str, *, source: str | None = None, since: str | None = None,
             until: str | None = None, language: str | None = None) -> list[dict[str, Any]]:
    """The records of the saved articles, written out from what the fixture saved: ids in
    order from 1, one revision each, each story its own cluster, all seen at `seen`; the
    filters by the article's own published day."""
    rows = []
    for number, a in enumerate(stored.articles, start=1):
        day = (a.published_at or "")[:10]
        if ((source and a.source != source) or (since and day < since) or (until and day > until)
                or (language and a.language != language)):
            continue
        rows.append({
            "id": number, "url": a.url, "fetched_url": a.fetched_url, "source": a.source,
            "site_name": a.site_name, "title": a.title, "author": a.author, "published_at": a.published_at,
            "modified_at": a.modified_at, "language": a.language, "text": a.text,
            "description": a.description, "tags": a.tags, "categories": a.categories, "image": a.image,
            "word_count": a.word_count, "content_hash": a.content_hash, "first_seen": seen,
            "last_seen": seen, "revision": 1, "cluster_id": number, "text_from": a.text_from,
        })
    return rows


def seen_when_saved(stored: Stored, rows: list[dict[str, Any]]) -> str:
    """The one first_seen of a batch saved together, checked to fall while it was saved."""
    seen = rows[0]["first_seen"]
    assert stored.before <= seen <= stored.after, (stored.before, seen, stored.after)
    return seen


def test_jsonl_export_round_trips(stored: Stored, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    result = cli(stored.path, "export", "-o", str(out))
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert rows == expected(stored, seen_when_saved(stored, rows))
    assert [list(row) for row in rows[:1]] == [list(FIELDS)]  # the record's field order
    assert len(rows) == 120 and "exported 120 articles" in result.stderr
    assert json.loads(lines[0])["title"] == 'Quotes "inside", commas, and a\nnewline'
    assert rows[2]["author"] is None and rows[1]["tags"] == ["é", "a, b", 'c "d"']


def test_csv_export_round_trips(stored: Stored, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    assert cli(stored.path, "export", "--format", "csv", "-o", str(out)).returncode == 0
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == FIELDS == RECORD_FIELDS
        rows = [from_csv(r) for r in reader]
    want = expected(stored, seen_when_saved(stored, rows))
    # CSV cannot tell an empty string from a null
    want = [{k: (None if v == "" else v) for k, v in r.items()} for r in want]
    assert rows == want
    assert rows[0]["title"] == 'Quotes "inside", commas, and a\nnewline'
    assert rows[1]["tags"] == ["é", "a, b", 'c "d"']


@pytest.mark.parametrize("args, filters", [
    (["--source", "herald"], {"source": "herald"}),
    (["--since", "2024-07-01"], {"since": "2024-07-01"}),
    (["--until", "2024-03-31", "--lang", "en"], {"until": "2024-03-31", "language": "en"}),
])
def test_export_filters_to_stdout(stored: Stored, args: list[str], filters: dict[str, str]) -> None:
    result = cli(stored.path, "export", *args)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    want = expected(stored, seen_when_saved(stored, rows) if rows else "", **filters)
    assert 0 < len(want) < 120
    assert rows == want


@pytest.mark.parametrize("query", ["the", '"said in a statement"', "minist*", "U.S. election"])
def test_export_of_a_search_query_holds_every_match_with_the_filters(db: Path, tmp_path: Path, query: str) -> None:
    """--query exports what `search` would find, all of it (not the top 20), filters applied."""
    with Archive(db) as archive:
        found = {h["id"] for h in archive.search(query, limit=10_000, window=None, source="herald")}
    out = tmp_path / "found.jsonl"
    result = cli(db, "export", "--query", query, "--source", "herald", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == sorted(found)
    assert all(r["source"] == "herald" for r in rows)
    if query != "U.S. election":  # not in the generated texts: an empty export is right
        assert rows


def test_export_of_a_bad_query_is_one_clear_line_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "never.jsonl"
    result = cli(db, "export", "--query", 'parliament AND ("budget', "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: cannot parse search query") and "Traceback" not in result.stderr
    assert not out.exists()


def test_stats_counts_and_error_rates(db: Path) -> None:
    with Archive(db) as archive:
        data = archive_stats(archive)
        total = archive.count()
        herald_articles = archive.count("herald")
    assert set(data) == {"totals", "sources", "languages", "days"}
    assert data["totals"][0]["articles"] == total == 120
    assert data["totals"][0]["fetch_errors"] == 2
    assert sum(r["articles"] for r in data["sources"]) == total
    assert sum(r["articles"] for r in data["languages"]) == total
    assert sum(r["articles"] for r in data["days"]) == total
    herald = next(r for r in data["sources"] if r["source"] == "herald")
    # herald: its articles' fetches, one rejected page and one error
    assert herald["articles"] == herald_articles
    assert herald["fetches"] == herald_articles + 2
    assert herald["errors"] == 1 and herald["rejected"] == 1
    assert herald["error_rate"] == round(1 / (herald_articles + 2), 4)
    post = next(r for r in data["sources"] if r["source"] == "post")
    assert post["errors"] == 1 and post["error_rate"] > 0
    result = cli(db, "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"] == data["totals"]
    text = cli(db, "stats")
    assert text.returncode == 0
    # a table per section that fits 80 columns (rich's width off a terminal), values whole
    lines = text.stdout.splitlines()
    assert max(map(len, lines)) <= 80
    herald_line = next(line.split() for line in lines if line.startswith("herald "))
    assert herald_line[1:2] == [str(herald_articles)] and herald_line[-1] == f"{herald['error_rate']:.1%}"
