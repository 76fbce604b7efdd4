"""Page metadata: title, authors, dates, site name, tags from JSON-LD, og:/article: meta and bylines.

Sources are read in a fixed order of trust: schema.org JSON-LD, then Open Graph / article:
meta, then other well-known meta names (Dublin Core, Parse.ly, Sailthru), then the markup
(`<h1>`, `<time>`, rel=author, byline elements). Every rule is generic; nothing here knows
a site. Dates keep the offset the page gives (never converted to UTC) and a day stays a day.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml.html import HtmlElement

from ingest.clean import is_teaser_or_ad

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting",
    "liveblogposting", "report", "scholarlyarticle", "techarticle", "socialmediaposting",
    "satiricalarticle", "advertisercontentarticle", "posting",
}
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage", "profilepage", "website"}


@dataclass
class PageMeta:
    """What the page says about itself, before the body is extracted."""

    title: str | None = None
    title_candidates: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    published_from: str | None = None
    modified_at: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    language: str | None = None
    article_body: str | None = None  # JSON-LD articleBody, one paragraph per line where it has them
    og_type: str | None = None
    ld_types: set[str] = field(default_factory=set)

    @property
    def says_article(self) -> bool:
        """The page declares itself an article (JSON-LD type, og:type or article:published_time)."""
        return bool(self.ld_types & ARTICLE_TYPES) or self.og_type == "article" or self.published_from in {"jsonld", "meta"}


# ---------------------------------------------------------------- reading the sources

def _clean(value: Any) -> str | None:
    """Whitespace collapsed; entities left escaped by the CMS ("R&uuml;ckbau") decoded."""
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(value)
    value = " ".join(value.split())
    return value or None


def jsonld_nodes(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph and lists flattened."""
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json" or @type="application/json+ld"]'):
        raw = _CDATA.sub("", (script.text or "")).strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            # Some CMSs leave trailing commas or HTML comments around the JSON.
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw.strip("<!->\n ")), strict=False)
            except ValueError:
                continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                nodes.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    return nodes


# Scripts wrapped for old XHTML parsers: "<![CDATA[ {...} ]]>", often behind "//" or "/* */".
_CDATA = re.compile(r"^\s*(?://|/\*)?\s*<!\[CDATA\[(?:\s*\*/)?|(?://|/\*)?\s*\]\]>\s*(?:\*/)?\s*$")


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


def meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    """<meta> content by lower-cased property / name / itemprop, in page order."""
    found: dict[str, list[str]] = {}
    for meta in tree.xpath("//meta[@content]"):
        content = _clean(meta.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _names(value: Any) -> list[str]:
    """Author names out of a JSON-LD author value: a string, a Person/Organization, or a list."""
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [n for n in (_clean(x) for x in name) if n]
        name = _clean(name)
        if not name and value.get("givenName"):
            name = _clean(f"{value.get('givenName', '')} {value.get('familyName', '')}")
        return [name] if name else []
    name = _clean(value)
    return [name] if name else []


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return _strings(value.get("name") or value.get("url"))
    text = _clean(value)
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        return next((img for img in (_image(v) for v in value) if img), None)
    if isinstance(value, dict):
        return _clean(value.get("url") or value.get("contentUrl"))
    return _clean(value)


# ---------------------------------------------------------------- dates

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalize_date(value: str | None) -> str | None:
    """ISO 8601 with the page's own offset; a bare day stays a day. None when unparseable."""
    value = _clean(value)
    if not value:
        return None
    if _DATE_ONLY.match(value[:10]) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat() if _plausible_year(int(value[:4])) else None
        except ValueError:
            return None
    parsed: datetime | None = None
    candidate = value.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", value) else value
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", candidate)  # +0530 -> +05:30
    candidate = re.sub(r"(\.\d+)(?=[+-]\d{2}:?\d{2}$|Z$|$)", "", candidate)  # drop fractions of seconds
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)  # RFC 2822, as in feeds and some meta tags
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None or not _plausible_year(parsed.year):
        return None
    return parsed.replace(microsecond=0).isoformat()


def _plausible_year(year: int) -> bool:
    return 1990 <= year <= datetime.now().year + 1


# ---------------------------------------------------------------- titles

# Separators between a headline and the site's name or a section: spaced ASCII ones, and
# the full-width and CJK ones that sites write without spaces ("…：東京新聞デジタル", "…ㅣ한국일보").
_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·»*•-]\s+|\s+[|*]\s*|\s*[｜：ㅣ丨]\s*")
_BYLINE_PART = re.compile(r"^(?:by|von|par|por|di|door|av)\s+\S", re.I)
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}")  # "mdr.de", "www.example.co.uk"


def _is_site_part(part: str, site_keys: set[str]) -> bool:
    """A title part that names the site: its name (or the name with a word more, "CBC News" for
    "CBC", "日刊ゲンダイDIGITAL" for "日刊ゲンダイ", or less, "VnExpress" for "vnexpress.net"),
    a domain, or a byline after it."""
    key = _key(part)
    if not key:
        return True
    if _DOMAIN.fullmatch(part.strip().lower()) or _BYLINE_PART.match(part.strip()):
        return True
    for site in site_keys:
        if key == site or (len(site) >= 3 and (key.startswith(site) or key.endswith(site))
                           and len(key.split()) <= len(site.split()) + 1 and len(key) <= len(site) + 12):
            return True
        if len(key) >= 4 and (site.startswith(key + " ") or site.endswith(" " + key)):
            return True  # the name less a word: "VnExpress" for "vnexpress.net"
    return False


def _strip_site(title: str, site_names: list[str], sections: list[str] = ()) -> str:
    """'Headline | Site', 'Site - Headline', 'Headline：Site', 'Headline * Site * by Author' lose
    the site's parts at either end; a section glued to them goes too ('Headline-정치ㅣ한국일보')."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site_keys = {_key(s) for s in site_names if s and _key(s)}
    start, end = 0, len(parts)
    while start < end - 1 and _is_site_part(parts[start], site_keys):
        start += 1
    while end - 1 > start and _is_site_part(parts[end - 1], site_keys):
        end -= 1
    if (start, end) == (0, len(parts)):
        return title
    first, last = title.find(parts[start]), title.rfind(parts[end - 1]) + len(parts[end - 1])
    kept = title[first:last].strip()
    if end < len(parts):
        for section in sections:
            for glue in ("-", " - ", " | ", ": "):
                if kept.endswith(glue + section) and len(kept) > len(glue + section) + 10:
                    return kept[: -len(glue + section)].strip()
    return kept


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _agrees(title: str, others: list[str], site_names: list[str]) -> bool:
    """Whether another title says the same, once both lose the site's parts."""
    key = _key(_strip_site(title, site_names))
    return any(_key(_strip_site(other, site_names)) == key for other in others) or not others


def choose_title(h1s: list[str], candidates: list[str], site_names: list[str],
                 sections: list[str] = ()) -> str | None:
    """The headline the page declares (og:title, then JSON-LD headline...) without the site's name.

    The <h1> wins only where it is the declared title minus a suffix we could not
    recognize as the site's ("Headline | DW | 28.04.2023"), or minus a kicker that another
    declared title leaves out too, or when no title is declared.
    (Measured on ../shared/realpages: a vote among the declared titles and the <h1> chose
    the newsroom's display variant where the page's own og:title was the headline, 161 of
    193 exact against 169 for this order of trust; the JSON-LD headline first, 158.)
    """
    stripped = [s for s in (_strip_site(c, site_names, sections) for c in candidates) if s]
    h1s = [h for h in h1s if _key(h)]
    if not stripped:
        return h1s[0] if h1s else None
    declared = stripped[0]
    for h1 in h1s[:1]:
        if _key(declared).startswith(_key(h1) + " ") and _TITLE_SEPARATORS.search(declared[len(h1) - 1:] if len(declared) > len(h1) else ""):
            return h1
        # "Kicker | Headline" where another declared title says just the <h1>'s headline
        if _key(declared).endswith(" " + _key(h1)) and any(_key(s) == _key(h1) for s in stripped[1:]):
            return h1
    return declared


# ---------------------------------------------------------------- authors

_AUTHOR_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av|de|autor(?:in)?|author|text|texto|written by)\s*[:]?\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||,|&|\band\b|\bund\b|\bet\b|\by\b|\bog\b|\bi\b)\s*", re.I)


_GLUED_NUMBER = re.compile(r"(?<=[^\W\d_])\d.*$")


def clean_authors(names: list[str]) -> list[str]:
    """Names without 'By', e-mails, URLs or duplicates; 'A and B' split in two."""
    out: list[str] = []
    seen = set()
    for raw in names:
        if raw.lstrip().startswith("("):  # "(Image: Getty Images)": a credit, not a name
            continue
        raw = _AUTHOR_PREFIX.sub("", re.sub(r"\s*\([^)]*\)", "", raw).strip())
        if re.match(r"^(?:https?:|www\.)", raw) or "@" in raw and " " not in raw:
            continue
        for name in _AUTHOR_SPLIT.split(raw):
            # a date or a count glued to a full name by the markup ("Lucas Nolan22 Dec 2016651"),
            # not a brand's digits ("BR24 Redaktion")
            glued = _GLUED_NUMBER.search(name)
            if glued and len(name[:glued.start()].split()) >= 2:
                name = name[:glued.start()]
            name = _AUTHOR_PREFIX.sub("", name.strip(" .-–—:"))
            if not name or len(name) > 60 or not re.search(r"[^\W\d_]", name):
                continue
            if re.match(r"^(?:https?:|www\.)", name):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                out.append(name)
    return out


def _only_organizations(value: Any, site_names: list[str]) -> bool:
    """JSON-LD authors that are all Organizations, or just the site's own name."""
    items = value if isinstance(value, list) else [value]
    keys = {_key(s) for s in site_names}
    for item in items:
        if isinstance(item, dict):
            if "organization" in _types(item) or "newsmediaorganization" in _types(item):
                continue
            name = _clean(item.get("name"))
        else:
            name = _clean(item)
        if name and _key(name) not in keys:
            return False
    return True


# Meta names that carry authors; Dublin Core and citation_* write "Family, Given".
_META_AUTHOR_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                     "dcterms.creator", "citation_author", "byl", "cxenseparse:author")
_FAMILY_FIRST_KEYS = {"dc.creator", "dcterms.creator", "citation_author"}


def _meta_authors(meta: dict[str, list[str]]) -> list[str]:
    for key in _META_AUTHOR_KEYS:
        values = [v for v in meta.get(key, []) if not v.startswith(("http://", "https://"))]
        if not values:
            continue
        if key in _FAMILY_FIRST_KEYS:
            values = [" ".join(reversed([p.strip() for p in v.split(",")])) if v.count(",") == 1 else v for v in values]
        return values
    return []


# A byline element by its class: "author", "article__author", "c-byline", "autor-name".
_BYLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:author|byline|autor|auteur)(?:s|in|en)?(?:$|[\s_-])", re.I)
_BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av|de|text|texto)\s+", re.I)


def _class_byline(tree: HtmlElement) -> list[str]:
    """The first short "Von Anna Müller" / "By Jane Doe" element whose class names it a byline.

    Only a text that opens with a by-word counts: author boxes, bios and lists of other
    stories carry the same classes with longer or unprefixed text.
    """
    for el in tree.xpath('//body//*[contains(@class, "uthor") or contains(@class, "yline")]'):
        if el.tag in {"script", "style", "meta", "link"} or not _BYLINE_CLASS.search(el.get("class", "")):
            continue
        text = _clean(el.text_content())
        if text and len(text) <= 80 and _BYLINE_PREFIX.match(text):
            return [_BYLINE_PREFIX.sub("", text)]
    return []


_TEASER_CLASS = re.compile(r"related|teaser|recommend|more-|sidebar|widget|card|list-item|promo", re.I)


def _in_teaser(el: HtmlElement) -> bool:
    """Inside another story's teaser: a list item, an aside, navigation, a footer, or a box
    whose class says related / teaser / recommended."""
    for ancestor in el.iterancestors():
        if ancestor.tag in {"li", "aside", "nav", "footer"}:
            return True
        if _TEASER_CLASS.search(ancestor.get("class") or ""):
            return True
        if ancestor.tag in {"article", "main", "body"}:
            return False
    return False


def _names_publisher(value: str, site_keys: set[str]) -> bool:
    """A meta author that is the publisher: the site's name, a domain ("mdr.de"), or the site
    with its address ("hessenschau.de, Frankfurt, Germany")."""
    return any(_is_site_part(part, site_keys) for part in value.split(","))


# Links to an author's page: /author/jane-doe, /autoren/name/max-kolter, /journalist/...
_AUTHOR_HREF = re.compile(r"/(?:authors?|autor(?:en|in)?|auteurs?|autores?|writers?|journalists?|reporters?|"
                          r"redakteur(?:e|in)?|profile|staff)/", re.I)


def _linked_byline(tree: HtmlElement) -> list[str]:
    """"von <a href="/autoren/name/max-kolter">Dr. Max Kolter</a>": a short element that opens
    with a by-word and links to author pages, before any other story's teaser."""
    for link in tree.xpath("//body//a[@href]"):
        if not _AUTHOR_HREF.search(link.get("href", "")) or _in_teaser(link):
            continue
        parent = link.getparent()
        text = _clean(parent.text_content()) if parent is not None else None
        if text and len(text) <= 120 and _BYLINE_PREFIX.match(text):
            names = [_clean(a.text_content()) for a in parent.xpath(".//a[@href]")
                     if _AUTHOR_HREF.search(a.get("href", ""))]
            return [name for name in names if name]
    return []


_SIGNATURE_NAME = re.compile(r"^(?:[^\W\d_][\w'’.-]*\s+){1,3}[^\W\d_][\w'’.-]*$")
_SIGNATURE_JOIN = re.compile(r"\s+(?:and|&|und|et|y|i|og|e)\s+|\s*,\s*")


def _bold_signature(tree: HtmlElement) -> list[str]:
    """A story signed in print style: its first or last paragraph is only a name in bold
    ("<p><strong>Mohloai Mpesi</strong></p>"), or names joined by "and" or commas."""
    for container in tree.xpath("//body//*[count(p) >= 3]"):
        paragraphs = [p for p in container.xpath("./p") if _clean(p.text_content())]
        for p in paragraphs[:1] + paragraphs[-1:]:
            children, text = list(p), _clean(p.text_content()) or ""
            if (len(children) != 1 or children[0].tag not in ("strong", "b") or (p.text or "").strip()
                    or _clean(children[0].text_content()) != text or is_teaser_or_ad(text)):  # "Read more"
                continue
            names = _SIGNATURE_JOIN.split(text)
            if all(_SIGNATURE_NAME.match(n) and all(w[0].isupper() for w in n.split()) for n in names):
                return names
    return []


def _byline_names(tree: HtmlElement) -> list[str]:
    """Names in rel=author / itemprop=author markup; with many, the page lists other stories too."""
    names = []
    for el in tree.xpath('//*[@rel="author" or @itemprop="author"][not(self::meta) and not(self::link)]'):
        if _in_teaser(el):
            continue
        inner = el.xpath('.//*[@itemprop="name"]')
        text = _clean((inner[0] if inner else el).text_content())
        if text and len(text) < 80 and text not in names:
            names.append(text)
    return names if len(names) <= 4 else names[:1]


# ---------------------------------------------------------------- the whole set

def read_metadata(tree: HtmlElement) -> PageMeta:
    """Everything the page says about itself, best source first."""
    meta = meta_values(tree)
    nodes = jsonld_nodes(tree)
    found = PageMeta()
    found.ld_types = {t for node in nodes for t in _types(node)}
    found.og_type = (_first(meta, "og:type") or "").lower() or None
    article = next((n for n in nodes if _types(n) & ARTICLE_TYPES), None)
    page = article or next((n for n in nodes if "webpage" in _types(n) and n.get("datePublished")), None) or {}
    publisher = page.get("publisher") if isinstance(page.get("publisher"), dict) else {}
    website = next((n for n in nodes if "website" in _types(n)), {})

    found.site_name = (_first(meta, "og:site_name", "application-name", "al:android:app_name")
                       or _clean(publisher.get("name")) or _clean(website.get("name")))
    site_names = [s for s in (found.site_name, _clean(publisher.get("name")), _clean(website.get("name"))) if s]

    # Title
    h1s = [t for t in (_clean(h.text_content()) for h in tree.xpath("//body//h1")) if t][:3]
    title_tag = tree.find(".//title")
    headline = _clean(page.get("headline"))
    others = [c for c in (
        _first(meta, "twitter:title"), _first(meta, "title", "dc.title", "parsely-title", "sailthru.title"),
        _clean(title_tag.text_content()) if title_tag is not None else None,
    ) if c]
    og_title = _first(meta, "og:title")
    if headline and not og_title and not _agrees(headline, [*h1s[:1], *others], site_names):
        # A JSON-LD headline that neither the <h1> nor any other title repeats is a
        # description or a social variant: it goes last.
        others, headline = [*others, headline], None
    candidates = [c for c in (og_title, headline, *others) if c]
    found.title_candidates = candidates
    sections = _dedupe(meta.get("article:section", []) + _strings(page.get("articleSection")))
    found.title = choose_title(h1s, candidates, site_names, sections)

    # Authors: people first. An organization as author (often the publisher itself) only
    # stands when no person is named anywhere else on the page.
    ld_authors = page.get("author") or page.get("creator")
    authors = _names(ld_authors)
    organizations_only = bool(authors) and _only_organizations(ld_authors, site_names)
    if not authors or organizations_only:
        fallback = authors
        site_keys = {_key(n) for n in site_names if _key(n)}
        people = [a for a in _meta_authors(meta) if not _names_publisher(a, site_keys)]
        markup = _byline_names(tree) or _class_byline(tree) or _linked_byline(tree)
        if not markup and (found.ld_types & ARTICLE_TYPES or found.og_type == "article"):
            markup = _bold_signature(tree)
        # a byline's "Jane Doe, MDR THÜRINGEN": the person, not the house she writes for
        markup = [name for name in clean_authors(markup) if not _is_site_part(name, site_keys)]
        authors = people or markup or fallback
    authors = clean_authors(authors)
    # A domain ("Lrt.lt") is a publisher, never a person: it goes when a person is named too.
    found.authors = [a for a in authors if not _DOMAIN.fullmatch(a.lower())] or authors

    # Dates: published only from fields that mean "published"; modified kept apart.
    # Each source is read only when the ones before it gave nothing (the markup search walks the tree).
    for source, read in (
        ("jsonld", lambda: page.get("datePublished") or page.get("dateCreated")),
        ("meta", lambda: _first(meta, "article:published_time", "og:article:published_time", "datepublished",
                                "publishdate", "publish-date", "pubdate", "date", "dc.date.issued", "dcterms.issued",
                                "dc.date", "dcterms.created", "parsely-pub-date", "sailthru.date", "article.published",
                                "published_time", "cxenseparse:recs:publishtime")),
        ("markup", lambda: _time_published(tree)),
    ):
        value = read()
        normalized = normalize_date(value if isinstance(value, str) else None)
        if normalized:
            found.published_at, found.published_from = normalized, source
            break
    modified = page.get("dateModified") or _first(meta, "article:modified_time", "og:updated_time", "datemodified",
                                                   "last-modified", "dcterms.modified")
    found.modified_at = normalize_date(modified if isinstance(modified, str) else None)

    # Descriptive fields
    found.description = _first(meta, "og:description", "description", "twitter:description") or _clean(page.get("description"))
    found.article_body = _article_body(page.get("articleBody"))
    found.image = _first(meta, "og:image", "og:image:url", "twitter:image") or _image(page.get("image"))
    found.tags = _dedupe(meta.get("article:tag", []) + _strings(page.get("keywords"))
                         + [t.strip() for v in meta.get("news_keywords", meta.get("keywords", [])) for t in v.split(",")])
    found.categories = sections
    found.language = normalize_language(
        _clean(page.get("inLanguage")) if isinstance(page.get("inLanguage"), str) else None
    ) or normalize_language(tree.get("lang") or tree.get("xml:lang")) or normalize_language(
        _first(meta, "og:locale", "content-language", "dc.language", "language"))
    return found


def _article_body(value: Any) -> str | None:
    """JSON-LD articleBody as plain text: entities decoded, any markup turned into line breaks."""
    if not isinstance(value, str) or not value.strip():
        return None
    if "<" in value:
        value = re.sub(r"(?i)<br\s*/?>|</(?:p|div|h[1-6]|li|blockquote)>", "\n", value)
        value = re.sub(r"<[^>]+>", " ", value)
    value = html.unescape(value)
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line) or None


def _time_published(tree: HtmlElement) -> str | None:
    for xpath in ('//*[@itemprop="datePublished"]', "//time[@pubdate]", '//time[contains(@class, "publish")]'):
        for el in tree.xpath(xpath):
            value = el.get("content") or el.get("datetime")
            if value:
                return value
    return None


def normalize_language(value: str | None) -> str | None:
    """'de-DE', 'en_US', 'fr' -> 'de', 'en', 'fr' (the primary subtag, lower case)."""
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _dedupe(values: list[str]) -> list[str]:
    seen, out = set(), []
    for value in values:
        value = " ".join(value.split())
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out
