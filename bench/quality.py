"""Extraction quality on real pages: newsdesk vs trafilatura's full run, same pages, same scorer.

Three corpora, read where they lie (never copied into the project), each skipped when absent:
  realpages      `../shared/realpages` (or `$NEWSDESK_REALPAGES`): 193 recent news pages with
                 checked title, authors, date and body; word 3-shingles.
  dragnet        `../shared/webpages/dragnet` (or `$NEWSDESK_WEBPAGES`): 947 news and blog pages,
                 2012; word 4-shingles, as the corpus' README and the Zyte benchmark score it.
  l3s-gn1        `../shared/webpages/l3s-gn1`: 312 Google News articles, 2008; word 4-shingles.

Scoring, per page:
  body    word n-shingles (NFC, casefolded `\\w+` tokens) of the extracted text vs the expected
          text, compared as multisets. The headline F1 pools shingles over all pages (micro
          average); the mean of per-page F1 (macro) is reported beside it. A page an extractor
          rejects, fails on or answers empty counts as empty output.
  title   exact agreement after whitespace normalization (realpages only).
  date    the day agrees, as written or both in UTC (realpages only).
  authors the set of names agrees, casefolded (realpages only).

Both extractors run on each page back to back in the same worker process, so the cost ratio
compares like with like on a shared, noisy machine.

Run: python -m bench.quality [--corpus NAME] [--jobs N] [--worst N] [--show-misses FIELD]
     [--save FILE] [--diff FILE]
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
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import trafilatura

from ingest.page import decode_body

ROOT = Path(__file__).resolve().parent.parent
SHINGLE = 3  # realpages' shingle size (bench.fixtures scores with it too)


@dataclass(frozen=True)
class Corpus:
    """A directory of gzipped pages with their expected fields."""

    name: str
    directory: Path
    expected: Path  # expected.json
    prefix: str  # keys of expected.json that belong to this corpus start with it
    shingle: int
    metadata: bool  # whether title, date and authors are checked


@dataclass
class Extracted:
    """The fields we score, whoever extracted them."""

    title: str | None
    authors: list[str]
    published_at: str | None
    text: str


@dataclass
class PageResult:
    """One extractor on one page."""

    key: str
    got: int = 0  # shingles extracted
    want: int = 0  # shingles expected
    common: int = 0
    f1: float = 0.0
    precision: float = 0.0
    recall: float = 0.0
    seconds: float = 0.0
    error: str | None = None  # why there is no text: rejected, failed, empty
    title: bool = False
    date: bool = False
    authors: bool = False
    misses: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.got == 0


@dataclass
class Score:
    """Totals for one extractor over one corpus."""

    name: str
    pages: list[PageResult] = field(default_factory=list)

    @property
    def micro(self) -> tuple[float, float, float]:
        """Pooled precision, recall, F1 over every page's shingles."""
        got = sum(p.got for p in self.pages)
        want = sum(p.want for p in self.pages)
        common = sum(p.common for p in self.pages)
        p = common / got if got else 0.0
        r = common / want if want else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def macro_f1(self) -> float:
        return sum(p.f1 for p in self.pages) / (len(self.pages) or 1)

    def count(self, what: str) -> int:
        return sum(bool(getattr(p, what)) for p in self.pages)

    @property
    def under_half(self) -> int:
        return sum(p.f1 < 0.5 for p in self.pages)

    @property
    def rejected(self) -> int:
        return sum(bool(p.error and p.error.startswith("rejected")) for p in self.pages)

    @property
    def ms_per_page(self) -> float:
        return 1000 * sum(p.seconds for p in self.pages) / (len(self.pages) or 1)

    @property
    def misses(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {"title": [], "date": [], "authors": [], "body": []}
        for page in self.pages:
            for kind, text in page.misses.items():
                found[kind].append(f"{page.key}: {text}")
        return found

    def line(self, metadata: bool = True) -> str:
        p, r, f = self.micro
        n = len(self.pages)
        text = (f"{self.name:<12} F1 {f:.3f} (P {p:.3f}, R {r:.3f}; per-page mean F1 {self.macro_f1:.3f})  "
                f"under 0.5: {self.under_half}  empty: {self.count('empty')} (rejected {self.rejected})  ")
        if metadata:
            text += f"title {self.count('title')}/{n}  date {self.count('date')}/{n}  authors {self.count('authors')}/{n}  "
        return text + f"{self.ms_per_page:.1f} ms/page"


# ---------------------------------------------------------------- where the pages are

def _corpus_dir(explicit: str | Path | None, variable: str, name: str) -> Path | None:
    """The first of: the given directory, $variable, ../shared/<name>, that holds expected.json."""
    for candidate in (explicit, os.environ.get(variable), ROOT.parent / "shared" / name):
        if candidate and (Path(candidate) / "expected.json").is_file():
            return Path(candidate)
    return None


def realpages_dir(explicit: str | Path | None = None) -> Path | None:
    """Where the real pages are, or None when they are not on this machine."""
    return _corpus_dir(explicit, "NEWSDESK_REALPAGES", "realpages")


def webpages_dir(explicit: str | Path | None = None) -> Path | None:
    """Where the annotated web pages (dragnet, l3s-gn1) are, or None."""
    return _corpus_dir(explicit, "NEWSDESK_WEBPAGES", "webpages")


def corpora() -> list[Corpus]:
    """Every corpus present on this machine."""
    found = []
    real = realpages_dir()
    if real:
        found.append(Corpus("realpages", real, real / "expected.json", "", SHINGLE, True))
    web = webpages_dir()
    if web:
        for name in ("dragnet", "l3s-gn1"):
            if (web / name).is_dir():
                found.append(Corpus(name, web, web / "expected.json", f"{name}/", 4, False))
    return found


def load_pages(directory: Path, prefix: str = "", expected_file: Path | None = None) -> Iterable[tuple[str, dict, str]]:
    """(key, expected fields, decoded html) for every page with an expected record.

    Decoded by ingest.page.decode_body with no HTTP headers (none are stored): the charset
    comes from the page itself, as for `newsdesk ingest --html`. Pages without a URL get a
    made-up article address on a host of their own.
    """
    expected = json.loads((expected_file or directory / "expected.json").read_text(encoding="utf-8"))
    for key in sorted(k for k in expected if k.startswith(prefix)):
        path = directory / key
        if path.is_file():
            want = dict(expected[key])
            if not want.get("url"):
                stem = key.split(".")[0]
                want["url"] = f"http://{stem.replace('/', '-')}.example/articles/{stem.rsplit('/', 1)[-1]}"
            yield key, want, decode_body(gzip.decompress(path.read_bytes()))


# ---------------------------------------------------------------- extractors under test

def ours(html: str, url: str) -> Extracted:
    from ingest.extract import extract_article

    article = extract_article(html, url)
    authors = [a for a in (article.author or "").split("; ") if a]
    return Extracted(article.title, authors, article.published_at, article.text)


def plain_trafilatura(html: str, url: str) -> Extracted:
    """trafilatura's full run, metadata included, as a user calls it."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        raise ValueError("trafilatura returned nothing")
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Extracted(doc.title, authors, doc.date, doc.text or "")


EXTRACTORS: dict[str, Callable[[str, str], Extracted]] = {"trafilatura": plain_trafilatura, "newsdesk": ours}


# ---------------------------------------------------------------- scoring

def shingles(text: str, n: int = SHINGLE) -> Counter:
    # NFC first: the same word in composed and decomposed form is the same word.
    tokens = re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold())
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def body_counts(ours_text: str, expected_text: str, n: int = SHINGLE) -> tuple[int, int, int]:
    """(our shingles, expected shingles, shingles in common)."""
    got, want = shingles(ours_text, n), shingles(expected_text, n)
    return sum(got.values()), sum(want.values()), sum((got & want).values())


def body_scores(ours_text: str, expected_text: str, n: int = SHINGLE) -> tuple[float, float, float]:
    got, want, common = body_counts(ours_text, expected_text, n)
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


def measure(name: str, key: str, want: dict, html: str, n: int, metadata: bool) -> PageResult:
    """One extractor on one page, scored."""
    from ingest.extract import NotAnArticle

    result = PageResult(key)
    start = time.perf_counter()
    try:
        got = EXTRACTORS[name](html, want["url"])
    except NotAnArticle as exc:
        got, result.error = None, f"rejected: {exc}"
    except Exception as exc:  # a crash counts as an empty answer; the reason is shown
        got, result.error = None, f"failed: {type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - start
    text = got.text if got else ""
    result.got, result.want, result.common = body_counts(text, want["text"], n)
    result.precision, result.recall, result.f1 = body_scores(text, want["text"], n)
    if not text and not result.error:
        result.error = "empty"
    if result.f1 < 0.9:
        result.misses["body"] = result.error or f"F1 {result.f1:.3f} P {result.precision:.3f} R {result.recall:.3f}"
    if metadata:
        result.title = bool(got) and title_agrees(got.title, want["title"])
        result.date = bool(got) and date_agrees(got.published_at, want["published_at"])
        result.authors = bool(got) and authors_agree(got.authors, want["authors"])
        if not result.title:
            result.misses["title"] = f"{got.title if got else None!r} != {want['title']!r}"
        if not result.date:
            result.misses["date"] = f"{got.published_at if got else None!r} != {want['published_at']!r}"
        if not result.authors:
            result.misses["authors"] = f"{got.authors if got else None!r} != {want['authors']!r}"
    return result


def _measure_both(job: tuple[str, dict, str, int, bool]) -> tuple[PageResult, PageResult]:
    key, want, html, n, metadata = job
    return (measure("trafilatura", key, want, html, n, metadata), measure("newsdesk", key, want, html, n, metadata))


def score_corpus(corpus: Corpus, jobs: int | None = None) -> tuple[Score, Score]:
    """(newsdesk, trafilatura) over one corpus, both extractors on each page in one worker."""
    work = [(key, want, html, corpus.shingle, corpus.metadata)
            for key, want, html in load_pages(corpus.directory, corpus.prefix, corpus.expected)]
    mine, baseline = Score("newsdesk"), Score("trafilatura")
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1:
        results = map(_measure_both, work)
        pairs = list(results)
    else:
        with ProcessPoolExecutor(jobs) as pool:
            pairs = list(pool.map(_measure_both, work, chunksize=8))
    for theirs, mine_page in pairs:
        baseline.pages.append(theirs)
        mine.pages.append(mine_page)
    return mine, baseline


def compare(directory: Path) -> tuple[Score, Score]:
    """realpages' (newsdesk, trafilatura), as the older tests and benches call it."""
    return score_corpus(Corpus("realpages", directory, directory / "expected.json", "", SHINGLE, True))


def worst_losses(mine: Score, baseline: Score, count: int) -> list[str]:
    """The pages where newsdesk's F1 falls furthest below trafilatura's."""
    pairs = sorted(zip(mine.pages, baseline.pages), key=lambda pair: pair[0].f1 - pair[1].f1)
    lines = []
    for ours_page, theirs in pairs[:count]:
        if ours_page.f1 >= theirs.f1:
            break
        why = f"  ({ours_page.error})" if ours_page.error else ""
        lines.append(f"  {ours_page.key}: newsdesk {ours_page.f1:.3f} (P {ours_page.precision:.2f} R {ours_page.recall:.2f})"
                     f" vs {theirs.f1:.3f}{why}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", help="realpages, dragnet or l3s-gn1 (default: every one present)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: the core count)")
    parser.add_argument("--worst", type=int, default=8, help="list this many pages where newsdesk loses most")
    parser.add_argument("--show-misses", choices=["title", "date", "authors", "body"], action="append", default=[])
    parser.add_argument("--save", help="write every page's newsdesk F1 and error to this JSON file")
    parser.add_argument("--diff", help="list pages whose newsdesk F1 moved against a --save file")
    args = parser.parse_args(argv)
    chosen = [c for c in corpora() if not args.corpus or c.name in args.corpus]
    if not chosen:
        print("no real-page corpus found (../shared/realpages, ../shared/webpages); nothing to measure", file=sys.stderr)
        return 0
    saved: dict[str, list] = {}
    previous = json.loads(Path(args.diff).read_text()) if args.diff else {}
    total_ours = total_theirs = 0.0
    for corpus in chosen:
        mine, baseline = score_corpus(corpus, args.jobs)
        total_ours += sum(p.seconds for p in mine.pages)
        total_theirs += sum(p.seconds for p in baseline.pages)
        print(f"## {corpus.name}: {len(mine.pages)} pages, word {corpus.shingle}-shingles")
        print(baseline.line(corpus.metadata))
        print(mine.line(corpus.metadata))
        print(f"cost per page, newsdesk / trafilatura: {mine.ms_per_page / baseline.ms_per_page:.2f}x")
        losses = worst_losses(mine, baseline, args.worst)
        if losses:
            print("where newsdesk loses most:")
            print("\n".join(losses))
        for kind in args.show_misses:
            print(f"# newsdesk misses: {kind}")
            print("\n".join(mine.misses[kind]))
        for page in mine.pages:
            saved[page.key] = [round(page.f1, 4), page.error]
            if page.key in previous and abs(previous[page.key][0] - page.f1) >= 0.02:
                print(f"  moved {page.key}: {previous[page.key][0]:.3f} -> {page.f1:.3f}  {page.error or ''}")
        print()
    print(f"all corpora: cost per page, newsdesk / trafilatura: {total_ours / total_theirs:.2f}x")
    if args.save:
        Path(args.save).write_text(json.dumps(saved, indent=0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
