"""On every real-page corpus present, newsdesk extracts better than trafilatura's full run.

Reads ../shared/realpages and ../shared/webpages where they lie (bench.quality); each corpus
that is absent is skipped. Both extractors run on the same pages in the same run.
"""
from __future__ import annotations

import pytest

from bench.quality import corpora, score_corpus

CORPORA = {corpus.name: corpus for corpus in corpora()}
NAMES = ["realpages", "dragnet", "l3s-gn1"]
# realpages' metadata as measured when extraction last changed (title, authors, date): a floor,
# so a change that loses any of them is seen.
METADATA_FLOOR = {"title": 169, "authors": 175, "date": 189}


@pytest.fixture(scope="module")
def scores():
    return {}


def _scored(scores: dict, name: str):
    if name not in CORPORA:
        pytest.skip(f"corpus {name} not present (../shared/realpages, ../shared/webpages)")
    if name not in scores:
        scores[name] = score_corpus(CORPORA[name])
    return scores[name]


@pytest.mark.parametrize("name", NAMES)
def test_body_f1_above_trafilatura(scores, name):
    mine, baseline = _scored(scores, name)
    assert mine.micro[2] > baseline.micro[2], f"{mine.line(False)}\n{baseline.line(False)}"


@pytest.mark.parametrize("name", NAMES)
def test_no_more_failed_pages_than_trafilatura(scores, name):
    mine, baseline = _scored(scores, name)
    assert mine.under_half <= baseline.under_half, f"pages under F1 0.5: {mine.under_half} > {baseline.under_half}"


@pytest.mark.parametrize("name", NAMES)
def test_no_story_trafilatura_finds_is_answered_empty(scores, name):
    """The silent loss the archive must never show: a page whose story trafilatura's full run
    extracts (F1 0.5 or more) rejected or answered empty by newsdesk."""
    mine, baseline = _scored(scores, name)
    lost = [f"{ours.key}: {ours.error} (trafilatura F1 {theirs.f1:.2f})"
            for ours, theirs in zip(mine.pages, baseline.pages) if ours.empty and theirs.f1 >= 0.5]
    assert not lost, "\n".join(lost)


@pytest.mark.parametrize("field", ["title", "date", "authors"])
def test_realpages_metadata_above_trafilatura_and_the_floor(scores, field):
    mine, baseline = _scored(scores, "realpages")
    ours, theirs = mine.count(field), baseline.count(field)
    assert ours >= theirs, f"{field}: ours {ours} < trafilatura {theirs}"
    assert ours >= METADATA_FLOOR[field], f"{field}: {ours} < {METADATA_FLOOR[field]}\n" + "\n".join(mine.misses[field][:30])
