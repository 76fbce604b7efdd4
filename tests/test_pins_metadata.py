"""ingest.metadata's normalizers, value by value: the dates and languages stored for every
article (`make mutation` measures ingest.metadata against these and the extraction tests)."""
from __future__ import annotations

import pytest

from ingest.metadata import normalize_date, normalize_language


@pytest.mark.parametrize("value, expected", [
    ("2024-05-01", "2024-05-01"),  # a bare day stays a day
    ("2024-05-01 10:00:00", "2024-05-01T10:00:00"),
    ("2024-05-01T10:00:00.123+0530", "2024-05-01T10:00:00+05:30"),  # fractions dropped, offset kept
    ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00"),
    ("Wed, 01 May 2024 10:00:00 GMT", "2024-05-01T10:00:00+00:00"),  # RFC 2822, as in feeds
    ("  2024-05-01T10:00:00+02:00 ", "2024-05-01T10:00:00+02:00"),
    ("1989-12-31", None),  # before 1990: a placeholder, not a publication date
    ("1990-01-01", "1990-01-01"),
    ("2024-13-01", None),
    ("garbage", None),
    ("", None),
    (None, None),
])
def test_normalize_date(value, expected):
    assert normalize_date(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("de-DE", "de"), ("en_US", "en"), ("FR", "fr"), (" pt-BR ", "pt"), ("haw", "haw"),
    ("x", None), ("deutsch", None), ("", None), (None, None),
])
def test_normalize_language(value, expected):
    assert normalize_language(value) == expected


# -- JSON-LD as pages write it -----------------------------------------------------

def _tree(html: str):
    import trafilatura
    return trafilatura.load_html(html)


def test_jsonld_nodes_flattened_from_graphs_lists_cdata_and_sloppy_json():
    from ingest.metadata import jsonld_nodes
    html = """<html><head>
    <script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "Herald"},
        {"@type": "NewsArticle", "headline": "Budget passed"}]}</script>
    <script type="application/ld+json">[{"@type": "Person", "name": "Jane Doe"}, [{"@type": "Thing"}]]</script>
    <script type="application/json+ld">//<![CDATA[
      {"@type": "Organization", "name": "Herald Media"}
    //]]></script>
    <script type="application/ld+json"><!-- {"@type": "ImageObject", "url": "a.jpg",} --></script>
    <script type="application/ld+json">   </script>
    <script type="application/ld+json">{not json at all</script>
    <script type="text/javascript">{"@type": "Ignored"}</script>
    </head><body><p>x</p></body></html>"""
    assert jsonld_nodes(_tree(html)) == [
        {"@graph": [{"@type": "WebSite", "name": "Herald"}, {"@type": "NewsArticle", "headline": "Budget passed"}]},
        {"@type": "WebSite", "name": "Herald"},
        {"@type": "NewsArticle", "headline": "Budget passed"},
        {"@type": "Person", "name": "Jane Doe"},
        {"@type": "Thing"},
        {"@type": "Organization", "name": "Herald Media"},
        {"@type": "ImageObject", "url": "a.jpg"},
    ]


def test_meta_values_by_lowercased_key_in_page_order():
    from ingest.metadata import meta_values
    html = """<html><head><meta property="OG:Title " content=" Budget   passed ">
    <meta name="author" content="Jane Doe"><meta itemprop="author" content="John Roe">
    <meta name="description" content="   "></head><body></body></html>"""
    assert meta_values(_tree(html)) == {"og:title": ["Budget passed"], "author": ["Jane Doe", "John Roe"]}


# -- authors, from every place a page names them -------------------------------------

def _authors(head: str = "", body: str = "") -> list[str]:
    from ingest.metadata import read_metadata
    html = f"<html><head><meta property='og:site_name' content='Herald'>{head}</head><body>{body}</body></html>"
    return read_metadata(_tree(html)).authors


def _ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


def test_jsonld_person_author():
    assert _authors(_ld('{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane Doe"}}')) == ["Jane Doe"]
    assert _authors(_ld('{"@type": "NewsArticle", "author": [{"givenName": "Jane", "familyName": "Doe"}, '
                        '"John Roe"]}')) == ["Jane Doe", "John Roe"]


def test_an_organization_author_gives_way_to_a_person_named_in_meta():
    head = (_ld('{"@type": "NewsArticle", "author": {"@type": "NewsMediaOrganization", "name": "Herald Media"}}')
            + '<meta name="author" content="Jane Doe">')
    assert _authors(head) == ["Jane Doe"]
    # the site's own name as author is no person either
    head = _ld('{"@type": "NewsArticle", "author": "Herald"}') + '<meta name="author" content="Jane Doe">'
    assert _authors(head) == ["Jane Doe"]
    # and with no person anywhere, the organization stands
    assert _authors(_ld('{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Herald Media"}}')) \
        == ["Herald Media"]


def test_meta_authors_skip_urls_and_turn_family_first_names_around():
    assert _authors('<meta property="article:author" content="https://facebook.com/herald">'
                    '<meta name="parsely-author" content="Jane Doe">') == ["Jane Doe"]
    assert _authors('<meta name="dc.creator" content="Doe, Jane">') == ["Jane Doe"]
    assert _authors('<meta name="citation_author" content="Doe, Jane, Roe">') == ["Doe", "Jane", "Roe"]


def test_rel_author_links_outside_teasers():
    body = ('<article><p>By <a rel="author" href="/p/jane">Jane Doe</a></p><p>Text.</p>'
            '<ul><li><a rel="author" href="/p/john">John Roe</a></li></ul></article>')
    assert _authors(body=body) == ["Jane Doe"]
    body = '<div itemprop="author"><span>Staff</span><span itemprop="name">Jane Doe</span></div>'
    assert _authors(body=body) == ["Jane Doe"]


def test_many_rel_author_names_mean_a_list_of_stories_and_only_the_first_counts():
    names = ["Ann Poe", "Ben Roe", "Cat Moe", "Dan Lee", "Eve Fox"]
    body = "".join(f'<div><a rel="author" href="/p/{n}">{n}</a></div>' for n in names)
    assert _authors(body=body) == ["Ann Poe"]
    assert _authors(body="".join(f'<div><a rel="author" href="/p/{n}">{n}</a></div>' for n in names[:4])) == names[:4]


def test_byline_class_with_a_by_word():
    assert _authors(body='<div class="article__author">Von Anna Müller</div>') == ["Anna Müller"]
    assert _authors(body='<div class="authors-box">Anna Müller writes about courts.</div>') == []
    assert _authors(body='<div class="byline">By ' + "Jane Doe " * 12 + "</div>") == []


def test_linked_byline_names_every_author_link():
    body = ('<article><p>von <a href="/autoren/max-kolter">Dr. Max Kolter</a> und '
            '<a href="/autoren/anna-berg">Anna Berg</a></p><p>Text of the story.</p></article>')
    assert _authors(body=body) == ["Dr. Max Kolter", "Anna Berg"]
    teaser = ('<article><aside><p>von <a href="/autoren/max-kolter">Max Kolter</a></p></aside>'
              '<p>Text of the story.</p></article>')
    assert _authors(body=teaser) == []


def test_a_story_signed_in_bold_in_an_article():
    paragraphs = "<p>First paragraph of the story.</p><p>Second one.</p><p>Third one.</p>"
    body = f"<div>{paragraphs}<p><strong>Mohloai Mpesi</strong></p></div>"
    head = '<meta property="og:type" content="article">'
    assert _authors(head, body) == ["Mohloai Mpesi"]
    assert _authors(head, f"<div>{paragraphs}<p><strong>Jane Doe and John Roe</strong></p></div>") == \
        ["Jane Doe", "John Roe"]
    assert _authors("", body) == []  # not declared an article: a bold line may be anything
    assert _authors(head, f"<div>{paragraphs}<p><strong>Read more</strong></p></div>") == []


# -- the published date from markup ----------------------------------------------------

def test_published_date_from_markup_when_nothing_else_says():
    from ingest.metadata import read_metadata
    for body in ('<span itemprop="datePublished" content="2024-05-01T10:00:00+02:00">1 May</span>',
                 '<time pubdate datetime="2024-05-01T10:00:00+02:00">1 May</time>',
                 '<time class="entry-published" datetime="2024-05-01T10:00:00+02:00">1 May</time>'):
        meta = read_metadata(_tree(f"<html><body><p>x</p>{body}</body></html>"))
        assert (meta.published_at, meta.published_from) == ("2024-05-01T10:00:00+02:00", "markup")


def test_dates_up_to_next_year_are_plausible():
    from datetime import datetime
    year = datetime.now().year
    assert normalize_date(f"{year + 1}-01-01") == f"{year + 1}-01-01"
    assert normalize_date(f"{year + 2}-01-01") is None
    assert normalize_date(f"{year + 2}-01-01T10:00:00+00:00") is None


# -- the whole set, from one page ----------------------------------------------------

def _read(head: str = "", body: str = "<p>x</p>", lang: str = ""):
    from ingest.metadata import read_metadata
    return read_metadata(_tree(f"<html{lang}><head>{head}</head><body>{body}</body></html>"))


def test_a_news_article_page_read_field_by_field():
    head = ("<title>Council passes the budget | Herald</title>"
            '<meta property="og:type" content="Article">'
            '<meta name="news_keywords" content="budget, council">'
            '<meta property="article:modified_time" content="2024-05-02T09:00:00+02:00">'
            + _ld('{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council passes the budget",'
                  ' "datePublished": "2024-05-01T10:00:00+02:00", "inLanguage": "de-DE",'
                  ' "description": "The vote was close.", "articleSection": ["Politik", "Stadt"],'
                  ' "keywords": ["Budget", "Haushalt"], "image": [{"url": ""}, {"contentUrl": "https://h.example/a.jpg"}],'
                  ' "publisher": {"@type": "Organization", "name": "Herald Media"},'
                  ' "articleBody": "First &amp; foremost.<br>Second <b>line.</b></p><p>Third."}'))
    meta = _read(head, "<h1>Council passes the budget</h1><p>x</p>", lang=' lang="en"')
    assert meta.title == "Council passes the budget"
    assert meta.og_type == "article" and meta.ld_types == {"newsarticle"} and meta.says_article
    assert (meta.published_at, meta.published_from) == ("2024-05-01T10:00:00+02:00", "jsonld")
    assert meta.modified_at == "2024-05-02T09:00:00+02:00"
    assert meta.site_name == "Herald Media"  # no og:site_name: the publisher's
    assert meta.description == "The vote was close."
    assert meta.image == "https://h.example/a.jpg"
    assert meta.tags == ["Budget", "Haushalt", "council"]  # "budget" again, in other case, is dropped
    assert meta.categories == ["Politik", "Stadt"]
    assert meta.language == "de"
    assert meta.article_body == "First & foremost.\nSecond line.\nThird."


def test_keywords_as_one_string_and_sections_as_named_things():
    head = _ld('{"@type": "Article", "keywords": "budget, council , ", '
               '"articleSection": {"name": "Politik"}, "image": {"url": "https://h.example/b.jpg"}}')
    meta = _read(head)
    assert meta.tags == ["budget", "council"]
    assert meta.categories == ["Politik"]
    assert meta.image == "https://h.example/b.jpg"
    assert _read(_ld('{"@type": "Article", "articleSection": {"url": "https://h.example/politik"}}')).categories \
        == ["https://h.example/politik"]
    assert _read(_ld('{"@type": "Article", "image": "https://h.example/c.jpg"}')).image == "https://h.example/c.jpg"


def test_language_from_the_page_then_its_meta():
    assert _read(lang=' lang="fr-FR"').language == "fr"
    assert _read('<meta property="og:locale" content="es_ES">').language == "es"
    assert _read(_ld('{"@type": "Article", "inLanguage": {"name": "German"}}'), lang=' lang="de"').language == "de"


def test_published_date_from_meta_and_modified_apart():
    meta = _read('<meta property="article:published_time" content="2024-05-01T10:00:00Z">'
                 '<meta name="last-modified" content="2024-05-03">')
    assert (meta.published_at, meta.published_from, meta.modified_at) == \
        ("2024-05-01T10:00:00+00:00", "meta", "2024-05-03")
    # a JSON-LD date that is no date leaves the meta one to stand
    meta = _read(_ld('{"@type": "Article", "datePublished": "soon", "dateCreated": "x"}')
                 + '<meta name="pubdate" content="2024-05-01">')
    assert (meta.published_at, meta.published_from) == ("2024-05-01", "meta")
    # a WebPage with a date is read like an article
    meta = _read(_ld('{"@type": "WebPage", "datePublished": "2024-05-01", "author": "Jane Doe"}'))
    assert (meta.published_at, meta.authors) == ("2024-05-01", ["Jane Doe"])


def test_title_loses_the_site_name_at_either_end():
    site = '<meta property="og:site_name" content="Herald">'
    assert _read(site + '<meta property="og:title" content="Herald - Council passes the budget">').title == \
        "Council passes the budget"
    assert _read('<meta property="og:title" content="Herald - Council passes the budget">').title == \
        "Herald - Council passes the budget"  # no site name known: nothing to strip
    assert _read('<meta property="og:title" content="Council passes the budget | herald.example">').title == \
        "Council passes the budget"
    assert _read("<title>Council passes the budget</title>").title == "Council passes the budget"
    assert _read(body="<h1>Council passes the budget</h1>").title == "Council passes the budget"


def test_clean_authors():
    from ingest.metadata import clean_authors
    assert clean_authors([
        "By Jane Doe", "(Image: Getty Images)", "https://x.example/jane", "jane@herald.example",
        "Jane Doe and John Roe", "Ann Poe; Bo Lee | Cy Fox", "Lucas Nolan22 Dec 2016651", "BR24 Redaktion",
        "JANE DOE", "Max Roe (Reuters)", "Autor: Max Muster", "A" * 61, "123", "www.herald.example",
        "Von: Eva Berg.", " - Kim Wu -",
    ]) == ["Jane Doe", "John Roe", "Ann Poe", "Bo Lee", "Cy Fox", "Lucas Nolan", "BR24 Redaktion", "Max Roe",
           "Max Muster", "Eva Berg", "Kim Wu"]


@pytest.mark.parametrize("wrapper", [
    "<ul><li>{}</li></ul>", "<aside>{}</aside>", "<nav>{}</nav>", "<footer>{}</footer>",
    '<div class="related-stories"><div>{}</div></div>', '<article><div class="teaser">{}</div></article>',
])
def test_author_links_in_other_stories_teasers_are_not_the_authors(wrapper):
    link = '<a rel="author" href="/p/john">John Roe</a>'
    assert _authors(body="<article><p>Text of the story.</p></article>" + wrapper.format(link)) == []


def test_an_author_link_in_the_article_inside_a_teaser_box_counts():
    body = '<div class="teaser-wrap"><article><p><a rel="author" href="/p/jane">Jane Doe</a></p></article></div>'
    assert _authors(body=body) == ["Jane Doe"]


# -- titles --------------------------------------------------------------------------

@pytest.mark.parametrize("title, sites, sections, expected", [
    ("Council passes the budget | Herald", ["Herald"], [], "Council passes the budget"),
    ("Herald | Council passes the budget", ["Herald"], [], "Council passes the budget"),
    ("Herald | Council passes the budget | herald.example", ["Herald"], [], "Council passes the budget"),
    ("Council passes the budget - CBC News", ["CBC"], [], "Council passes the budget"),  # the name and a word
    ("Council passes the budget - CBC News Network", ["CBC"], [], "Council passes the budget - CBC News Network"),
    ("Council passes the budget | Herald Supplements", ["Herald"], [], "Council passes the budget"),  # 12 more
    ("Council passes the budget | Herald Neighborhood", ["Herald"], [],  # 13 more characters: not the site
     "Council passes the budget | Herald Neighborhood"),
    ("Council passes the budget | VnExpress", ["vnexpress.net"], [], "Council passes the budget"),  # a word less
    ("Council passes the budget | Bild", ["Bild Zeitung"], [], "Council passes the budget"),
    ("Council passes the budget | Zeit", ["Die Zeit"], [], "Council passes the budget"),
    ("Council passes the budget | Die", ["Die Zeit"], [], "Council passes the budget | Die"),  # under 4 letters
    ("Council passes the budget - Politik | Herald", ["Herald"], ["Politik"], "Council passes the budget"),
    ("Abcdefghijk - Politik | Herald", ["Herald"], ["Politik"], "Abcdefghijk"),
    ("Abcdefghij - Politik | Herald", ["Herald"], ["Politik"], "Abcdefghij - Politik"),  # too short to lose it
    ("Council passes the budget | Politik | Herald", ["Herald"], ["Politik"], "Council passes the budget"),
    ("Council passes the budget: Politik | Herald", ["Herald"], ["Politik"], "Council passes the budget"),
])
def test_the_site_and_a_glued_section_leave_the_title(title, sites, sections, expected):
    from ingest.metadata import choose_title
    assert choose_title([], [title], sites, sections) == expected


def test_which_title_wins():
    from ingest.metadata import choose_title
    # the <h1> where the declared title is it plus a suffix not recognized as the site's
    assert choose_title(["Headline"], ["Headline | DW | 28.04.2023"], ["Herald"]) == "Headline"
    assert choose_title(["Other", "Headline"], ["Headline | DW | 28.04.2023"], ["Herald"]) == \
        "Headline | DW | 28.04.2023"  # only the first <h1> counts
    # a kicker that another declared title leaves out too
    assert choose_title(["Council passes the budget"],
                        ["Politics | Council passes the budget", "Council passes the budget"], []) == \
        "Council passes the budget"
    assert choose_title(["Council passes the budget"], ["Politics | Council passes the budget"], []) == \
        "Politics | Council passes the budget"
    assert choose_title(["Council passes the budget"],
                        ["Politics | Council passes the budget", "Something else"], []) == \
        "Politics | Council passes the budget"
    assert choose_title(["Budget"], ["Council passes the budget"], []) == "Council passes the budget"
    # no declared title: the first <h1>
    assert choose_title(["First", "Second"], [], []) == "First"
    assert choose_title(["!!!", "Second"], [], []) == "Second"
    assert choose_title([], [], []) is None
