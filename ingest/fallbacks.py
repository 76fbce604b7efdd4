"""trafilatura's metadata, read only for the fields the page's own metadata left empty.

trafilatura's full metadata pass (`bare_extraction(..., with_metadata=True)`) costs about a
third of its extraction time: it parses the JSON-LD again (with a regex-heavy rescue for
broken JSON that can take a third of a second on one page), searches the whole page for a
date with htmldate, and looks for categories, tags and a licence, on every page. Our own
metadata (ingest.metadata) already reads the JSON-LD and meta tags first, so here each of
trafilatura's steps runs only when a field it feeds is still missing, in trafilatura's own
order, and the answers are the ones its full pass would give for those fields.
"""
from __future__ import annotations

from datetime import datetime

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document

from ingest import datelanguages
from ingest.metadata import PageMeta

__all__ = ["library_metadata"]


def library_metadata(tree: HtmlElement, url: str, meta: PageMeta) -> Document:
    """trafilatura's value for each field `meta` lacks; the fields `meta` has are left None.

    `tree` is read, never changed (trafilatura's author search and htmldate copy it first).
    """
    doc = Document()
    need_meta = not (meta.title and meta.authors and meta.site_name and meta.description and meta.image)
    need_tags = not meta.tags or not meta.categories
    if need_meta or need_tags:
        doc = examine_meta(tree)  # meta tags only: cheap, and the source of trafilatura's tags
        # trafilatura's own rule: a one-word meta author is a handle, not a name.
        if doc.author and " " not in doc.author:
            doc.author = None
    if need_meta:
        try:
            doc = extract_meta_json(tree, doc)
        except Exception:  # trafilatura guards this call the same way (bugs in its JSON-LD reader)
            pass
        if not meta.title and not doc.title:
            doc.title = extract_title(tree)
        if not meta.authors and not doc.author:
            doc.author = extract_author(tree)  # bylines in the markup: the costly search, rare
        if not meta.site_name:
            doc.sitename = _sitename(tree, doc, url)
    if not meta.categories and not doc.categories:
        doc.categories = extract_catstags("category", tree)
    if not meta.tags and not doc.tags:
        doc.tags = extract_catstags("tag", tree)
    if not meta.published_at:
        # htmldate only when the page declares no date: it walks the whole page.
        with datelanguages.page_language(meta.language):  # dateparser: only the languages it can be in
            doc.date = find_date(tree, url=doc.url or extract_url(tree, url), original_date=True,
                                 extensive_search=True, max_date=datetime.now().astimezone().strftime("%Y-%m-%d"))
    doc.clean_and_trim()
    return doc


def _sitename(tree: HtmlElement, doc: Document, url: str) -> str | None:
    """trafilatura's site name: meta and JSON-LD, then the <title>'s domain part, then the URL's host."""
    name = doc.sitename or extract_sitename(tree)
    if name:
        name = name.lstrip("@")  # a Twitter handle
        if name and "." not in name and not name[0].isupper():
            name = name.title()
        return name or None
    match = META_URL.match(doc.url or extract_url(tree, url) or "")
    return match[1] if match else None
