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
    A page that declares UTF-8 (or nothing) but is not valid UTF-8 is a legacy-encoded page with
    a wrong or missing label (windows-1252, shift_jis, koi8-r...): its encoding is detected.
    The other way round, a page labelled with a legacy charset whose bytes are valid UTF-8 with
    non-ASCII in them is UTF-8 ("fÃ¼r" otherwise): legacy text is almost never valid UTF-8 by chance.
    """
    encoding, text = html_to_unicode(content_type or "", body, auto_detect_fun=_detect_encoding)
    is_utf8_label = encoding.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig")
    if is_utf8_label and "\ufffd" in text:
        detected = _detect_encoding(body)
        if detected and detected != "utf-8":
            text = body.decode(detected, errors="replace")
    elif not is_utf8_label and not body.isascii():
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    return text


def _detect_encoding(body: bytes) -> str | None:
    """UTF-8 when the bytes are valid UTF-8, else charset-normalizer's best guess."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported lazily: only legacy pages need it

    matches = from_bytes(body[:200_000])
    best = matches.best()
    if best is None:
        return None
    # Latin pages often fit cp1250/cp1257 as well as cp1252; on a tie, windows-1252 is the
    # web's legacy default (WHATWG reads even "iso-8859-1" labels as windows-1252).
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos and match.coherence >= best.coherence - 0.05:
            return "cp1252"
    return best.encoding


def process_page(page: Page, options: ExtractOptions | None = None) -> Extraction:
    """Check, decode and extract one fetched page."""
    url = page.final_url or page.url
    # A page built from a feed item (ingest.discover.feedtext) carries its URL's failed status for the
    # record; its body is the feed's, which was read fine.
    if page.status != 200 and page.text_from == "page":
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
    article.text_from = page.text_from
    return article


def _looks_binary(body: bytes) -> bool:
    """PDFs, images and archives served as text/html: NUL bytes or known magic numbers."""
    head = body[:1024]
    magic = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
    return head.startswith(magic) or b"\x00" in head
