"""Our extraction is at least as good as plain trafilatura on the real pages (skipped when absent)."""
from __future__ import annotations

import pytest

from bench.quality import compare, realpages_dir

PAGES = realpages_dir()
pytestmark = pytest.mark.skipif(PAGES is None, reason="real pages not present (../shared/realpages or $NEWSDESK_REALPAGES)")


@pytest.fixture(scope="module")
def scores():
    return compare(PAGES)


def test_body_f1_not_below_trafilatura(scores):
    mine, baseline = scores
    assert mine.micro[2] >= baseline.micro[2], f"{mine.line()}\n{baseline.line()}"


@pytest.mark.parametrize("field", ["title", "date", "authors"])
def test_metadata_agreement_not_below_trafilatura(scores, field):
    mine, baseline = scores
    assert getattr(mine, field) >= getattr(baseline, field), (
        f"{field}: ours {getattr(mine, field)} < trafilatura {getattr(baseline, field)}\n"
        + "\n".join(mine.misses[field][:20]))


def test_no_real_article_rejected_as_not_an_article(scores):
    mine, baseline = scores
    assert mine.failed <= baseline.failed, "\n".join(m for m in mine.misses["body"] if "failed" in m)
