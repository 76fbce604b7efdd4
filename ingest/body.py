"""Choosing the article body among candidate extractions, by signals that hold on any site.

The candidates:
  main     trafilatura's main extractor alone (cheap: about two thirds of the full run);
  full     trafilatura's full run, which checks the main extractor against readability and
           jusText and falls back to a wider container when the main one found little;
  json-ld  the page's own `articleBody` (JSON-LD), where it declares one.
A site's `body_selector` narrows the page before any of them runs (ingest.extract).

The rule, in one sentence: take the main extractor's text unless it looks doubtful (short,
made of links, not prose, or missing most of the page's declared articleBody), then pay for
the full run and keep it unless it is clearly more link- and fragment-ridden than the main
text; a declared articleBody that the chosen text barely covers wins over both, and so does
one that says the same in more paragraphs.

The signals, measured on each candidate's lines against the page's own links:
  link share   the share of characters in lines whose whole text is a link's text on the
               page (menus, teasers, region lists, tag clouds);
  prose share  the share of characters in lines that read as sentences (40+ characters
               ending as a sentence does, or 120+ characters) and are not links.
Measured on 1,452 real pages (bench.quality's three corpora), the full run where the main
text was doubtful by link or prose share lifted l3s-gn1's raw body F1 from 0.900 to 0.914
without moving the other two; the thresholds below sat on a plateau (link 0.2-0.4, prose
0.5-0.8 change the F1 by at most 0.003 on any corpus).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml.html import HtmlElement

from ingest.clean import normalize_line

__all__ = ["Candidate", "page_anchors", "measure", "is_doubtful", "choose", "covers", "menu_rows"]

SHORT_WORDS = 200  # a main text shorter than this may have missed the story (trafilatura's own worry)
LINK_DOUBT = 0.2  # a main text with more of its characters in link lines is doubtful
PROSE_DOUBT = 0.75  # ... or with less of them in sentences (a table-layout frame, a page's whole text)
JUNK_MARGIN = 0.2  # the full run loses only when its link + fragment shares exceed the main text's by this
LD_MIN_WORDS = 100  # a declared articleBody shorter than this is a teaser, not a judge
LD_DOUBT = 0.6  # a main text that holds fewer of the articleBody's words than this is doubtful
LD_WINS = 0.3  # a chosen text that holds fewer than this gives way to the articleBody
SAME_WORDS = 0.9  # two texts that each hold this share of the other's words say the same

_SENTENCE_END = re.compile(r"[.!?。！？…:;\"”»'’)\]]\s*$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    """One extraction of the body, with the measures the choice is made on."""

    source: str  # "main", "full", "json-ld"
    text: str
    chars: int
    link_chars: int
    prose_chars: int
    lines: int = 0
    link_lines: int = 0
    link_runs: int = 0  # separate stretches of link lines: teasers between summaries make many

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def link_share(self) -> float:
        return self.link_chars / self.chars if self.chars else 1.0

    @property
    def prose_share(self) -> float:
        return self.prose_chars / self.chars if self.chars else 0.0

    @property
    def junk(self) -> float:
        """What is not story: link lines plus lines that are not sentences (0 to 2)."""
        return self.link_share + 1 - self.prose_share


def page_anchors(tree: HtmlElement) -> frozenset[str]:
    """The text of every link on the page, as normalize_line keys."""
    keys = {normalize_line(a.text_content()) for a in tree.iter("a")}
    keys.discard("")
    return frozenset(keys)


def measure(source: str, text: str, anchors: frozenset[str]) -> Candidate:
    """A candidate's text with its link and prose characters counted line by line."""
    chars = link = prose = lines = link_lines = link_runs = 0
    previous_linked = False
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        lines += 1
        chars += len(line)
        linked = normalize_line(line) in anchors
        if linked:
            link += len(line)
            link_lines += 1
            link_runs += not previous_linked
        elif len(line) >= 120 or (len(line) >= 40 and _SENTENCE_END.search(line)):
            prose += len(line)
        previous_linked = linked
    return Candidate(source, text, chars, link, prose, lines, link_lines, link_runs)


def menu_rows(text: str, anchors: frozenset[str]) -> set[str]:
    """Rows of a layout table made only of link texts ("| Home | Sport | Local Sport |"): the
    site's menus, which trafilatura keeps when a whole page is one table. Returned as lines."""
    found = set()
    for line in text.splitlines():
        if "|" not in line:
            continue
        cells = [normalize_line(cell) for cell in re.split(r"(?<!\\)\|", line)]
        cells = [cell for cell in cells if cell]
        if cells and all(cell in anchors for cell in cells):
            found.add(line)
    return found


def covers(text: str, reference: str) -> float:
    """The share of the reference's distinct words found in the text (0 to 1)."""
    wanted = set(_WORD.findall(reference.casefold()))
    if not wanted:
        return 1.0
    return len(wanted & set(_WORD.findall(text.casefold()))) / len(wanted)


def is_doubtful(main: Candidate | None, declared: str | None = None) -> bool:
    """Whether the main extractor's text may not be the story, so the full run is worth paying for."""
    if main is None or main.words < SHORT_WORDS:
        return True
    if main.link_share > LINK_DOUBT or main.prose_share < PROSE_DOUBT:
        return True
    return bool(declared) and covers(main.text, declared) < LD_DOUBT


def choose(candidates: Iterable[Candidate | None], declared: Candidate | None = None) -> Candidate | None:
    """The body among the main text and the full run (in that order), then the declared one.

    The full run is trafilatura's own judgement and is kept, unless its junk (link share plus
    non-sentence share) exceeds the main text's by JUNK_MARGIN: then it picked a frame or a
    menu around the story. A declared articleBody that the choice holds less than LD_WINS of
    is the story the extractors missed.
    """
    present = [c for c in candidates if c is not None and c.chars]
    best = present[0] if present else None
    for other in present[1:]:
        if other.junk <= best.junk + JUNK_MARGIN:
            best = other
    if declared is not None and declared.words >= LD_MIN_WORDS:
        if best is None or covers(best.text, declared.text) < LD_WINS:
            return declared
        # The same words, but the declared text keeps its paragraphs (trafilatura's last
        # resort reads articleBody too, as one line).
        if declared.lines > best.lines and min(covers(best.text, declared.text), covers(declared.text, best.text)) >= SAME_WORDS:
            return declared
    return best
