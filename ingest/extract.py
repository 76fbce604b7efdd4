"""extract_article(html, url): trafilatura plus our cleaning, to one normalized Article.

The stages, in order:
  1. parse once (lxml via trafilatura) and read the page's own metadata (ingest.metadata);
  2. turn away what is not an article: bot challenges, error pages served as 200 (ingest.pagekind);
  3. apply per-site overrides (remove_selectors, body_selector), then choose the body among
     trafilatura's main extractor, its full run and the page's JSON-LD articleBody
     (ingest.body: the full run is paid for only when the cheap text looks doubtful). Its
     metadata pass repeats ours and costs a third of its time: trafilatura's metadata steps
     run only for fields ours left empty, htmldate only when the page declares no date
     (ingest.fallbacks);
  4. turn away home and listing pages, judged on the chosen body, so a story is never
     rejected for the menus around it;
  5. clean the body: rows of a layout table made only of links (ingest.body.menu_rows), then
     (ingest.clean) headline, bylines, timestamps, template lines,
     calls to follow/subscribe, teasers, ads, learned site boilerplate; then merge
     metadata: the page first, then trafilatura, then discovery hints, each filling only gaps.
Pure: no network, no database.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import trafilatura
from lxml.etree import ParserError
from lxml.html import HtmlElement

from ingest.body import Candidate, choose, is_doubtful, measure, menu_rows, page_anchors
from ingest.clean import clean_lines, normalize_text
from ingest.errors import ConfigError, ExtractionError
from ingest.fallbacks import library_metadata
from ingest.metadata import PageMeta, clean_authors, normalize_date, normalize_language, read_metadata
from ingest.models import Article, Hints
from ingest.pagekind import challenge_reason, error_reason, listing_reason, site_page_reason
from ingest.urls import canonical_url

__all__ = ["ExtractOptions", "NotAnArticle", "extract_article"]

MIN_WORDS = 10  # below this, a page that does not declare itself an article is not one


class NotAnArticle(ExtractionError):
    """The page parsed fine but holds no article (home page, listing, error page)."""


@dataclass(frozen=True)
class ExtractOptions:
    """Per-site extraction settings, built from a Source.

    body_selector: CSS selector of the element holding the story; extraction is restricted
      to it (falls back to the whole page when it matches nothing).
    remove_selectors: CSS selectors of elements dropped before extraction.
    favor_precision: trafilatura's precision mode (less text, less noise).
    boilerplate: learned site-wide lines, as ingest.clean.normalize_line keys.
    """

    body_selector: str | None = None
    remove_selectors: tuple[str, ...] = ()
    favor_precision: bool = False
    boilerplate: frozenset[str] = frozenset()  # learned site-wide lines, normalized


def extract_article(html: str, url: str, *, hints: Hints | None = None,
                    options: ExtractOptions | None = None) -> Article:
    """One page's HTML to a cleaned Article; NotAnArticle when it holds none."""
    options = options or ExtractOptions()
    hints = hints or Hints()
    if not html or not html.strip():
        raise NotAnArticle("empty page")
    tree = _parse(html)

    # 1-2. What the page says about itself; challenges and error pages stop here.
    meta = read_metadata(tree)
    h1s = [" ".join(h.text_content().split()) for h in tree.xpath("//body//h1")]
    reason = challenge_reason(tree, html) or error_reason(meta, h1s)
    if reason:
        raise NotAnArticle(reason)
    canonical = canonical_url(tree, url)

    # 3. Body extraction, with the site's overrides applied to the tree first.
    _apply_overrides(tree, options)
    anchors = page_anchors(tree)
    body = _body(tree, url, options, meta, anchors)
    raw_text = normalize_text(body.text) if body is not None else ""
    if not raw_text:
        raise NotAnArticle("no article text found")

    # 4. Home and listing pages, judged on the chosen body.
    reason = listing_reason(url, meta, body)
    if reason:
        raise NotAnArticle(reason)

    # 5. Clean, merge metadata.
    doc = library_metadata(tree, url, meta)
    title = meta.title or _str(doc.title) or hints.title
    authors = meta.authors or clean_authors((_str(doc.author) or "").split(";"))
    titles = [t for t in (title, *h1s[:1], *meta.title_candidates[:2]) if t]
    menus = menu_rows(raw_text, anchors)
    lines = clean_lines([line for line in raw_text.splitlines() if line not in menus],
                        titles=titles, authors=authors, boilerplate=options.boilerplate)
    if not lines:
        raise NotAnArticle("no article text left after removing boilerplate")
    text = "\n".join(lines)
    words = len(text.split())
    if words < MIN_WORDS and not meta.says_article:
        raise NotAnArticle(f"too little text ({words} words)")

    published_at, published_from = _published(meta, doc, hints)
    reason = site_page_reason(url, meta, published_at, words)
    if reason:
        raise NotAnArticle(reason)
    return Article(
        url=canonical,
        fetched_url=url,
        title=title,
        text=text,
        site_name=meta.site_name or _str(doc.sitename),
        author="; ".join(authors) or None,
        published_at=published_at,
        published_from=published_from,
        modified_at=meta.modified_at,
        language=meta.language or normalize_language(_str(doc.language)) or normalize_language(hints.language),
        description=meta.description or _str(doc.description),
        tags=meta.tags or list(doc.tags or []),
        categories=meta.categories or list(doc.categories or []),
        image=meta.image or _str(doc.image),
        word_count=words,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        html=html,
    )


def _body(tree: HtmlElement, url: str, options: ExtractOptions, meta: PageMeta,
          anchors: frozenset[str]) -> Candidate | None:
    """The article body, chosen among trafilatura's main extractor, its full run and the
    page's JSON-LD articleBody by ingest.body's rule; None when none of them found text.

    trafilatura checks its main extractor against readability and jusText on every page, a
    third of its time: here its main extractor runs alone first, and only a doubtful result
    (short, links, fragments, or far from the declared articleBody) pays for the full run.
    """
    def run(fast: bool) -> Candidate | None:
        doc = trafilatura.bare_extraction(tree, url=url, with_metadata=False, include_comments=False,
                                          favor_precision=options.favor_precision, deduplicate=False, fast=fast)
        text = (doc.text or "") if doc is not None else ""
        return measure("main" if fast else "full", text, anchors) if text.strip() else None

    main = run(fast=True)
    candidates = [main, run(fast=False)] if is_doubtful(main, meta.article_body) else [main]
    declared = measure("json-ld", meta.article_body, anchors) if meta.article_body else None
    return choose(candidates, declared)


def _parse(html: str) -> HtmlElement:
    try:
        tree = trafilatura.load_html(html)
    except (ParserError, ValueError) as exc:
        raise ExtractionError(f"could not parse the HTML: {exc}") from exc
    if tree is None:
        raise NotAnArticle("not an HTML document")
    return tree


def _apply_overrides(tree: HtmlElement, options: ExtractOptions) -> None:
    """remove_selectors drop elements; body_selector keeps only the story element(s) in <body>."""
    try:
        for selector in options.remove_selectors:
            for el in tree.cssselect(selector):
                parent = el.getparent()
                if parent is not None:
                    el.drop_tree()
        if options.body_selector:
            chosen = tree.cssselect(options.body_selector)
            body = tree.find(".//body")
            if chosen and body is not None:
                for child in list(body):
                    body.remove(child)
                body.text = None
                for el in chosen:
                    el.tail = None
                    body.append(el)
    except Exception as exc:  # cssselect raises its own SelectorSyntaxError family
        if type(exc).__module__.startswith("cssselect"):
            raise ConfigError(f"bad CSS selector in extraction options: {exc}") from exc
        raise


def _published(meta: PageMeta, doc: object, hints: Hints) -> tuple[str | None, str | None]:
    """The page's own published date, then htmldate's (ingest.fallbacks), then the discovery hint."""
    if meta.published_at:
        return meta.published_at, meta.published_from
    found = normalize_date(_str(getattr(doc, "date", None)))
    # htmldate falls back to the only date it sees; when that is the declared modified
    # day, it is not a publication date.
    if found and not (meta.modified_at and meta.modified_at.startswith(found[:10])):
        return found, "htmldate"
    hinted = normalize_date(hints.published_at)
    if hinted:
        return hinted, hints.via or "hint"
    return None, None


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
