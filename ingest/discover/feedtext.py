"""Full-text feeds: an article built from its feed item's content when its page cannot be had.

A paywall (HTTP 401/402/403), a robots.txt that bars the article pages but not the feed, or a
source that asks for it (`feed_content = true`): then the item's content (ingest.discover.feeds puts it
in Hints.content_html) is wrapped in a small HTML document, with the item's title, date and
author as the page metadata the extractor reads, and goes through the same process_page as
a fetched page. A teaser is never taken for the story. Pure: no network, no database.
"""
from __future__ import annotations

import dataclasses
import re
from html import escape

from lxml import etree
from lxml.html import fragment_fromstring

from ingest.models import Hints, Page, Rejected

# Statuses of a page closed to us that its feed item may stand in for (paywalls, logins).
CLOSED_STATUSES = frozenset({401, 402, 403})

# The teaser rule's bounds: a story has at least this many paragraphs and words. A summary or
# an excerpt is one or two paragraphs, rarely 100 words; a brief shorter than this is refused
# too, which costs only what a paywall cost before (the failure recorded, tried next run).
MIN_PARAGRAPHS = 3
MIN_WORDS = 120
# A cut-off excerpt ends in an ellipsis ("…", "...", "[…]", "[...]") or links on to the page
# (WordPress: "… Continue reading <span>Title</span>", so the link text need not end it).
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)\s*[\])]?$")
_READ_ON = re.compile(r"\b(?:read more|continue reading|keep reading|read the (?:full|whole|rest of the) "
                      r"(?:story|article))\b", re.I)
_BLOCKS = frozenset({"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt",
                     "figcaption", "tr", "section", "article", "br"})


def feed_page(url: str, hints: Hints, source: str, status: int | None = None) -> Page | Rejected:
    """A Page holding the feed item's content for `url`, or a Rejected saying why it cannot stand
    in for the page (no content; only a teaser). `status` is what the page's URL answered (None:
    not requested): it is kept for the fetches record, the body is the feed's."""
    content = hints.content_html
    if not content or not content.strip():
        return Rejected(url, "the feed item carries no text", kind="error")
    paragraphs = feed_paragraphs(content)
    reason = teaser_reason(paragraphs)
    if reason:
        return Rejected(url, f"the feed item holds only a teaser ({reason})", kind="error")
    body = _document(url, hints, content).encode("utf-8")
    # The content is in the body now: it need not travel to the extraction worker twice.
    return Page(url=url, final_url=url, body=body, status=status, content_type="text/html; charset=utf-8",
                source=source, hints=dataclasses.replace(hints, content_html=None), text_from="feed")


def teaser_reason(paragraphs: list[str]) -> str | None:
    """Why a feed item's text is a teaser rather than the story, or None when it is the story.

    The rule: a story has at least MIN_PARAGRAPHS paragraphs and MIN_WORDS words, and its last
    paragraph is not cut off (ending in an ellipsis, or holding a "Read more" / "Continue reading" link).
    """
    if paragraphs and (_ELLIPSIS_END.search(paragraphs[-1]) or _READ_ON.search(paragraphs[-1])):
        return "it ends cut off"
    words = sum(len(p.split()) for p in paragraphs)
    if len(paragraphs) < MIN_PARAGRAPHS or words < MIN_WORDS:
        return f"{len(paragraphs)} paragraph{'' if len(paragraphs) == 1 else 's'}, {words} words"
    return None


def feed_paragraphs(content: str) -> list[str]:
    """The content's paragraphs as plain text: the text of each block element (or line break)."""
    try:
        root = fragment_fromstring(content, create_parent="div")
    except (etree.ParserError, ValueError):  # nothing an HTML parser can read
        return []
    # Each block starts and ends a line; text between blocks is a paragraph of its own.
    for el in root.iterdescendants():
        if el.tag in _BLOCKS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    return [" ".join(line.split()) for line in root.text_content().split("\n") if line.strip()]


def _document(url: str, hints: Hints, content: str) -> str:
    """The item as the page it stands in for: its metadata where the extractor reads a page's
    (title, og:, article:published_time, author), its content as the <article>."""
    head = ['<meta charset="utf-8">', f'<link rel="canonical" href="{escape(url)}">',
            '<meta property="og:type" content="article">']
    title = hints.title or ""
    if title:
        head += [f"<title>{escape(title)}</title>", f'<meta property="og:title" content="{escape(title)}">']
    if hints.published_at:
        head.append(f'<meta property="article:published_time" content="{escape(hints.published_at)}">')
    for name in (hints.author or "").split("; "):
        if name.strip():
            head.append(f'<meta name="author" content="{escape(name.strip())}">')
    lang = f' lang="{escape(hints.language)}"' if hints.language else ""
    h1 = f"<h1>{escape(title)}</h1>\n" if title else ""
    return (f"<!DOCTYPE html>\n<html{lang}><head>{''.join(head)}</head>\n"
            f"<body><article>{h1}{content}</article></body></html>")
