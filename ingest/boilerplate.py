"""Learned, site-wide boilerplate: lines that recur across a site's articles, whatever their words.

A template line ("Published: undefined", "The Daily Courier is published every weekday in
Springfield.", a newsletter call in the site's own wording) shows up in a large share of
one site's articles; story text almost never does. The archive counts, per site, in how
many articles each distinct line occurs (storage.learned: `line_stats`, `site_stats`),
and a line becomes boilerplate for that site when its counts pass the rule below. This
module holds the pure parts: the line key, the rule, and stripping.

The rule (`is_boilerplate`), with `support` = articles of the site holding the line and
`share` = support / articles of the site:

- support >= MIN_SUPPORT (5): a quote or a sentence that two or three stories share can
  never be learned, however small the site;
- share >= MIN_SHARE (30%);
- and the line is short (a key of at most SHORT_CHARS = 120 characters, about twenty
  English words) and holds no number, or else share >= LONG_MIN_SHARE (60%) of a site
  with at least LONG_MIN_SITE (10) articles: a long sentence is only a template when it
  is nearly everywhere. Numbers count as "long" because the key folds digit runs to 0
  (so "(c) 2024" and "(c) 2025" match): the first lines of a site's automated stories
  ("Sensex closes at 72,345, up 0.5%") share a key, and must not be learned on 30%.

Learning is sticky: once learned, a line stays learned for its site (the `learned_lines`
table records when and on what counts), because articles stored afterwards no longer
hold the line and its counts stop growing. `newsdesk reextract` rebuilds every article
from its raw HTML with the current learned set, so a line can be unlearned by deleting its
row and re-extracting.

The site is the host of the canonical URL, without a leading "www." (`site_of`).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ingest.clean import normalize_line
from ingest.links import site_host

MIN_SUPPORT = 5
MIN_SHARE = 0.30
SHORT_CHARS = 120
LONG_MIN_SHARE = 0.60
LONG_MIN_SITE = 10


def line_key(line: str) -> str:
    """The comparison key of one line: ingest.clean.normalize_line, the key extraction
    itself checks learned lines against (NFKC, case-folded, digit runs as 0, punctuation
    dropped, spaces collapsed). Empty for a line of only punctuation."""
    return normalize_line(line)


def line_hash(key: str) -> int:
    """A line key as a signed 64-bit integer, what the archive counts lines by: a key is a
    whole sentence, and keeping one for every line of every article made the counts table
    half of an archive's size. At a million distinct lines in one site, the odds that two of
    them share a hash are about 1 in 30 million."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _has_number(key: str) -> bool:
    return "0" in key.split()


def line_keys(text: str) -> dict[str, str]:
    """Each distinct non-empty key of a text, mapped to its first line as written."""
    keys: dict[str, str] = {}
    for line in text.splitlines():
        key = line_key(line)
        if key and key not in keys:
            keys[key] = line.strip()
    return keys


def is_boilerplate(key: str, support: int, site_articles: int) -> bool:
    """Whether a line seen in `support` of a site's `site_articles` articles is a template
    line for that site (the rule in the module docstring)."""
    if support < MIN_SUPPORT or site_articles <= 0:
        return False
    share = support / site_articles
    if share < MIN_SHARE:
        return False
    if len(key) <= SHORT_CHARS and not _has_number(key):
        return True
    return site_articles >= LONG_MIN_SITE and share >= LONG_MIN_SHARE


def strip_learned(text: str, keys: Iterable[str] | frozenset[str]) -> str:
    """Drop every line whose key is a learned boilerplate key; keep the rest as they were."""
    keys = keys if isinstance(keys, (set, frozenset)) else frozenset(keys)
    if not keys:
        return text
    lines = text.splitlines()
    kept = [line for line in lines if line_key(line) not in keys]
    if len(kept) == len(lines):
        return text  # untouched, byte for byte: the content hash must not move
    return "\n".join(kept).strip()


def site_of(url: str | None, source: str | None = None) -> str:
    """The site an article's template belongs to: the URL's host without "www.", else the source key."""
    return (site_host(url) if url else "") or (source or "")
