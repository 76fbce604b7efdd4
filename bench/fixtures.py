"""The hand-written quality fixtures (tests/quality/): ours vs plain trafilatura, per page and per class.

    python -m bench.fixtures            # a per-class table
    python -m bench.fixtures --pages    # and one row per page

Body text is scored with bench.quality's word 3-shingle (multiset) precision / recall / F1
against the hand-written expected text; "boilerplate" counts the page's injected boilerplate lines (recorded in
tests/quality/fixtures.json) still present in the output. tests/test_quality_fixtures.py
asserts on the same numbers.
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from bench.quality import body_scores
from ingest.clean import normalize_line
from ingest.extract import extract_article

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "quality"


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class PageResult:
    name: str
    cls: str
    cms: str
    lang: str
    ours: Score
    theirs: Score
    ours_boiler: int
    theirs_boiler: int
    boiler_total: int


def score(expected: str, got: str) -> Score:
    """Word 3-shingle precision, recall and F1 of `got` against `expected` (bench.quality's scorer)."""
    return Score(*body_scores(got, expected))


def surviving(boilerplate: list[str], got: str) -> int:
    """How many of the page's boilerplate lines are still in the output (alone on a line or
    inside a longer one)."""
    keys = [normalize_line(line) for line in got.splitlines()]
    found = 0
    for line in boilerplate:
        key = normalize_line(line)
        if any(k == key or (len(key.split()) >= 3 and key in k) for k in keys):
            found += 1
    return found


def load() -> dict[str, dict]:
    return json.loads((FIXTURES / "fixtures.json").read_text(encoding="utf-8"))


def run_page(name: str, info: dict) -> PageResult:
    html = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    expected = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    ours = extract_article(html, info["url"]).text
    doc = trafilatura.bare_extraction(html, url=info["url"], with_metadata=True)
    theirs = (doc.text if doc is not None else "") or ""
    return PageResult(name, info["class"], info["cms"], info["lang"], score(expected, ours),
                      score(expected, theirs), surviving(info["boilerplate"], ours),
                      surviving(info["boilerplate"], theirs), len(info["boilerplate"]))


def run_all() -> list[PageResult]:
    return [run_page(name, info) for name, info in sorted(load().items())]


def by_class(results: list[PageResult]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[PageResult]] = defaultdict(list)
    for r in results:
        groups[r.cls].append(r)
        groups["ALL"].append(r)
    table = {}
    for cls, rows in groups.items():
        table[cls] = {
            "pages": len(rows),
            "ours_f1": sum(r.ours.f1 for r in rows) / len(rows),
            "trafilatura_f1": sum(r.theirs.f1 for r in rows) / len(rows),
            "ours_recall": sum(r.ours.recall for r in rows) / len(rows),
            "trafilatura_recall": sum(r.theirs.recall for r in rows) / len(rows),
            "boilerplate_lines": sum(r.boiler_total for r in rows),
            "ours_surviving": sum(r.ours_boiler for r in rows),
            "trafilatura_surviving": sum(r.theirs_boiler for r in rows),
        }
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="also print one row per page")
    args = parser.parse_args(argv)
    results = run_all()
    if args.pages:
        print(f"{'page':34} {'class':9} {'ours P/R/F1':>17} {'trafilatura P/R/F1':>20} {'bp ours/traf/all':>17}")
        for r in results:
            print(f"{r.name:34} {r.cls:9} {r.ours.precision:5.3f}/{r.ours.recall:5.3f}/{r.ours.f1:5.3f} "
                  f"{r.theirs.precision:8.3f}/{r.theirs.recall:5.3f}/{r.theirs.f1:5.3f} "
                  f"{r.ours_boiler:9}/{r.theirs_boiler}/{r.boiler_total}")
        print()
    print(f"{'class':9} {'pages':>5} {'F1 ours':>8} {'F1 traf':>8} {'R ours':>7} {'R traf':>7} "
          f"{'boilerplate lines: all':>23} {'ours':>5} {'traf':>5}")
    order = ["clean", "template", "social", "teaser", "ads", "mixed", "ALL"]
    table = by_class(results)
    for cls in sorted(table, key=lambda c: order.index(c) if c in order else 99):
        row = table[cls]
        print(f"{cls:9} {row['pages']:5d} {row['ours_f1']:8.3f} {row['trafilatura_f1']:8.3f} "
              f"{row['ours_recall']:7.3f} {row['trafilatura_recall']:7.3f} {row['boilerplate_lines']:23d} "
              f"{row['ours_surviving']:5d} {row['trafilatura_surviving']:5d}")


if __name__ == "__main__":
    main()
