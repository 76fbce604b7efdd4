"""Text cleaning: the boilerplate lines trafilatura leaves in an article body.

Every rule looks at the *shape* of one line (short label, placeholder value, a call to
follow/join/subscribe, an ad label, a teaser) and never at a site's own words, so it holds
on sites we have never seen. Long lines are never judged boilerplate by shape alone: a rule
that could match a real sentence is limited to short lines. Site-specific lines are learned
elsewhere (boilerplate learning across a site's articles) and compared through
`normalize_line`.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

# Values a CMS template renders when the field it should fill is empty.
_PLACEHOLDER = (
    r"(?:undefined|null|nil|none|nan|n/?a|tbd|tba|true|false|invalid\s+date|\[object\s+object\]|"
    r"\{\{[^}]*\}\}|\$\{[^}]*\}|%[a-z_]+%|-{1,3}|—|–|\.{2,3}|…|0{1,2}:0{2}|0000-00-00)"
)
# Labels of timestamp widgets, in the languages of the sites we meet most.
_DATE_LABEL = (
    r"(?:(?:last\s+|first\s+)?(?:published|updated|modified|posted|created|edited|released|"
    r"uploaded|dated?|time|on)(?:\s+(?:on|at))?|"
    r"veröffentlicht(?:\s+am)?|aktualisiert(?:\s+am)?|stand|erstellt(?:\s+am)?|datum|"
    r"publié(?:\s+le)?|mis\s+à\s+jour(?:\s+le)?|modifié(?:\s+le)?|"
    r"publicado(?:\s+el)?|actualizado(?:\s+el)?|fecha|pubblicato(?:\s+il)?|aggiornato(?:\s+il)?|"
    r"gepubliceerd(?:\s+op)?|bijgewerkt(?:\s+op)?|publicerad|uppdaterad|publisert|oppdatert)"
)
# "Label: placeholder" for any short label, or a bare placeholder on its own line.
_PLACEHOLDER_LINE = re.compile(
    rf"^(?:[^\W\d_][\w .'’/-]{{0,40}}?\s*[:：|]\s*|{_DATE_LABEL}\s*[:：|-]?\s*)?{_PLACEHOLDER}\s*$", re.I)
# A timestamp label with nothing after it ("Updated:", "Published on").
_EMPTY_DATE_LABEL = re.compile(rf"^{_DATE_LABEL}\s*[:：|-]?\s*$", re.I)

_MONTHS = (
    "jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|"
    "september|oct|october|nov|november|dec|december|januar|februar|märz|mai|juni|juli|oktober|"
    "dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)
_WEEKDAYS = (
    "mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|"
    "sun|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|"
    "jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo"
)
_ZONES = r"utc|gmt|ist|et|est|edt|pt|pst|pdt|ct|cst|cdt|cet|cest|bst|eet|eest|aest|jst|kst|sast|uhr|h|hrs"
_DATE_TOKEN = re.compile(
    rf"^(?:\d{{1,4}}(?:[./:\-]\d{{1,4}}){{0,3}}(?:st|nd|rd|th|h)?\.?|(?:{_MONTHS})\.?|(?:{_WEEKDAYS})\.?|"
    rf"a\.?m\.?|p\.?m\.?|{_ZONES}|[+-]\d{{2}}:?\d{{2}}|at|on|um|le|à|el|de|del|the|of|ago|"
    rf"\d+\s*(?:min|mins|minutes|hours?|hrs?|days?))$",
    re.I,
)
_LABEL_PREFIX = re.compile(rf"^{_DATE_LABEL}\s*[:：|-]?\s*", re.I)

# Calls to follow/join/subscribe/share/download/sign up: the line opens with the verb.
_CALL_VERB = (
    r"(?:follow|join|subscribe|sign\s*up|signup|register|download|install|share|"
    r"connect\s+with|stay\s+(?:connected|updated|tuned)|click\s+here|tap\s+here|"
    r"folgen\s+sie|folge\s+uns|abonnieren\s+sie|abonniere|laden\s+sie|teilen|"
    r"suivez|rejoignez|abonnez-vous|inscrivez-vous|téléchargez|partagez|"
    r"síguenos|sigue(?:nos)?|únete|suscríbete|descarga|comparte|seguici|iscriviti|volg\s+ons)"
)
# What such a call is about: a channel, a platform, an app, a newsletter.
_CALL_OBJECT = re.compile(
    r"\b(?:(?-i:us)|our|channel|channels|newsletters?|app|apps|updates|alerts|podcast|feed|"
    r"facebook|twitter|x\.com|instagram|telegram|whatsapp|youtube|google\s+news|linkedin|tiktok|"
    r"threads|snapchat|pinterest|reddit|mastodon|bluesky|flipboard|koo|sharechat|"
    r"uns|unseren?|unsere|newsletter|kanal|nous|notre|nos|chaîne|nuestro|nuestra|canal|boletín)\b",
    re.I,
)
_CALL_START = re.compile(rf"^(?:to\s+|please\s+|also\s+|now\s+|»\s*)?{_CALL_VERB}\b(?!-)", re.I)
_SOCIAL_NAMES = re.compile(
    r"^(?:(?:share|teilen|partager|compartir)\s*(?:this|on|via|:)?\s*[:|]?\s*)?"
    r"(?:(?:facebook|twitter|x|instagram|telegram|whatsapp|youtube|google\s+news|linkedin|tiktok|"
    r"pinterest|reddit|email|e-mail|mail|print|copy\s+link|messenger|threads|flipboard|sms)"
    r"[\s,|/•·]*){2,}$",
    re.I,
)
# Teasers for other stories and ad labels: the whole line is the label, or label + a headline.
_TEASER = re.compile(
    r"^(?:also\s+read|read\s+also|read\s+more|more\s+from|read\s+next|see\s+also|related|"
    r"related\s+(?:stories|articles|news|content|coverage)|recommended|must\s+read|don'?t\s+miss|"
    r"auch\s+interessant|lesen\s+sie\s+auch|mehr\s+zum\s+thema|weiterlesen|"
    r"lire\s+aussi|à\s+lire\s+aussi|voir\s+aussi|lee\s+también|leer\s+más|te\s+puede\s+interesar|"
    r"leggi\s+anche)\s*(?:[:|>»–—-]|$)",
    re.I,
)
_AD_LABEL = re.compile(
    r"^(?:advertisement|advertising|ad|ads|sponsored(?:\s+content)?|promoted(?:\s+content)?|"
    r"paid\s+content|partner\s+content|anzeige|werbung|publicité|publicidad|pubblicità|annons|"
    r"reklame|advertentie|story\s+continues\s+(?:below|after)(?:\s+(?:this\s+)?(?:advertisement|ad))?|"
    r"(?:article|story)\s+continues\s+below|continue\s+reading\s+(?:below|the\s+main\s+story)|"
    r"scroll\s+(?:down\s+)?to\s+continue(?:\s+with\s+content)?|skip\s+advert(?:isement)?|"
    r"advertisement\b.{0,40}continues\s+below)"
    r"\s*[.:…]*$",
    re.I,
)
# "Reading time: 4 minutes", "3 Minuten Lesezeit", "5 min read".
_READING_TIME = re.compile(
    r"^(?:(?:reading\s+time|read\s+time|lesedauer|lesezeit|temps\s+de\s+lecture|tiempo\s+de\s+lectura)\s*:?\s*\d+\s*\w*|"
    r"\d+\s*(?:min|mins|minutes?|minuten|minutos)\.?\s*(?:read|lesezeit|lesedauer|de\s+lecture|de\s+lectura))$",
    re.I,
)
_BYLINE = re.compile(
    r"^(?:by|written\s+by|reported\s+by|edited\s+by|story\s+by|words\s+by|von|par|por|di|door|av)\s+"
    r"[^\W\d_][\w.'’-]*(?:[\s,&]+(?:and\s+|und\s+|et\s+|y\s+)?[^\W\d_][\w.'’-]*){0,7}"
    r"(?:\s*[|,/–—-]\s*[\w .'’-]{1,40})?$",
    re.I,
)

SHORT_WORDS = 12  # lines up to this many words may be judged by shape
CALL_WORDS = 30  # calls to action run a bit longer ("Join our ... and stay updated with ...")


def normalize_line(line: str) -> str:
    """The key under which a line is compared with learned site-wide boilerplate.

    NFKC, case-folded, every run of digits replaced by "0" (so "© 2024" and "© 2025" match,
    as do counters), punctuation, symbols and underscores dropped, whitespace collapsed.
    Two lines with the same key are the same boilerplate line.
    """
    text = unicodedata.normalize("NFKC", line).casefold()
    return " ".join(_NON_WORD.sub(" ", _DIGITS.sub("0", text)).split())


_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")


def normalize_text(text: str) -> str:
    """Text as stored and hashed: NFC, one paragraph per line, inner whitespace collapsed."""
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(line for line in lines if line)


def is_placeholder_line(line: str) -> bool:
    """`Published: undefined`, `Updated: null`, `Date: N/A`, `Posted on: --`, `Updated:`."""
    if len(line) > 80:
        return False
    return bool(_PLACEHOLDER_LINE.match(line) or _EMPTY_DATE_LABEL.match(line))


def is_timestamp_line(line: str) -> bool:
    """A line made only of an optional date label and date/time tokens."""
    if len(line) > 80 or line.startswith("|") or not any(ch.isdigit() for ch in line):
        return False
    labeled = _LABEL_PREFIX.match(line)
    rest = line[labeled.end():] if labeled else line
    tokens = [t for t in re.split(r"[\s,|•·()]+", rest) if t]
    if not tokens:
        return False
    if not labeled and len(tokens) < 2:
        return bool(re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", tokens[0]))
    if all(t.isdigit() for t in tokens):  # bare numbers ("2023 1,200") are data, not a date
        return False
    return all(_DATE_TOKEN.match(t) for t in tokens)


def is_call_to_action(line: str) -> bool:
    """Follow us / join our channel / subscribe / download the app / share bars."""
    words = line.split()
    if len(words) > CALL_WORDS:
        return False
    if _SOCIAL_NAMES.match(line):
        return True
    return bool(_CALL_START.match(line) and _CALL_OBJECT.search(line))


def is_teaser_or_ad(line: str) -> bool:
    """"Also read: ...", "Related:", "Advertisement", "Story continues below advertisement"."""
    if len(line.split()) > 25:
        return False
    return bool(_AD_LABEL.match(line) or _TEASER.match(line) or _READING_TIME.match(line))


def is_byline(line: str, author_keys: set[str] = frozenset()) -> bool:
    """"By Jane Doe", "Von Anna Müller | dpa", or a line that is just an author's name.

    author_keys: the authors' names as normalize_line keys.
    """
    if len(line.split()) > 10 or line.rstrip().endswith((".", "!", "?", '"', "”")):
        return False
    if author_keys:
        key = normalize_line(line)
        if key in author_keys or key.removeprefix("by ") in author_keys:
            return True
    # Names are capitalized; the part after a separator may be an agency ("| dpa").
    names = re.split(r"\s[|/–—-]\s", line.split(None, 1)[1] if " " in line else "")[0]
    return bool(_BYLINE.match(line)) and _mostly_capitalized(names)


def _mostly_capitalized(text: str) -> bool:
    words = [w for w in re.split(r"[\s,&|/–—-]+", text) if w and w.lower() not in {"and", "und", "et", "y", "de", "van", "von", "der"}]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _is_sentence_like(line: str) -> bool:
    """Real prose or quotes: ends like a sentence or carries quotation marks."""
    return line.rstrip().endswith((".", "!", "?", "…", '"', "”", "»", "“", "'")) or any(q in line for q in '"“”«»„')


def repeated_label_lines(lines: list[str], keys: list[str] | None = None) -> set[str]:
    """Short, non-sentence lines that occur more than once in one article (template widgets).

    Returns their normalize_line keys. Table rows (trafilatura renders cells with `|`) and
    sentences never count.
    """
    keys = keys if keys is not None else [normalize_line(line) for line in lines]
    counts = Counter(keys)
    found = set()
    for line, key in zip(lines, keys):
        if counts[key] < 2 or not key or key in found:
            continue
        # Table rows and list items (trafilatura's "- ") may repeat for real.
        if "|" in line or line.startswith("- "):
            continue
        # A sentence or quote may come twice (a pull quote); three times is a template
        # (an embed's consent notice rendered once per embed).
        if (_is_sentence_like(line) or len(line.split()) > 8) and counts[key] < 3:
            continue
        found.add(key)
    return found


def clean_lines(lines: Iterable[str], *, titles: Iterable[str] = (), authors: Iterable[str] = (),
                boilerplate: frozenset[str] = frozenset()) -> list[str]:
    """Drop the boilerplate lines of an article body; keep everything else in order.

    titles: the headline (and its variants: <h1>, og:title), never repeated in the text.
    authors: names whose bare byline lines are dropped.
    """
    lines = [" ".join(line.split()) for line in lines]
    lines = [line for line in lines if line]
    keys = [normalize_line(line) for line in lines]
    title_keys = {normalize_line(t) for t in titles if t}
    author_keys = {normalize_line(a) for a in authors if a}
    template = repeated_label_lines(lines, keys)
    kept = []
    for line, key in zip(lines, keys):
        if not key:  # only punctuation or symbols: separators, bullets
            continue
        if key in title_keys or key in boilerplate or key in template:
            continue
        if len(line) <= 200 and _is_boilerplate_shape(line, author_keys):
            continue
        kept.append(line)
    return kept


def _is_boilerplate_shape(line: str, author_keys: set[str]) -> bool:
    line = line.removeprefix("- ").lstrip("-–— ")  # a list item is judged by its content
    return (is_placeholder_line(line) or is_timestamp_line(line) or is_call_to_action(line)
            or is_teaser_or_ad(line) or is_byline(line, author_keys))


def clean_text(text: str, *, titles: Iterable[str] = (), authors: Iterable[str] = (),
               boilerplate: frozenset[str] = frozenset()) -> str:
    """clean_lines over a text, returned normalized (see normalize_text)."""
    lines = normalize_text(text).splitlines()
    return "\n".join(clean_lines(lines, titles=titles, authors=authors, boilerplate=boilerplate))
