"""The demo sites as data: articles with paths, authors, dates and text, built from a seed.

`build_sites()` is deterministic and fast (a few milliseconds); the server renders the
HTML, feeds and sitemaps from this data at request time, so absolute URLs carry the real
port. `expected_records()` is what tests assert extraction and crawls against.
"""
from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ingest.demo_sites import stories

DEFAULT_SEED = 20210105
SITE_KEYS = ("herald", "wpdaily", "wirenews")
SEED_TEXT = Path(__file__).with_name("seed_article.txt")
PRIVATE_PREFIX = "/private/"  # Disallowed in every site's robots.txt


@dataclass
class DemoArticle:
    site: str
    path: str
    title: str
    authors: list[str]
    published: datetime  # aware, in the site's own offset
    paragraphs: list[str]  # the story: exactly what clean extraction must return
    section: str
    tags: list[str] = field(default_factory=list)
    language: str = "en"
    modified: datetime | None = None
    description: str = ""
    topic: str = ""
    private: bool = False  # under /private/, which robots.txt disallows
    syndicated_from: tuple[str, str] | None = None  # (site key, path) of the original
    post_id: int = 0  # WordPress ?p= id
    cards: tuple[int, ...] = ()  # Quintype: paragraphs per story card
    variant: int = 0  # markup variant (footer inside or outside the story container)
    related: list[str] = field(default_factory=list)  # paths on the same site

    @property
    def author(self) -> str:
        return "; ".join(self.authors)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def expected(self, bases: dict[str, str]) -> dict[str, Any]:
        """The fields a perfect extraction of this page yields, with absolute URLs."""
        base = bases[self.site]
        record: dict[str, Any] = {
            "site": self.site, "url": base + self.path, "path": self.path, "title": self.title,
            "author": self.author, "published_at": self.published.isoformat(),
            "date": self.published.date().isoformat(),
            "modified_at": self.modified.isoformat() if self.modified else None,
            "language": self.language, "text": self.text, "section": self.section, "tags": list(self.tags),
            "private": self.private, "alternate_urls": [],
            "syndicated_from": None,
        }
        if self.post_id:
            record["alternate_urls"].append(f"{base}/?p={self.post_id}")
        if self.syndicated_from:
            site, path = self.syndicated_from
            record["syndicated_from"] = bases[site] + path
        return record


@dataclass
class DemoSite:
    key: str
    name: str
    language: str
    articles: list[DemoArticle]  # newest first

    def article(self, path: str) -> DemoArticle | None:
        for article in self.articles:
            if article.path == path:
                return article
        return None

    @property
    def public(self) -> list[DemoArticle]:
        return [a for a in self.articles if not a.private]

    def sort(self) -> None:
        self.articles.sort(key=lambda a: a.published, reverse=True)


def slugify(title: str, words: int = 9) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", title.lower().replace("'", ""))[:words])


def _names(rng: random.Random, k: int = 1) -> list[str]:
    return [f"{rng.choice(stories.FIRST)} {rng.choice(stories.LAST)}" for _ in range(k)]


def _unique(path: str, taken: set[str]) -> str:
    candidate, n = path, 2
    while candidate in taken:
        candidate, n = f"{path}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _dates(rng: random.Random, start: datetime, count: int) -> list[datetime]:
    """count dates going back from start, 20-40 hours apart, on whole minutes."""
    out, when = [], start
    for _ in range(count):
        out.append(when)
        when -= timedelta(hours=rng.randint(20, 40), minutes=rng.randint(0, 59))
    return out


def _cards(rng: random.Random, n: int) -> tuple[int, ...]:
    cards, left = [], n
    while left:
        size = min(left, rng.randint(1, 4))
        cards.append(size)
        left -= size
    return tuple(cards)


def _herald(rng: random.Random, made: dict) -> DemoSite:
    tz = timezone(timedelta(hours=5, minutes=30))
    taken: set[str] = set()
    seed_paragraphs = SEED_TEXT.read_text(encoding="utf-8").splitlines()
    seed = DemoArticle(
        "herald", _unique("/international/mexico-offers-political-asylum-to-julian-assange", taken),
        stories.SEED_TITLE, ["IANS"], datetime(2021, 1, 5, 10, 47, tzinfo=tz), seed_paragraphs,
        "international", ["Julian Assange", "Mexico", "WikiLeaks"], cards=stories.SEED_CARDS, variant=0,
        topic="assange")
    made[("herald", seed.path)] = None
    made["distinct"].add(seed_paragraphs, seed.title)
    articles = [seed]
    for i, when in enumerate(_dates(rng, datetime(2021, 1, 8, 18, 30, tzinfo=tz), 23)):
        story = made["distinct"].story(rng)
        path = _unique(f"/{story.section}/{slugify(story.title)}", taken)
        author = rng.choice([["IANS"], ["PTI"], ["NH Web Desk"], _names(rng)])
        article = DemoArticle("herald", path, story.title, author, when, story.paragraphs, story.section,
                              story.tags, cards=_cards(rng, len(story.paragraphs)), variant=i % 3,
                              topic=story.topic)
        made[("herald", path)] = story
        articles.append(article)
    articles.append(DemoArticle(
        "herald", "/private/staff-notice-on-editorial-guidelines", "Staff notice on editorial guidelines",
        ["NH Web Desk"], datetime(2021, 1, 6, 9, 0, tzinfo=tz), _private_text("Herald"), "national",
        private=True, cards=(2, 2), topic="private"))
    return DemoSite("herald", "National Herald Demo", "en", articles)


def _wpdaily(rng: random.Random, made: dict) -> DemoSite:
    tz = timezone(timedelta(hours=-5))
    taken: set[str] = set()
    articles = []
    for i, when in enumerate(_dates(rng, datetime(2021, 1, 8, 7, 15, tzinfo=tz), 24)):
        story = made["distinct"].story(rng)
        path = _unique(f"/{when:%Y/%m/%d}/{slugify(story.title)}", taken) + "/"
        authors = _names(rng, 2 if i in (4, 11) else 1)
        modified = when + timedelta(hours=rng.randint(1, 30)) if i % 2 else None
        category = {"national": "News", "international": "World"}[story.section]
        articles.append(DemoArticle("wpdaily", path, story.title, authors, when, story.paragraphs, category,
                                    story.tags, modified=modified, post_id=1000 + 17 * i, variant=i % 2,
                                    topic=story.topic))
        made[("wpdaily", path)] = story
    articles.append(DemoArticle(
        "wpdaily", "/private/draft-budget-leak/", "Draft: budget leak (do not publish)", ["Editor"],
        datetime(2021, 1, 6, 12, 0, tzinfo=tz), _private_text("WP Daily"), "News", private=True,
        post_id=999, topic="private"))
    return DemoSite("wpdaily", "WP Daily Demo", "en", articles)


def _wirenews(rng: random.Random, made: dict, herald: DemoSite, wpdaily: DemoSite) -> DemoSite:
    tz = timezone(timedelta(hours=1))
    taken: set[str] = set()
    articles = []
    dates = _dates(rng, datetime(2021, 1, 8, 21, 40, tzinfo=tz), 15)
    for when in dates:
        story = made["distinct"].story(rng)
        path = _unique(f"/news/{when:%Y/%m/%d}/{slugify(story.title, 7)}", taken)
        authors = rng.choice([_names(rng), _names(rng), ["Wire News Staff"]])
        articles.append(DemoArticle("wirenews", path, story.title, authors, when, story.paragraphs,
                                    {"national": "Politics", "international": "World"}[story.section],
                                    story.tags, modified=when + timedelta(minutes=rng.randint(5, 300)),
                                    topic=story.topic))
    # Wire copies: same story, another headline, a rewritten lead; two are also cut short.
    seed = next(a for a in herald.articles if a.topic == "assange")
    others = [a for a in herald.public if a is not seed]
    originals = [seed, others[1], others[4], *wpdaily.public[:3]]
    for n, original in enumerate(originals):
        story = made[(original.site, original.path)]
        if story is None:  # the seed article
            title, lead = "Mexico ready to grant Assange asylum, says Lopez Obrador", stories.SEED_ALT_LEAD
        else:
            title, lead = story.alt_title, story.alt_lead
        paragraphs = [lead, *original.paragraphs[1:]]
        if n in (2, 4) and len(paragraphs) > 7:
            paragraphs = paragraphs[:-1]
        when = original.published.astimezone(tz) + timedelta(hours=2 + n, minutes=13)
        path = _unique(f"/news/{when:%Y/%m/%d}/{slugify(title, 7)}", taken)
        articles.append(DemoArticle("wirenews", path, title, ["Wire News Staff"], when, paragraphs,
                                    "World" if original.section in ("international", "World") else "Politics",
                                    list(original.tags), syndicated_from=(original.site, original.path),
                                    topic=original.topic))
    for n, (title, paragraphs) in enumerate(stories.SPANISH):
        when = datetime(2021, 1, 7 - n, 11 + n, 5, tzinfo=tz)
        path = _unique(f"/es/noticias/{when:%Y/%m/%d}/{slugify(title, 7)}", taken)
        articles.append(DemoArticle("wirenews", path, title, [_names(rng)[0]], when, list(paragraphs),
                                    "Mundo", ["América Latina"], language="es", topic=f"es{n}"))
    articles.append(DemoArticle(
        "wirenews", "/private/embargoed-earnings-preview", "Embargoed: earnings preview", ["Wire News Staff"],
        datetime(2021, 1, 7, 6, 0, tzinfo=tz), _private_text("Wire News"), "Business", private=True,
        topic="private"))
    return DemoSite("wirenews", "Wire News Demo", "en", articles)


def _private_text(name: str) -> list[str]:
    return [f"This page is for {name} staff only and must never be fetched by a crawler that honours "
            "robots.txt.",
            "If you are reading it in an archive, the crawler ignored the Disallow rule for /private/."]


def _link_related(site: DemoSite) -> None:
    public = site.public
    for i, article in enumerate(site.articles):
        same = [a.path for a in public if a.topic == article.topic and a is not article]
        near = [public[(i + k) % len(public)].path for k in (1, 2, 5)]
        article.related = list(dict.fromkeys(p for p in (*same[:2], *near) if p != article.path))[:4]


def _describe(site: DemoSite) -> None:
    for article in site.articles:
        first = article.paragraphs[0]
        article.description = first if len(first) <= 200 else first[:197].rsplit(" ", 1)[0] + "..."


_CACHE: dict[int, dict[str, DemoSite]] = {}


def build_sites(seed: int = DEFAULT_SEED) -> dict[str, DemoSite]:
    """The three demo sites, keyed herald / wpdaily / wirenews; a fresh copy on every call."""
    if seed not in _CACHE:
        rng = random.Random(seed)
        made: dict = {"distinct": stories.Distinct()}
        herald = _herald(rng, made)
        wpdaily = _wpdaily(rng, made)
        herald.sort()
        wpdaily.sort()
        wirenews = _wirenews(rng, made, herald, wpdaily)
        sites = {"herald": herald, "wpdaily": wpdaily, "wirenews": wirenews}
        for site in sites.values():
            site.sort()
            _link_related(site)
            _describe(site)
        _CACHE[seed] = sites
    return copy.deepcopy(_CACHE[seed])


def expected_records(sites: dict[str, DemoSite], bases: dict[str, str], *,
                     include_private: bool = False) -> list[dict[str, Any]]:
    """Every article's expected fields (see DemoArticle.expected), newest first per site."""
    return [a.expected(bases) for site in sites.values() for a in site.articles
            if include_private or not a.private]


if __name__ == "__main__":  # python -m ingest.demo_sites.build > expected.json
    import json
    import sys

    fake = {key: f"http://{key}.example.org" for key in SITE_KEYS}
    json.dump(expected_records(build_sites(), fake, include_private=True), sys.stdout, indent=1,
              ensure_ascii=False)
    sys.stdout.write("\n")
