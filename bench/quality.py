"""Extraction quality on real pages: ours vs plain trafilatura, same pages, same scorer.

Reads `../shared/realpages` next to the repository root (or `$NEWSDESK_REALPAGES`): gzipped
pages plus `expected.json` (title, authors, published_at, text). Nothing is copied into the
project; when the directory is absent everything skips cleanly.

Scoring, per page:
  body    word 3-shingles (NFC, casefolded `\\w+` tokens) of our text vs the expected text,
          compared as multisets. The headline F1 pools shingles over all pages (micro
          average); the mean of per-page F1 (macro) is reported beside it. A page an
          extractor fails on counts as empty output.
  title   exact agreement after whitespace normalization.
  date    the day agrees: the first 10 characters of our ISO date equal the expected day,
          either as written or after converting both to UTC (the expected dates are
          sometimes given in UTC while we keep the page's offset).
  authors the set of names agrees (casefolded, whitespace normalized; ours split on "; ").

Run: python -m bench.quality [--pages DIR] [--show-misses title|date|authors|body]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import trafilatura

from ingest.page import decode_body

ROOT = Path(__file__).resolve().parent.parent
SHINGLE = 3


@dataclass
class Extracted:
    """The fields we score, whoever extracted them."""

    title: str | None
    authors: list[str]
    published_at: str | None
    text: str


@dataclass
class Score:
    """Totals for one extractor over the page set."""

    name: str
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    title: int = 0
    date: int = 0
    authors: int = 0
    failed: int = 0  # raised or returned nothing
    got_shingles: int = 0
    want_shingles: int = 0
    common_shingles: int = 0
    seconds: float = 0.0
    misses: dict[str, list[str]] = field(default_factory=lambda: {"title": [], "date": [], "authors": [], "body": []})

    @property
    def micro(self) -> tuple[float, float, float]:
        """Pooled precision, recall, F1 over every page's shingles."""
        p = self.common_shingles / self.got_shingles if self.got_shingles else 0.0
        r = self.common_shingles / self.want_shingles if self.want_shingles else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def macro_f1(self) -> float:
        return self.f1 / (self.pages or 1)

    def line(self) -> str:
        p, r, f = self.micro
        return (f"{self.name:<12} F1 {f:.3f} (P {p:.3f}, R {r:.3f}; per-page mean F1 {self.macro_f1:.3f})  "
                f"title {self.title}/{self.pages}  date {self.date}/{self.pages}  authors {self.authors}/{self.pages}  "
                f"failed {self.failed}  {self.pages / self.seconds if self.seconds else 0:.1f} docs/s")


def realpages_dir(explicit: str | Path | None = None) -> Path | None:
    """Where the real pages are, or None when they are not on this machine."""
    candidates = [explicit, os.environ.get("NEWSDESK_REALPAGES"), ROOT.parent / "shared" / "realpages"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "expected.json").is_file():
            return Path(candidate)
    return None


def load_pages(directory: Path) -> Iterator[tuple[str, dict, str]]:
    """(key, expected fields, decoded html) for every page with an expected record.

    Decoded by ingest.page.decode_body with no HTTP headers (none are stored): the charset
    comes from the page itself, as for `newsdesk ingest --html`.
    """
    expected = json.loads((directory / "expected.json").read_text(encoding="utf-8"))
    for key in sorted(expected):
        path = directory / key
        if path.is_file():
            raw = gzip.decompress(path.read_bytes())
            yield key, expected[key], decode_body(raw)  # as the product decodes; both extractors get this text


# ---------------------------------------------------------------- extractors under test

def ours(html: str, url: str) -> Extracted:
    from ingest.extract import extract_article

    article = extract_article(html, url)
    authors = [a for a in (article.author or "").split("; ") if a]
    return Extracted(article.title, authors, article.published_at, article.text)


def plain_trafilatura(html: str, url: str) -> Extracted:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        raise ValueError("trafilatura returned nothing")
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Extracted(doc.title, authors, doc.date, doc.text or "")


# ---------------------------------------------------------------- scoring

def shingles(text: str, n: int = SHINGLE) -> Counter:
    # NFC first: the same word in composed and decomposed form is the same word.
    tokens = re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold())
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def body_counts(ours_text: str, expected_text: str) -> tuple[int, int, int]:
    """(our shingles, expected shingles, shingles in common)."""
    got, want = shingles(ours_text), shingles(expected_text)
    return sum(got.values()), sum(want.values()), sum((got & want).values())


def body_scores(ours_text: str, expected_text: str) -> tuple[float, float, float]:
    got, want, common = body_counts(ours_text, expected_text)
    p = common / got if got else 0.0
    r = common / want if want else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _ws(text: str | None) -> str:
    return " ".join((text or "").split())


def title_agrees(got: str | None, want: str) -> bool:
    return _ws(got) == _ws(want)


def _days(value: str | None) -> set[str]:
    if not value:
        return set()
    days = {value[:10]}
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return days
    if parsed.tzinfo is not None:
        days.add(parsed.astimezone(timezone.utc).date().isoformat())
    return days


def date_agrees(got: str | None, want: str | None) -> bool:
    return bool(_days(got) & _days(want))


def _name(name: str) -> str:
    return " ".join(name.casefold().split())


def authors_agree(got: list[str], want: list[str]) -> bool:
    return {_name(a) for a in got if a.strip()} == {_name(a) for a in (want or []) if a.strip()}


def score(name: str, extractor: Callable[[str, str], Extracted], pages: list[tuple[str, dict, str]]) -> Score:
    result = Score(name)
    for key, want, html in pages:
        result.pages += 1
        start = time.perf_counter()
        try:
            got = extractor(html, want["url"])
        except Exception as exc:  # a not-article verdict or a crash both count as a failed page
            result.seconds += time.perf_counter() - start
            result.failed += 1
            result.want_shingles += body_counts("", want["text"])[1]
            for misses in result.misses.values():
                misses.append(f"{key}: failed: {exc}")
            continue
        result.seconds += time.perf_counter() - start
        n_got, n_want, n_common = body_counts(got.text, want["text"])
        result.got_shingles += n_got
        result.want_shingles += n_want
        result.common_shingles += n_common
        p, r, f = body_scores(got.text, want["text"])
        result.precision += p
        result.recall += r
        result.f1 += f
        if f < 0.9:
            result.misses["body"].append(f"{key}: F1 {f:.3f} P {p:.3f} R {r:.3f}")
        if title_agrees(got.title, want["title"]):
            result.title += 1
        else:
            result.misses["title"].append(f"{key}: {got.title!r} != {want['title']!r}")
        if date_agrees(got.published_at, want["published_at"]):
            result.date += 1
        else:
            result.misses["date"].append(f"{key}: {got.published_at!r} != {want['published_at']!r}")
        if authors_agree(got.authors, want["authors"]):
            result.authors += 1
        else:
            result.misses["authors"].append(f"{key}: {got.authors!r} != {want['authors']!r}")
    return result


def compare(directory: Path) -> tuple[Score, Score]:
    """Both extractors over the same pages, in the same run."""
    pages = list(load_pages(directory))
    baseline = score("trafilatura", plain_trafilatura, pages)
    mine = score("newsdesk", ours, pages)
    return mine, baseline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", help="directory with expected.json (default: ../shared/realpages or $NEWSDESK_REALPAGES)")
    parser.add_argument("--show-misses", choices=["title", "date", "authors", "body"], action="append", default=[])
    args = parser.parse_args(argv)
    directory = realpages_dir(args.pages)
    if directory is None:
        print("real pages not found (set NEWSDESK_REALPAGES); nothing to measure", file=sys.stderr)
        return 0
    mine, baseline = compare(directory)
    print(baseline.line())
    print(mine.line())
    ratio = (mine.seconds / mine.pages) / (baseline.seconds / baseline.pages)
    print(f"cost per page, newsdesk / trafilatura: {ratio:.2f}x")
    for kind in args.show_misses:
        print(f"\n# newsdesk misses: {kind}")
        print("\n".join(mine.misses[kind]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
