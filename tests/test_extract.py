"""extract_article beyond the seed: not-article verdicts, URLs, dates, hints, languages, overrides."""
from __future__ import annotations

import html as html_lib
import json

import pytest
import trafilatura

from ingest.clean import clean_lines, normalize_line, repeated_label_lines
from ingest.errors import ConfigError
from ingest.extract import ExtractOptions, NotAnArticle, extract_article
from ingest.fallbacks import library_metadata
from ingest.metadata import read_metadata
from ingest.models import Hints

URL = "https://news.example.org/world/2024/03/10/river-flood-warning"

STORY = [
    "Heavy rain pushed the river above its banks on Sunday, forcing the evacuation of two villages downstream of the dam.",
    "Officials said about 1,200 people had been moved to schools and sports halls, and that no injuries had been reported so far.",
    "\"We have never seen the water rise this fast,\" said Maria Keller, who has run the ferry crossing for thirty years.",
    "The regional weather service expects the rain to ease on Monday evening, but warned that levels could keep rising until Wednesday.",
    "Engineers inspected the dam overnight and found no structural damage, according to a statement from the water authority.",
]


def page(paragraphs: list[str], *, title: str = "River flood forces evacuation of two villages",
         head: str = "", before: str = "", after: str = "", lang: str = "en", h1_inside: bool = True) -> str:
    body = "\n".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs)
    h1 = f"<h1>{html_lib.escape(title)}</h1>"
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<title>{html_lib.escape(title)} | Example News</title>
<meta property="og:site_name" content="Example News">
{head}
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
{'' if h1_inside else h1}
<main><article>{h1 if h1_inside else ''}
{before}
<div class="article-body">{body}</div>
{after}
</article></main>
<footer><a href="/about">About us</a> <a href="/privacy">Privacy</a></footer>
</body></html>"""


def lines_of(html: str, url: str = URL, **kwargs) -> list[str]:
    return extract_article(html, url, **kwargs).text.splitlines()


# ---------------------------------------------------------------- not articles

HEADLINES = [f"Headline number {i}: council approves new budget for district {i}" for i in range(30)]


def test_home_page_with_headlines_is_not_an_article():
    items = "\n".join(f'<li><a href="/world/story-{i}">{h}</a></li>' for i, h in enumerate(HEADLINES))
    html = f"""<html><head><title>Example News - latest news</title><meta property="og:type" content="website"></head>
<body><h1>Example News</h1><ul class="top-stories">{items}</ul></body></html>"""
    with pytest.raises(NotAnArticle, match="home page|listing"):
        extract_article(html, "https://news.example.org/")


def test_section_page_is_not_an_article():
    items = "\n".join(
        f'<div class="teaser"><h2><a href="/world/story-{i}">{h}</a></h2></div>' for i, h in enumerate(HEADLINES))
    html = f"""<html><head><title>World | Example News</title></head>
<body><h1>World</h1><section class="list">{items}</section></body></html>"""
    with pytest.raises(NotAnArticle, match="listing page"):
        extract_article(html, "https://news.example.org/world")


def test_collection_page_declared_in_jsonld_is_not_an_article():
    ld = json.dumps({"@context": "https://schema.org", "@type": "CollectionPage", "name": "World"})
    html = page(STORY, title="World news", head=f'<script type="application/ld+json">{ld}</script>')
    with pytest.raises(NotAnArticle, match="CollectionPage|collectionpage"):
        extract_article(html, "https://news.example.org/world")


def test_error_page_served_as_200_is_not_an_article():
    html = """<html><head><title>Page not found | Example News</title></head><body>
<h1>Page not found</h1><p>Sorry, the page you were looking for does not exist or has been moved.
Try the search box or go back to the home page to find the latest news and features.</p></body></html>"""
    with pytest.raises(NotAnArticle, match="error page"):
        extract_article(html, URL)


@pytest.mark.parametrize("title, body", [
    ("Just a moment...", "<noscript>Enable JavaScript and cookies to continue</noscript>"
                         '<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script>'),
    ("news.example.org", "<p>Checking your browser before accessing news.example.org.</p>"
                         "<p>Please enable JavaScript and cookies to continue.</p>"),
])
def test_challenge_page_is_not_an_article(title, body):
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    with pytest.raises(NotAnArticle, match="challenge page"):
        extract_article(html, URL)


def test_empty_page_is_not_an_article():
    with pytest.raises(NotAnArticle, match="empty"):
        extract_article("   ", URL)
    with pytest.raises(NotAnArticle):
        extract_article("<html><head><title>x</title></head><body><div></div></body></html>", URL)


# ---------------------------------------------------------------- headline, canonical URL

def test_headline_is_not_repeated_in_text():
    article = extract_article(page(STORY), URL)
    assert article.title == "River flood forces evacuation of two villages"
    assert article.text.splitlines() == STORY


@pytest.mark.parametrize("canonical, expected", [
    (URL + "?utm_source=twitter&utm_medium=social&utm_campaign=x", URL),
    (URL + "#comments", URL),
    ("/world/2024/03/10/river-flood-warning", URL),  # relative: resolved against the page
    ("HTTPS://NEWS.EXAMPLE.ORG:443/world/2024/03/10/river-flood-warning", URL),
    ("https://news.example.org/", URL + "?id=7"),  # the home page: a CMS default, not this story
    ("undefined", URL + "?id=7"),
    ("https://{{host}}/story", URL + "?id=7"),
])
def test_canonical_url_rules(canonical, expected):
    html = page(STORY, head=f'<link rel="canonical" href="{canonical}">')
    assert extract_article(html, URL + "?id=7&utm_source=rss").url == expected


def test_missing_canonical_falls_back_to_fetched_url_without_trackers():
    article = extract_article(page(STORY), URL + "?utm_source=rss&fbclid=abc")
    assert article.url == URL
    assert article.fetched_url == URL + "?utm_source=rss&fbclid=abc"


def test_og_url_used_when_no_canonical_link():
    html = page(STORY, head='<meta property="og:url" content="https://news.example.org/world/flood?ref=rss">')
    assert extract_article(html, URL).url == "https://news.example.org/world/flood"


# ---------------------------------------------------------------- dates, authors, hints

@pytest.mark.parametrize("head, published, source", [
    ('<meta property="article:published_time" content="2024-03-10T14:05:00+01:00">', "2024-03-10T14:05:00+01:00", "meta"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-10T19:35:00.000+0530"}</script>',
     "2024-03-10T19:35:00+05:30", "jsonld"),
    ('<meta property="article:published_time" content="2024-03-10">', "2024-03-10", "meta"),
    ('<meta name="pubdate" content="2024-03-10T08:00:00Z">', "2024-03-10T08:00:00+00:00", "meta"),
])
def test_published_date_keeps_the_page_offset(head, published, source):
    article = extract_article(page(STORY, head=head), URL)
    assert (article.published_at, article.published_from) == (published, source)


def test_modified_date_is_never_the_published_date():
    ld = {"@type": "NewsArticle", "headline": "x", "dateModified": "2024-03-12T09:00:00+01:00"}
    html = page(STORY, head=f'<script type="application/ld+json">{json.dumps(ld)}</script>'
                            '<meta property="article:modified_time" content="2024-03-12T09:00:00+01:00">')
    article = extract_article(html, "https://news.example.org/world/river-flood-warning")
    assert article.modified_at == "2024-03-12T09:00:00+01:00"
    assert article.published_at != article.modified_at
    assert not (article.published_at or "").startswith("2024-03-12")


def test_hints_fill_gaps_only():
    bare = page(STORY)
    hints = Hints(title="Feed title", published_at="Sun, 10 Mar 2024 15:00:00 +0100", language="en", via="feed")
    article = extract_article(bare, "https://news.example.org/world/river-flood-warning", hints=hints)
    assert (article.published_at, article.published_from) == ("2024-03-10T15:00:00+01:00", "feed")
    assert article.title == "River flood forces evacuation of two villages"  # the page's own title wins

    dated = page(STORY, head='<meta property="article:published_time" content="2024-03-09T06:00:00+01:00">')
    article = extract_article(dated, URL, hints=hints)
    assert (article.published_at, article.published_from) == ("2024-03-09T06:00:00+01:00", "meta")


def test_several_authors_joined():
    ld = {"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ana Lopez"},
                                             {"@type": "Person", "name": "Tom Berg"}]}
    html = page(STORY, head=f'<script type="application/ld+json">{json.dumps(ld)}</script>',
                before="<p class='byline'>By Ana Lopez and Tom Berg</p>")
    article = extract_article(html, URL)
    assert article.author == "Ana Lopez; Tom Berg"
    assert article.text.splitlines() == STORY


def test_byline_from_meta_when_no_jsonld():
    html = page(STORY, head='<meta name="author" content="By Jane Doe">')
    assert extract_article(html, URL).author == "Jane Doe"


def test_person_in_a_byline_element_beats_the_publisher_as_author():
    ld = {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example News"}}
    head = (f'<script type="application/ld+json">{json.dumps(ld)}</script>'
            '<meta name="author" content="Example News">')
    byline = '<span class="article__author">Von Anna Müller</span>'
    html = page(STORY, head=head, before=byline)
    assert extract_article(html, URL).author == "Anna Müller"
    # Without a by-word the element may be an author box or a list of other stories' authors.
    html = page(STORY, head=head, before='<div class="author-box">Anna Müller writes about cities</div>')
    assert extract_article(html, URL).author == "Example News"


def test_trafilatura_fills_what_the_page_does_not_declare():
    """No date, author or site name declared: htmldate (the URL's day), trafilatura's byline
    search (an author element without a by-word) and the URL's host fill them."""
    html = page(STORY, before='<div class="author">Jane Doe</div>').replace(
        '<meta property="og:site_name" content="Example News">', "")
    article = extract_article(html, URL)
    assert (article.published_at, article.published_from) == ("2024-03-10", "htmldate")
    assert article.author == "Jane Doe"
    assert article.site_name == "news.example.org"


def test_trafilatura_metadata_is_read_only_for_missing_fields():
    ld = {"@type": "NewsArticle", "author": {"@type": "Person", "name": "Ana Lopez"},
          "datePublished": "2024-03-10T14:05:00+01:00", "articleSection": "World", "keywords": "floods",
          "description": "The river rose.", "image": "https://news.example.org/river.jpg"}
    tree = trafilatura.load_html(page(STORY, head=f'<script type="application/ld+json">{json.dumps(ld)}</script>',
                                      before='<div class="author">Jane Doe</div>'))
    doc = library_metadata(tree, URL, read_metadata(tree))
    assert (doc.title, doc.author, doc.sitename, doc.date, doc.categories, doc.tags) == (None, None, None, None, None, None)

    bare = trafilatura.load_html(page(STORY, before='<div class="author">Jane Doe</div>'))
    doc = library_metadata(bare, URL, read_metadata(bare))
    assert (doc.author, doc.date) == ("Jane Doe", "2024-03-10")


# ---------------------------------------------------------------- languages other than English

GERMAN = [
    "Der Stadtrat hat am Dienstagabend nach langer Debatte den Haushalt für das kommende Jahr beschlossen.",
    "Folgen hat das vor allem für die Vereine: Die Zuschüsse für Sportstätten sinken um zehn Prozent.",
    "„Wir mussten Prioritäten setzen“, sagte Bürgermeisterin Anna Schäfer nach der Sitzung.",
    "Die Opposition kritisierte, dass die Anzeige des Defizits erst kurz vor der Abstimmung vorgelegt worden sei.",
    "Veröffentlicht wurde der Entwurf bereits im Herbst; seitdem gingen mehr als 300 Stellungnahmen ein.",
]
FRENCH = [
    "Le conseil municipal a adopté mardi soir le budget de l'année prochaine après un long débat.",
    "Suivez le regard des habitants du quartier nord : c'est là que les travaux commenceront dès le printemps.",
    "« Nous avons dû faire des choix », a déclaré la maire, Anne Lefèvre, à l'issue de la séance.",
    "Publié en octobre, le projet avait suscité plus de 300 contributions de citoyens et d'associations.",
    "L'opposition dénonce une hausse des impôts locaux déguisée et promet un recours.",
]


@pytest.mark.parametrize("lang, paragraphs, title", [
    ("de", GERMAN, "Stadtrat beschließt Haushalt"),
    ("fr", FRENCH, "Le conseil municipal adopte le budget"),
])
def test_non_english_text_kept_intact(lang, paragraphs, title):
    article = extract_article(page(paragraphs, title=title, lang=lang), URL)
    assert article.text.splitlines() == paragraphs
    assert article.language == lang


def test_non_english_boilerplate_still_goes():
    junk = ["Anzeige", "Folgen Sie uns auf Facebook und Instagram", "Lesen Sie auch: Neue Radwege für die Innenstadt",
            "Aktualisiert: undefined"]
    mixed = [GERMAN[0], junk[0], GERMAN[1], junk[1], GERMAN[2], junk[2], GERMAN[3], junk[3], GERMAN[4]]
    assert clean_lines(mixed) == GERMAN


# ---------------------------------------------------------------- nothing to remove

PLAIN = [
    "The committee met three times in March.",
    "Results by district:",
    "- North: 54 percent",
    "- South: 47 percent",
    "\"No.\"",
    "The mayor was asked whether she would resign. Her answer was short.",
    "\"No.\"",
    "Share prices fell 3 percent after the announcement, the steepest drop since 2020.",
    "Follow-up talks are planned for April, when the committee meets again.",
    "Download speeds in rural areas remain far below the national average, the report found.",
    "Join the dots and a pattern emerges: every district that lost funding also lost a school.",
    "Related issues, such as bus routes, will be discussed separately.",
    "By the end of the year, the council hopes to publish a full audit.",
]


def test_page_without_boilerplate_loses_nothing():
    assert clean_lines(PLAIN) == PLAIN


def test_page_without_boilerplate_loses_nothing_end_to_end():
    paragraphs = [p for p in PLAIN if not p.startswith("- ")]
    assert lines_of(page(paragraphs)) == paragraphs


# ---------------------------------------------------------------- cleaning rules

@pytest.mark.parametrize("line", [
    "Published: undefined", "Updated: null", "Last Updated: NaN", "Posted on: --", "Date: N/A",
    "Updated:", "Published on", "Author: undefined", "undefined", "Veröffentlicht am: null",
    "Mis à jour le : --", "Updated: 05 Jan 2021, 9:42 AM IST", "Published 10.03.2024, 14:05 Uhr",
    "March 10, 2024 at 2:05 pm", "10/03/2024",
    "Follow us on: Facebook, Twitter, Google News, Instagram",
    "Join our official telegram channel (@examplenews) and stay updated with the latest headlines",
    "Subscribe to our newsletter", "Sign up for our daily newsletter", "Download the app",
    "Join our WhatsApp channel for breaking news", "Facebook Twitter WhatsApp Email",
    "Also read: Floods hit the north again", "Read more: Council budget explained", "Related:",
    "Advertisement", "ADVERTISEMENT", "Anzeige", "Story continues below advertisement",
    "By Jane Doe", "By Jane Doe and John Roe", "Von Anna Müller | dpa",
    "Veröffentlicht am 13. Mai 2026 um 15:44", "Lesedauer: 4 Minuten", "5 min read",
    "Advertisement 1Story continues below",
])
def test_boilerplate_line_is_removed(line):
    assert clean_lines([STORY[0], line, STORY[1]]) == STORY[:2], line


def test_repeated_template_label_removed_but_repeated_sentence_kept():
    lines = [STORY[0], "Photo gallery", STORY[1], "Photo gallery", STORY[2], "Photo gallery"]
    assert clean_lines(lines) == STORY[:3]
    quote = "\"We will rebuild.\""
    row = "| 2023 | 1,200 |"
    assert clean_lines([quote, STORY[0], quote, row, row]) == [quote, STORY[0], quote, row, row]
    notice = "To show this content, please allow the embed in your privacy settings."
    assert clean_lines([notice, STORY[0], notice, STORY[1], notice]) == STORY[:2]


@pytest.mark.parametrize("rows", [
    ["Arsenal 2 Chelsea 1", "Arsenal 0 Chelsea 0", "Arsenal 1 Chelsea 1"],  # results that differ in numbers
    ["Arsenal 1 Chelsea 1", "Arsenal 1 Chelsea 1"],  # the same result twice is data too
    ["│ Oslo │ rain │", "│ Bergen │ rain │", "│ Oslo │ rain │"],  # a table drawn with box characters
    ["total = total + price", "total = total + price"],  # code
    ["- Stir the sauce", "- Stir the sauce"],  # list items
    ["1. Add salt", "1. Add salt"],
])
def test_repeated_rows_code_and_items_are_content(rows):
    lines = [STORY[0], *rows, STORY[1]]
    assert clean_lines(lines) == lines


@pytest.mark.parametrize("line, notice", [
    ("© 2024 Example News", True),
    ("Copyright 2008 The Associated Press. All rights reserved. This material may not be published.", True),
    ("Alle Rechte vorbehalten.", True),
    ("The copyright lawsuit filed in 2019 by the band was dismissed on Monday, the court said.", False),
])
def test_copyright_notices_go_and_stories_about_copyright_stay(line, notice):
    assert clean_lines([STORY[0], line]) == ([STORY[0]] if notice else [STORY[0], line])


def test_a_whole_paragraph_printed_twice_is_kept_once():
    lead = " ".join(STORY[:3])  # a paragraph of 60 words
    assert len(lead.split()) >= 30
    assert clean_lines([lead, STORY[3], lead, STORY[4]]) == [lead, STORY[3], STORY[4]]
    # three times still leaves one: a story printed over and over is not a template line
    assert clean_lines([lead, lead, STORY[3], lead]) == [lead, STORY[3]]
    # a sentence that comes twice (a pull quote) stays twice
    assert clean_lines([STORY[2], STORY[0], STORY[2]]) == [STORY[2], STORY[0], STORY[2]]


def test_headline_and_author_lines_removed():
    lines = ["River flood forces evacuation", "Jane Doe", STORY[0]]
    assert clean_lines(lines, titles=["River flood forces evacuation"], authors=["Jane Doe"]) == [STORY[0]]


def test_normalize_line_ignores_case_punctuation_and_numbers():
    assert normalize_line("© 2024 Example News. All rights reserved.") == normalize_line("© 2025 EXAMPLE NEWS — all rights reserved")
    assert normalize_line("  Published:   undefined ") == "published undefined"
    assert normalize_line("Zürich") == "zürich"
    assert normalize_line("Flood warning") != normalize_line("Flood warnings")


def test_learned_boilerplate_removed():
    line = "Example News is funded by readers like you. Support independent journalism today."
    html = page(STORY + [line])
    assert line in lines_of(html)
    learned = frozenset({normalize_line(line)})
    assert lines_of(html, options=ExtractOptions(boilerplate=learned)) == STORY


# ---------------------------------------------------------------- per-site overrides

def with_block(block: str) -> str:
    """The story page with a block inside the article body, the paragraphs in div.story-text."""
    html = page(STORY).replace('<div class="article-body">', f'<div class="article-body">{block}<div class="story-text">')
    return html.replace("</div>\n\n</article>", "</div></div>\n\n</article>")


def test_remove_selectors_drop_elements_before_extraction():
    line = "Our reporters travelled to the flooded valley with support from the regional fund for journalism."
    html = with_block(f'<div class="story-note"><p>{line}</p></div>')
    assert line in lines_of(html)
    assert lines_of(html, options=ExtractOptions(remove_selectors=(".story-note", ".no-such-thing"))) == STORY


def test_body_selector_restricts_extraction():
    line = "Meanwhile in another region, a long-running dispute over water rights reached the high court this week."
    html = with_block(f'<div class="story-context"><p>{line}</p></div>')
    assert line in lines_of(html)
    assert lines_of(html, options=ExtractOptions(body_selector="div.story-text")) == STORY


def test_body_selector_matching_nothing_falls_back_to_the_page():
    assert lines_of(page(STORY), options=ExtractOptions(body_selector="#no-such-element")) == STORY


def test_bad_selector_is_a_config_error():
    with pytest.raises(ConfigError, match="selector"):
        extract_article(page(STORY), URL, options=ExtractOptions(remove_selectors=("div[[",)))


def test_favor_precision_drops_what_the_default_keeps():
    """A paragraph that is one long link (a "read the report" line) is kept by trafilatura's
    default and dropped in precision mode: the source option must reach trafilatura."""
    link = "The water authority published its full inspection report of the dam on Monday."
    html = page(STORY[:3] + ["@@"] + STORY[3:]).replace(
        "<p>@@</p>", f'<p><a href="/world/dam-report">{link}</a></p>')
    assert lines_of(html) == STORY[:3] + [link] + STORY[3:]
    assert lines_of(html, options=ExtractOptions(favor_precision=False)) == STORY[:3] + [link] + STORY[3:]
    assert lines_of(html, options=ExtractOptions(favor_precision=True)) == STORY


# ---------------------------------------------------------------- labels repeated inside one article

LABEL = "Watch: flood footage from the valley"
PULL_QUOTE = '"We have never seen the water rise this fast," she said.'
CONSENT = "Allow cookies to see this embed."


def test_repeated_label_lines_finds_short_labels_printed_more_than_once():
    lines = [LABEL, STORY[0], LABEL, STORY[1]]
    assert repeated_label_lines(lines) == {normalize_line(LABEL)}
    assert repeated_label_lines([LABEL, STORY[0], STORY[1]]) == set()  # once is content


def test_repeated_label_lines_spares_data_structure_and_pull_quotes():
    lines = ["Arsenal 2 Chelsea 1", "Arsenal 2 Chelsea 1",  # numbers: results, prices, dates
             "- Weather", "- Weather",                      # list items
             PULL_QUOTE, PULL_QUOTE,                        # a sentence may come twice
             STORY[0], STORY[0]]                            # a whole paragraph is kept once elsewhere
    assert repeated_label_lines(lines) == set()
    # a sentence three times is a template (an embed's notice rendered once per embed)
    assert repeated_label_lines([CONSENT, STORY[0], CONSENT, STORY[1], CONSENT]) == {normalize_line(CONSENT)}


def test_clean_lines_drops_every_copy_of_a_repeated_label():
    lines = [STORY[0], LABEL, STORY[1], PULL_QUOTE, STORY[2], "watch: Flood footage from the valley!", PULL_QUOTE]
    assert clean_lines(lines) == [STORY[0], STORY[1], PULL_QUOTE, STORY[2], PULL_QUOTE]


# ---------------------------------------------------------------- site pages (about, contact, og:type website)

ABOUT = ["Example News is an independent newsroom founded by a group of local reporters.",
         "Write to the desk with tips and corrections at any time of day."]


@pytest.mark.parametrize("path", ["/about/", "/about-us", "/contact.html", "/legal/privacy-policy", "/impressum"])
def test_a_site_page_without_a_date_is_not_an_article(path: str):
    with pytest.raises(NotAnArticle, match=r"site page"):
        extract_article(page(ABOUT, title="About us"), "https://news.example.org" + path)


def test_a_short_og_website_page_without_a_date_is_not_an_article():
    html = page(ABOUT + STORY[:2], title="Our newsroom", head='<meta property="og:type" content="website">')
    with pytest.raises(NotAnArticle, match=r"og:type website"):
        extract_article(html, "https://news.example.org/newsroom")


@pytest.mark.parametrize("head,hints", [
    ('<meta property="og:type" content="website"><meta property="article:published_time" '
     'content="2024-03-10T08:00:00+01:00">', None),  # a date on the page
    ('<meta property="og:type" content="website">', Hints(published_at="2024-03-10T08:00:00+01:00", via="feed")),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Flood"}</script>', None),
])
def test_a_story_that_says_so_is_kept_whatever_its_url_or_og_type(head: str, hints: Hints | None):
    article = extract_article(page(STORY, head=head), "https://news.example.org/about", hints=hints)
    assert article.text.splitlines() == STORY


def test_a_jsonld_headline_no_other_title_repeats_loses_to_the_h1():
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": "Read our live coverage of the weather"})
    html = page(STORY, head=f'<script type="application/ld+json">{ld}</script>').replace(
        '<meta property="og:site_name" content="Example News">', "")
    article = extract_article(html, URL)
    assert article.title == "River flood forces evacuation of two villages"


@pytest.mark.parametrize("declared, site, expected", [
    ("Trump steps in：東京新聞デジタル", "東京新聞", "Trump steps in"),
    ("Budget vote delayed｜日刊ゲンダイDIGITAL", "日刊ゲンダイ", "Budget vote delayed"),
    ("Shocking claim made today * The Gateway Pundit * by Paul Serran", "The Gateway Pundit", "Shocking claim made today"),
    ("Palestinians say appointment could ruin talks | CBC News", "CBC", "Palestinians say appointment could ruin talks"),
    ("민주당 도입 또다시 불발-정치ㅣ한국일보", "한국일보", "민주당 도입 또다시 불발"),
])
def test_titles_lose_the_site_name_in_any_script_or_separator(declared, site, expected):
    head = f'<meta property="og:title" content="{declared}"><meta property="article:section" content="정치">'
    html = page(STORY, title="Unrelated h1 words here", head=head).replace('content="Example News"', f'content="{site}"')
    assert extract_article(html, URL).title == expected


def test_authors_come_from_the_story_not_from_teasers_of_other_stories():
    teasers = "".join(f'<li><a href="/s/{i}">Other story {i}</a> <a rel="author" href="/a/{i}">Writer {i}</a></li>'
                      for i in range(3))
    byline = '<p class="byline">By <a rel="author" href="/a/jane">Jane Doe</a></p>'
    html = page(STORY, before=byline, after=f'<aside><ul class="related">{teasers}</ul></aside>')
    assert extract_article(html, URL).author == "Jane Doe"


def test_a_date_and_count_glued_to_a_byline_name_are_cut():
    head = '<meta name="author" content="Lucas Nolan22 Dec 2016651">'
    assert extract_article(page(STORY, head=head), URL).author == "Lucas Nolan"


def _author_of(head: str = "", before: str = "", after: str = "", paragraphs: list[str] = STORY) -> str | None:
    return extract_article(page(paragraphs, head=head, before=before, after=after), URL).author


def test_the_publisher_with_its_address_is_no_author_and_a_byline_in_the_markup_is():
    head = '<meta name="author" content="example.org, Frankfurt, Germany">'
    byline = '<p class="author">von <a href="mailto:d@example.org">David Straub, Example News</a></p>'
    assert _author_of(head=head, before=byline) == "David Straub"


def test_a_domain_is_never_an_author_beside_a_person():
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "x",
                     "author": [{"@type": "Person", "name": "Povilas Aleksandravičius"}, {"@type": "Person", "name": "Lrt.lt"}]})
    assert _author_of(head=f'<script type="application/ld+json">{ld}</script>') == "Povilas Aleksandravičius"


def test_a_by_line_linking_to_author_pages():
    byline = '<p class="meta-info">von <a href="/autoren/name/max-kolter">Dr. Max Kolter</a></p>'
    assert _author_of(before=byline) == "Dr. Max Kolter"


def test_a_story_signed_in_bold_names_its_author_when_it_declares_itself_an_article():
    head = '<meta property="og:type" content="article">'
    signed = '<p><strong>Mohloai Mpesi</strong></p>'
    html = page(STORY, head=head).replace('<div class="article-body">', f'<div class="article-body">{signed}')
    article = extract_article(html, URL)
    assert article.author == "Mohloai Mpesi"
    assert "Mohloai Mpesi" not in article.text
    # "Read more" in bold closing a story is no signature
    html = page(STORY, head=head).replace('</div>\n\n</article>', '<p><strong>Read More</strong></p></div>\n\n</article>')
    assert "<strong>Read More</strong>" in html
    assert extract_article(html, URL).author is None
