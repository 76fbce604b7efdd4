"""process_page: the one function every path calls for one fetched page.

The crawl pipeline (in a worker process), `newsdesk ingest URL`, `newsdesk ingest --html`
and re-extraction all turn a Page into an Article or a Rejected here, so they can never
disagree. Pure: no network, no database.
"""
from __future__ import annotations

from w3lib.encoding import html_to_unicode

from ingest.errors import ExtractionError
from ingest.extract import ExtractOptions, NotAnArticle, extract_article
from ingest.models import Extraction, Page, Rejected

MAX_PAGE_BYTES = 10 * 1024 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text: the HTTP charset, then <meta charset>, then a BOM, then detection.

    Undecodable bytes become U+FFFD rather than failing the page (w3lib's rule, as browsers do).
    """
    _, text = html_to_unicode(content_type or "", body)
    return text


def process_page(page: Page, options: ExtractOptions | None = None) -> Extraction:
    """Check, decode and extract one fetched page."""
    url = page.final_url or page.url
    if page.status != 200:
        return Rejected(url, f"HTTP {page.status}", kind="error")
    mime = (page.content_type or "").split(";")[0].strip().lower()
    if mime not in _HTML_TYPES:
        return Rejected(url, f"not an HTML page (Content-Type {mime})", kind="error")
    if not page.body.strip():
        return Rejected(url, "empty body", kind="error")
    if len(page.body) > MAX_PAGE_BYTES:
        return Rejected(url, f"page over the size limit ({len(page.body)} > {MAX_PAGE_BYTES} bytes)", kind="error")
    if _looks_binary(page.body):
        return Rejected(url, "binary content, not HTML", kind="error")
    html = decode_body(page.body, page.content_type)
    try:
        article = extract_article(html, url, hints=page.hints, options=options)
    except NotAnArticle as exc:
        return Rejected(url, str(exc))
    except ExtractionError as exc:
        return Rejected(url, f"extraction failed: {exc}", kind="error")
    article.fetched_url = page.url
    article.source = page.source
    return article


def _looks_binary(body: bytes) -> bool:
    """PDFs, images and archives served as text/html: NUL bytes or known magic numbers."""
    head = body[:1024]
    magic = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
    return head.startswith(magic) or b"\x00" in head
