"""What kind of page this is: the reasons a fetched page is not an article.

Bot challenges and error pages are often served with status 200, and home and section
pages come through section crawls; each check returns a reason (a short phrase that is
stored and counted) or None.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from ingest.body import Candidate
from ingest.discover.sections import looks_like_article
from ingest.metadata import LISTING_TYPES, PageMeta
from ingest.urls import is_home_page

_CHALLENGE = re.compile(
    r"just a moment\.\.\.|enable javascript and cookies to continue|checking (?:if the site connection is secure|your browser)|"
    r"attention required! \| cloudflare|verify(?:ing)? you are (?:a )?human|are you a robot|"
    r"please (?:enable|turn on) (?:javascript|cookies)|ddos protection by|access denied|"
    r"request unsuccessful\. incapsula|pardon our interruption|one more step",
    re.I,
)
_CHALLENGE_MARKUP = re.compile(r"cf-browser-verification|cf_chl_|challenge-platform|_Incapsula_Resource|px-captcha|captcha-delivery", re.I)
_ERROR_TITLE = re.compile(
    r"^(?:error\s*)?(?:40[0134]|410|50[0234])\b|\b(?:page|article|content|story)\s+(?:was\s+)?not\s+found\b|"
    r"^not\s+found\b|\bpage\s+(?:does\s+not|doesn'?t)\s+exist|\b(?:seite|artikel)\s+nicht\s+gefunden|"
    r"\bpage\s+introuvable|\bp[aá]gina\s+no\s+encontrada|\bpagina\s+non\s+trovata|\bpagina\s+niet\s+gevonden|"
    r"\bsomething\s+went\s+wrong\b|\binternal\s+server\s+error\b|\bservice\s+unavailable\b",
    re.I,
)


def challenge_reason(tree: HtmlElement, html: str) -> str | None:
    """A bot-protection interstitial ("Just a moment...", "Enable JavaScript and cookies")."""
    title = tree.findtext(".//title") or ""
    if _CHALLENGE.search(title):
        return f"challenge page ({' '.join(title.split())!r})"
    # Interstitials are small pages with almost no text; real articles may carry a challenge
    # script too (Cloudflare injects one), so size and text decide, not the script alone.
    if len(html) < 60_000:
        body = _body_text(tree)
        if len(body.split()) < 150 and (_CHALLENGE_MARKUP.search(html) or _CHALLENGE.search(body)):
            return "challenge page (bot protection instead of content)"
    return None


def error_reason(meta: PageMeta, h1s: list[str]) -> str | None:
    """An error page served as 200: the title or main heading says 404 / not found."""
    for text in [*(meta.title_candidates[-1:]), *h1s[:1]]:
        if len(text.split()) <= 12 and _ERROR_TITLE.search(text):
            return f"error page ({' '.join(text.split())!r})"
    return None


LISTING_LINK_SHARE = 0.5  # a body with at least this share of its characters in link lines is a list of links
LISTING_MIN_LINKS = 5  # ... and at least this many link lines
LISTING_TEASER_RUNS = 5  # headlines between summaries: at least this many separate stretches of link lines,
TEASER_ALTERNATION = 0.8  # ... at least this many per line of other text (each summary under its headline)


def listing_reason(url: str, meta: PageMeta, body: Candidate) -> str | None:
    """A home page or a section/listing page, judged on the chosen body and what the page declares.

    The body is what the extractors chose as the story: it is a listing when most of it is
    the text of links on the page, or when headlines (links) alternate with summaries all
    the way down (L S L S ...: as many stretches of links as lines of other text). A few
    linked lines (a related-links box, a list of sources) leave a story a story, and a page
    that declares itself an article (JSON-LD, og:type) is never a listing.
    An address with a query string (`/?fArticleId=123`) is not a home page.
    """
    if is_home_page(url) and not meta.says_article:
        return "home page"
    # Most pages carry a WebSite node; only the other listing types say "listing" on their own.
    listing_types = meta.ld_types & LISTING_TYPES - {"website"}
    if listing_types and not meta.says_article:
        return f"listing page (JSON-LD {sorted(listing_types)[0]})"
    if meta.says_article or body.link_lines < LISTING_MIN_LINKS:
        return None
    # A page at a story's address (a slug, an id: the section crawl's own test) whose text is
    # mostly links is a gallery or a link-rich post: the links alone do not make it a listing.
    if body.link_share >= LISTING_LINK_SHARE and not _story_address(url):
        return f"listing page ({body.link_share:.0%} of the text is links)"
    others = body.lines - body.link_lines
    if body.link_runs >= LISTING_TEASER_RUNS and body.link_runs >= TEASER_ALTERNATION * others:
        return f"listing page ({body.link_lines} headlines between {others} other lines)"
    return None


_QUERY_ID = re.compile(r"\d{6,}")  # ?storyID=331739, ?fArticleId=nw20071231121337812C807136


def _story_address(url: str) -> bool:
    """The section crawl's test for an article link, or a long id in the query."""
    return looks_like_article(url) or bool(_QUERY_ID.search(urlsplit(url).query))


# The pages every site has about itself; the last segment of the path, without an extension.
_SITE_PAGES = re.compile(
    r"(?:about|about-?us|who-?we-?are|contact|contact-?us|contacts|imprint|impressum|legal|legal-?notice|"
    r"privacy|privacy-?policy|data-?protection|datenschutz|cookies?|cookie-?policy|terms|terms-?of-?(?:use|service)|"
    r"terms-?and-?conditions|tos|disclaimer|advertise|advertising|careers|jobs|staff|team|our-?team|"
    r"masthead|editorial-?(?:policy|standards)|ethics|corrections-?policy|faq|help|accessibility|"
    r"mentions-?legales|aviso-?legal|chi-?siamo|contatti|qui-?sommes-?nous|uber-?uns|ueber-?uns)",
    re.I,
)
_NOT_ARTICLE_OG = {"website", "profile"}
SITE_PAGE_MAX_WORDS = 300  # longer pages are left to the other checks: a story is worth more than a stray page


def site_page_reason(url: str, meta: PageMeta, published_at: str | None, words: int) -> str | None:
    """A page about the site or a person rather than a story: an "about us", contact, privacy or
    terms page, or one that calls itself og:type website/profile. Only when nothing says article
    (no article schema or og:type, no published date from the page or its feed) and it is short."""
    if meta.says_article or published_at or words > SITE_PAGE_MAX_WORDS:
        return None
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    last = re.sub(r"\.\w{2,5}$", "", last)
    if last and _SITE_PAGES.fullmatch(last):
        return f"site page ({last}), not an article"
    if meta.og_type in _NOT_ARTICLE_OG:
        return f"not an article (og:type {meta.og_type}, no date)"
    return None


def _body_text(tree: HtmlElement) -> str:
    body = tree.find(".//body")
    return " ".join((body if body is not None else tree).text_content().split())
