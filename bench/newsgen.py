"""A deterministic generator of news-like articles and syndicated copies, for tests and benches.

Texts mix a large invented vocabulary (Zipf-distributed, as real word frequencies are)
with function words, real topic words and the stock phrases real news shares ("officials
said on Tuesday", "it was not immediately clear"), so unrelated articles overlap the way
real ones do: a little, on stock phrases, never on whole passages.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import numpy as np

from ingest.models import Article

FUNCTION_WORDS = ("the of and to in a that for on is was with by as at from it be has have "
                  "are were its after over about more than but not their who which will "
                  "had this also been into two new would could under").split()
TOPIC_WORDS = ("election parliament minister court asylum embassy protest budget inflation "
               "vaccine covid-19 hospital police border refugees climate flood wildfire "
               "earthquake strike union senate president ministry U.S. E.U. U.N. NATO "
               "ceasefire sanctions tariffs elections referendum coalition opposition "
               "Assange WikiLeaks extradition journalist Ecuador London Washington Brussels "
               "Berlin Paris Delhi Tokyo Nairobi Lagos Sydney Ottawa").split()
STOCK_PHRASES = (
    "officials said on Tuesday", "according to a statement released by the ministry",
    "it was not immediately clear", "said in a statement", "did not respond to a request for comment",
    "the Associated Press reported", "told reporters on Monday", "according to local media",
    "declined to comment", "in a televised address", "people familiar with the matter said",
    "the spokesperson added", "on condition of anonymity", "earlier this week",
    "a senior official said", "as of Wednesday evening",
)
FOOTERS = (
    "This article was originally published by {wire}. Follow {site} on Twitter and Facebook for the latest news.",
    "Copyright {year} {wire}. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "Subscribe to the {site} newsletter to get the day's top stories in your inbox every morning.",
    "With reporting by {wire} staff. Download the {site} app for breaking news alerts.",
)
WIRES = ("Reuters", "AFP", "the Associated Press", "PTI", "dpa")
SITES = ("herald", "chronicle", "gazette", "tribune", "courier", "observer", "ledger", "post")
LANGUAGES = ("en",) * 16 + ("fr",) * 3 + ("de",)


def _make_vocabulary(rng: random.Random, size: int) -> list[str]:
    onsets = "b c d f g h j k l m n p r s t v w z br cr dr fl gr kl pr st tr ch sh th".split()
    vowels = "a e i o u ai ea ie ou oa".split()
    codas = ["", "", "", "n", "r", "s", "l", "m", "t", "nd", "rk", "st", "x"]
    seen: set[str] = set()
    words: list[str] = []
    while len(words) < size:
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(1, 3))) + rng.choice(codas)
        if len(word) > 3 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


@dataclass
class Story:
    """One generated story: its headline and paragraphs."""

    title: str
    paragraphs: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


class NewsGenerator:
    """Deterministic for a given seed; each call draws the next article."""

    def __init__(self, seed: int = 7, vocabulary: int = 40_000, topic_words: tuple[str, ...] = tuple(TOPIC_WORDS)):
        self.topics = topic_words or ("",)
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.words = np.array(_make_vocabulary(self.rng, vocabulary), dtype=object)
        ranks = np.arange(1, vocabulary + 1, dtype=float)
        weights = 1.0 / (ranks + 20) ** 1.05  # a flatter head: function words are drawn apart
        self.cum = np.cumsum(weights / weights.sum())
        self.count = 0

    def _content_words(self, n: int) -> list[str]:
        idx = np.searchsorted(self.cum, self.np.random(n))
        return list(self.words[np.minimum(idx, len(self.words) - 1)])

    def sentence(self) -> str:
        n = self.rng.randint(9, 22)
        content = self._content_words(n)
        words = [w if self.rng.random() < 0.62 else self.rng.choice(FUNCTION_WORDS) for w in content]
        if self.rng.random() < 0.12:
            words.insert(self.rng.randint(0, len(words)), self.rng.choice(self.topics))
        if self.rng.random() < 0.15:
            words.extend([",", self.rng.choice(STOCK_PHRASES)])
        text = " ".join(words).replace(" ,", ",")
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def headline(self) -> str:
        words = self._content_words(self.rng.randint(5, 9))
        if self.rng.random() < 0.4:
            words.insert(self.rng.randint(0, len(words)), self.rng.choice(self.topics))
        return " ".join(words).capitalize()

    def story(self, paragraphs: tuple[int, int] = (6, 12)) -> Story:
        return Story(self.headline(), [self.paragraph() for _ in range(self.rng.randint(*paragraphs))])

    def article(self, story: Story | None = None, *, site: str | None = None,
                paragraphs: tuple[int, int] = (6, 12)) -> Article:
        """A stored-ready Article for a story (a new one unless given)."""
        story = story or self.story(paragraphs)
        self.count += 1
        site = site or self.rng.choice(SITES)
        day = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=self.rng.choice((0, 1, 2, 5, -5)))))
        published = day + timedelta(days=self.rng.randint(0, 364), minutes=self.rng.randint(0, 1439))
        text = story.text
        url = f"https://{site}.example/news/{self.count}-{'-'.join(story.title.lower().split()[:4])}"
        return Article(
            url=url, fetched_url=url, title=story.title, text=text, source=site,
            site_name=site.capitalize(), author=f"{self.headline().split()[0].capitalize()} Staff",
            published_at=published.isoformat(timespec="seconds"), language=self.rng.choice(LANGUAGES),
            description=story.paragraphs[0][:160], tags=[self.rng.choice(self.topics)],
            categories=["news"], word_count=len(text.split()),
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )

    # -- syndication ------------------------------------------------------------------

    def footer(self, site: str) -> str:
        return self.rng.choice(FOOTERS).format(wire=self.rng.choice(WIRES), site=site.capitalize(),
                                               year=2024)

    def rewrite_lead(self, story: Story) -> Story:
        """A new first paragraph, as an editor rewriting the wire's lead would."""
        return replace(story, paragraphs=[self.paragraph(), *story.paragraphs[1:]])

    def truncate(self, story: Story) -> Story:
        """The first half or so of the story, as sites that cut wire copy do."""
        keep = max(2, round(len(story.paragraphs) * self.rng.uniform(0.5, 0.75)))
        return replace(story, paragraphs=story.paragraphs[:keep])

    def edit(self, story: Story) -> Story:
        """Light copy-editing: a few words changed in a few paragraphs."""
        paragraphs = list(story.paragraphs)
        for i in self.rng.sample(range(len(paragraphs)), k=max(1, len(paragraphs) // 3)):
            words = paragraphs[i].split()
            for j in self.rng.sample(range(len(words)), k=max(1, len(words) // 12)):
                words[j] = self._content_words(1)[0]
            paragraphs[i] = " ".join(words)
        return replace(story, paragraphs=paragraphs)

    def copy_of(self, story: Story, alterations: list[str], site: str) -> Story:
        copy = replace(story, title=self.headline())  # a syndicated copy always gets its own headline
        for alteration in alterations:
            if alteration == "lead":
                copy = self.rewrite_lead(copy)
            elif alteration == "truncate":
                copy = self.truncate(copy)
            elif alteration == "edit":
                copy = self.edit(copy)
            elif alteration == "footer":
                copy = replace(copy, paragraphs=[*copy.paragraphs, self.footer(site)])
        return copy


def syndication_set(stories: int = 50, unrelated: int = 500, seed: int = 11) -> list[tuple[Article, int]]:
    """Articles with their true story label: each story on 4-6 sites (3+ altered copies),
    then unrelated articles (label -1), some quoting a paragraph of a story, shuffled."""
    gen = NewsGenerator(seed)
    out: list[tuple[Article, int]] = []
    originals: list[Story] = []
    for label in range(stories):
        story = gen.story()
        originals.append(story)
        sites = gen.rng.sample(SITES, k=gen.rng.randint(4, 6))
        out.append((gen.article(story, site=sites[0]), label))
        kinds = ["lead", "footer", "truncate"]
        for k, site in enumerate(sites[1:]):
            alterations = [kinds[k]] if k < 3 else gen.rng.sample(["lead", "footer", "truncate", "edit"], k=2)
            if gen.rng.random() < 0.3:
                alterations.append(gen.rng.choice(["footer", "edit"]))
            order = {"lead": 0, "edit": 1, "truncate": 2, "footer": 3}  # footers go on after the cut
            out.append((gen.article(gen.copy_of(story, sorted(set(alterations), key=order.get), site), site=site),
                        label))
    for _ in range(unrelated):
        story = gen.story()
        if gen.rng.random() < 0.1:  # a follow-up quoting one paragraph of an earlier story
            quoted = gen.rng.choice(originals)
            story.paragraphs.insert(1, gen.rng.choice(quoted.paragraphs))
        site = gen.rng.choice(SITES)
        if gen.rng.random() < 0.5:
            story.paragraphs.append(gen.footer(site))
        out.append((gen.article(story, site=site), -1))
    gen.rng.shuffle(out)
    return out
