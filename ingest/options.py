"""extract_options_for: one place that turns a source's overrides and learned lines into ExtractOptions.

The crawl pipeline, `newsdesk ingest` and `newsdesk reextract` all build their options
here, so a page extracts the same way whichever path brought it in.
"""
from __future__ import annotations

from collections.abc import Iterable

from ingest.extract import ExtractOptions
from ingest.sources.config import Source


def extract_options_for(source: Source | None, boilerplate: Iterable[str] = ()) -> ExtractOptions:
    """The options for one page of `source` (None: a page of no configured source), with the
    site's learned boilerplate keys (Archive.learned_boilerplate)."""
    learned = frozenset(boilerplate)
    if source is None:
        return ExtractOptions(boilerplate=learned)
    return ExtractOptions(
        body_selector=source.body_selector,
        remove_selectors=tuple(source.remove_selectors),
        favor_precision=source.favor_precision,
        boilerplate=learned,
    )
