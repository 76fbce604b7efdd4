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


# -- which source wins, field by field ------------------------------------------------

@pytest.mark.parametrize("key", [
    "article:published_time", "og:article:published_time", "datePublished", "publishdate", "publish-date",
    "pubdate", "date", "DC.date.issued", "dcterms.issued", "DC.date", "dcterms.created", "parsely-pub-date",
    "sailthru.date", "article.published", "published_time", "cxenseparse:recs:publishtime",
])
def test_every_meta_name_that_means_published(key):
    meta = _read(f'<meta name="{key}" content="2024-05-01T10:00:00+02:00">')
    assert (meta.published_at, meta.published_from, meta.modified_at) == ("2024-05-01T10:00:00+02:00", "meta", None)


def test_published_date_sources_in_order_of_trust():
    # JSON-LD's dateCreated where it has no datePublished
    meta = _read(_ld('{"@type": "NewsArticle", "dateCreated": "2024-05-01"}'))
    assert (meta.published_at, meta.published_from) == ("2024-05-01", "jsonld")
    # the article node's date, not the WebSite's listed before it; @type may be a list
    meta = _read(_ld('[{"@type": "WebSite", "name": "Herald"}, '
                     '{"@type": ["NewsArticle", "Article"], "datePublished": "2024-05-01"}]'))
    assert (meta.published_at, meta.published_from, meta.ld_types) == \
        ("2024-05-01", "jsonld", {"website", "newsarticle", "article"})
    # an image's date is no article's date: the meta one stands
    meta = _read(_ld('{"@type": "ImageObject", "datePublished": "2020-01-01", "author": "Ann Poe"}')
                 + '<meta property="article:published_time" content="2024-05-01">')
    assert (meta.published_at, meta.published_from, meta.authors) == ("2024-05-01", "meta", [])
    # a meta name earlier in the list wins over a later one
    meta = _read('<meta name="date" content="2024-04-30"><meta property="article:published_time" content="2024-05-01">')
    assert meta.published_at == "2024-05-01"


@pytest.mark.parametrize("head", [
    _ld('{"@type": "NewsArticle", "dateModified": "2024-05-02"}'),
    '<meta property="article:modified_time" content="2024-05-02">',
    '<meta property="og:updated_time" content="2024-05-02">',
    '<meta itemprop="dateModified" content="2024-05-02">',
    '<meta name="last-modified" content="2024-05-02">',
    '<meta name="dcterms.modified" content="2024-05-02">',
])
def test_every_source_of_the_modified_date_and_it_is_never_the_published_one(head):
    meta = _read(head)
    assert (meta.modified_at, meta.published_at) == ("2024-05-02", None)


@pytest.mark.parametrize("key", ["og:description", "description", "twitter:description"])
def test_every_meta_name_for_the_description(key):
    assert _read(f'<meta name="{key}" content="The vote was close.">').description == "The vote was close."


def test_description_og_first_then_description_then_twitter_then_jsonld():
    ld = _ld('{"@type": "NewsArticle", "description": "From JSON-LD."}')
    og, plain, tw = ('<meta property="og:description" content="From og.">',
                     '<meta name="description" content="From description.">',
                     '<meta name="twitter:description" content="From twitter.">')
    assert _read(ld + tw + plain + og).description == "From og."
    assert _read(ld + tw + plain).description == "From description."
    assert _read(ld + tw).description == "From twitter."
    assert _read(ld).description == "From JSON-LD."


@pytest.mark.parametrize("key", ["og:image", "og:image:url", "twitter:image"])
def test_every_meta_name_for_the_image(key):
    assert _read(f'<meta property="{key}" content="https://h.example/a.jpg">').image == "https://h.example/a.jpg"


def test_image_meta_before_jsonld_and_none_when_jsonld_has_no_url():
    ld = _ld('{"@type": "NewsArticle", "image": "https://h.example/ld.jpg"}')
    assert _read(ld + '<meta name="twitter:image" content="https://h.example/tw.jpg">'
                 '<meta property="og:image" content="https://h.example/og.jpg">').image == "https://h.example/og.jpg"
    assert _read(_ld('{"@type": "NewsArticle", "image": [{"url": ""}, ""]}')).image is None


def test_tags_from_article_tag_and_keywords_meta():
    assert _read('<meta property="article:tag" content="Budget"><meta property="article:tag" content="Council">'
                 ).tags == ["Budget", "Council"]
    assert _read('<meta name="keywords" content="budget, New York">').tags == ["budget", "New York"]
    # news_keywords, when there, replaces keywords
    assert _read('<meta name="keywords" content="a, b"><meta name="news_keywords" content="New York, council">'
                 ).tags == ["New York", "council"]


@pytest.mark.parametrize("head, lang, expected", [
    ("", ' xml:lang="de"', "de"),
    ('<meta name="content-language" content="de-DE">', "", "de"),
    ('<meta name="DC.language" content="de">', "", "de"),
    ('<meta name="language" content="de">', "", "de"),
    ('<meta property="og:locale" content="fr_FR"><meta name="language" content="de">', "", "fr"),
    ('<meta name="language" content="German">', "", None),
    (_ld('{"@type": "NewsArticle", "inLanguage": "it-IT"}'), ' lang="de"', "it"),
])
def test_language_sources(head, lang, expected):
    assert _read(head, lang=lang).language == expected


@pytest.mark.parametrize("head, expected", [
    ('<meta name="application-name" content="Herald">', "Herald"),
    ('<meta property="al:android:app_name" content="Herald">', "Herald"),
    (_ld('{"@type": "WebSite", "name": "Herald Online"}'), "Herald Online"),
    (_ld('{"@type": "NewsArticle", "publisher": {"name": "Herald Media"}}')
     + _ld('{"@type": "WebSite", "name": "Herald Online"}'), "Herald Media"),
    ("", None),
])
def test_site_name_sources(head, expected):
    assert _read(head).site_name == expected


def test_the_publishers_and_websites_names_leave_the_title_too():
    site = '<meta property="og:site_name" content="Herald">'
    publisher = _ld('{"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Herald Media Group"}}')
    assert _read(site + publisher + '<meta property="og:title" content="Council passes the budget | Herald Media Group">'
                 ).title == "Council passes the budget"
    website = _ld('{"@type": "WebSite", "name": "Herald Online Edition"}')
    assert _read(site + website + '<meta property="og:title" content="Council passes the budget | Herald Online Edition">'
                 ).title == "Council passes the budget"


def test_og_type_is_none_when_the_page_has_none():
    meta = _read()
    assert (meta.og_type, meta.says_article) == (None, False)


@pytest.mark.parametrize("key", ["twitter:title", "title", "DC.title", "parsely-title", "sailthru.title"])
def test_every_meta_name_for_the_title(key):
    assert _read(f'<meta name="{key}" content="Council passes the budget">').title == "Council passes the budget"


def test_title_from_the_jsonld_headline_alone_and_entities_decoded():
    assert _read(_ld('{"@type": "NewsArticle", "headline": "Council passes the budget"}')).title == \
        "Council passes the budget"
    # an entity the CMS escaped twice
    assert _read('<meta property="og:title" content="R&amp;uuml;ckbau der Br&amp;uuml;cke">').title == \
        "Rückbau der Brücke"


def test_a_jsonld_headline_that_the_h1_repeats_beats_the_title_tag():
    site = '<meta property="og:site_name" content="Herald">'
    ld = _ld('{"@type": "NewsArticle", "headline": "Council passes the budget | Herald"}')
    meta = _read(site + ld + "<title>Budget vote | Herald</title>", "<h1>Council passes the budget</h1><p>x</p>")
    assert meta.title == "Council passes the budget"
    # repeated only by a second <h1>: the headline goes last, behind the <title>
    meta = _read(site + ld + "<title>Budget vote | Herald</title>",
                 "<h1>Live updates</h1><h1>Council passes the budget</h1><p>x</p>")
    assert meta.title == "Budget vote"


def test_only_the_first_three_h1s_are_read():
    assert _read(body="<h1>***</h1><h1>***</h1><h1>***</h1><h1>Council passes the budget</h1>").title is None
    assert _read(body="<h1>***</h1><h1>***</h1><h1>Council passes the budget</h1>").title == \
        "Council passes the budget"


# -- JSON-LD authors against meta authors ------------------------------------------------

@pytest.mark.parametrize("author", [
    '{"@type": "Person", "name": "Jane Doe"}', '"Jane Doe"', '[{"@type": "Person", "name": "Jane Doe"}]',
    '{"name": "Jane Doe"}',
])
def test_a_person_in_jsonld_beats_the_meta_author(author):
    head = _ld(f'{{"@type": "NewsArticle", "author": {author}}}') + '<meta name="author" content="John Roe">'
    assert _authors(head) == ["Jane Doe"]


def test_organizations_in_jsonld_give_way_to_the_meta_author_unless_a_person_is_among_them():
    meta_author = '<meta name="author" content="John Roe">'
    org = '{"@type": "Organization", "name": "Herald Media"}'
    assert _authors(_ld(f'{{"@type": "NewsArticle", "author": {org}}}') + meta_author) == ["John Roe"]
    assert _authors(_ld(f'{{"@type": "NewsArticle", "author": [{org}]}}') + meta_author) == ["John Roe"]
    assert _authors(_ld(f'{{"@type": "NewsArticle", "author": [{org}, {{"@type": "Person", "name": "Jane Doe"}}]}}')
                    + meta_author) == ["Herald Media", "Jane Doe"]


def test_meta_authors_that_are_links_give_way_to_the_next_meta_name():
    assert _authors('<meta name="author" content="http://facebook.com/herald">'
                    '<meta name="parsely-author" content="Jane Doe">') == ["Jane Doe"]


def test_jsonld_creator_when_no_author():
    assert _authors(_ld('{"@type": "NewsArticle", "creator": "Jane Doe"}')) == ["Jane Doe"]


@pytest.mark.parametrize("author, expected", [
    ('{"@type": "Person", "name": ["Jane Doe", "John Roe"]}', ["Jane Doe", "John Roe"]),
    ('{"@type": "Person", "name": "Jane Doe", "givenName": "Janet", "familyName": "Doe"}', ["Jane Doe"]),
    ('{"@type": "Person", "givenName": "Cher"}', ["Cher"]),
    ('{"@type": "Person", "familyName": "Doe"}', []),
    ('{"@type": "Person", "name": ""}', []),
])
def test_names_out_of_a_jsonld_person(author, expected):
    assert _authors(_ld(f'{{"@type": "NewsArticle", "author": {author}}}')) == expected


# -- authors from the markup -----------------------------------------------------------

def test_rel_author_after_a_teaser_one_and_empty_or_long_ones():
    body = ('<aside><a rel="author" href="/p/john">John Roe</a></aside>'
            '<article><p><a rel="author" href="/p/jane">Jane Doe</a></p></article>')
    assert _authors(body=body) == ["Jane Doe"]
    assert _authors(body='<span itemprop="author"></span><p>Text.</p>') == []
    seventy_nine = "Jane Doe, John Roe, Ann Poe, Bo Lee, Cy Fox, Li Ray, Ed Kim, Flo Wu, Gus Dayton"
    assert len(seventy_nine) == 79
    assert _authors(body=f'<p><a rel="author" href="/p/x">{seventy_nine}</a></p>') == \
        ["Jane Doe", "John Roe", "Ann Poe", "Bo Lee", "Cy Fox", "Li Ray", "Ed Kim", "Flo Wu", "Gus Dayton"]
    eighty = seventy_nine + "s"
    assert _authors(body=f'<p><a rel="author" href="/p/x">{eighty}</a></p>') == []


def test_an_author_link_in_main_counts_whatever_the_layout_around_it():
    body = '<div class="layout-with-sidebar"><main><p>By <a rel="author" href="/p/jane">Jane Doe</a></p></main></div>'
    assert _authors(body=body) == ["Jane Doe"]
    html = ('<html class="js has-sidebar"><head></head><body><p>By <a rel="author" href="/p/jane">Jane Doe</a></p>'
            "</body></html>")
    from ingest.metadata import read_metadata
    assert read_metadata(_tree(html)).authors == ["Jane Doe"]


def test_byline_class_skips_templates_and_author_boxes():
    template = '<script type="text/template" class="byline-template">By {{ author }}</script>'
    assert _authors(body=template + '<div class="byline">By Jane Doe</div>') == ["Jane Doe"]
    assert _authors(body='<div class="authorbox">By day a lawyer, by night a novelist.</div>') == []
    eighty = "By Jane Doe, John Roe, Ann Poe, Bo Lee, Cy Fox, Li Ray, Ed Kim, Flo Wu, Gus Daye"
    assert len(eighty) == 80
    assert _authors(body=f'<div class="byline">{eighty}</div>') == \
        ["Jane Doe", "John Roe", "Ann Poe", "Bo Lee", "Cy Fox", "Li Ray", "Ed Kim", "Flo Wu", "Gus Daye"]
    assert _authors(body=f'<div class="byline">{eighty}s</div>') == []


def test_linked_byline_needs_a_by_word_and_a_short_line():
    link = '<a href="/autoren/max-kolter">Max Kolter</a>'
    assert _authors(body=f"<article><p>Read the column of {link} every week.</p><p>Text.</p></article>") == []
    line = (f'von {link} und <a href="/autoren/anna-berg">Anna Berg</a>, mit Material der Agenturen dpa, AFP und '
            "Reuters, zuletzt aktualisiert am Dienstag um 9 Uhr")
    assert _authors(body=f"<article><p>{line}</p><p>Text.</p></article>") == ["Max Kolter", "Anna Berg"]
    longer = line.replace("um 9 Uhr", "um 10 Uhr")  # 121 characters: a paragraph, not a byline
    assert _authors(body=f"<article><p>{longer}</p><p>Text.</p></article>") == []


def test_bold_signature_only_first_or_last_and_only_a_bold_name():
    head = '<meta property="og:type" content="article">'
    story = ("<p>First paragraph of the story.</p><p><strong>Key Findings</strong></p><p>Third one.</p>"
             "<p><strong>What Comes Next</strong></p><p>Last paragraph.</p>")
    assert _authors(head, f"<div>{story}</div>") == []  # crossheads in the middle
    paragraphs = "<p>First paragraph of the story.</p><p>Second one.</p><p>Third one.</p>"
    for last, expected in [
        ("<p><b>Jane Doe</b></p>", ["Jane Doe"]),
        ("<p><strong>Jane Doe</strong>, Associated Press</p>", []),  # more than the bold
        ("<p><em>Jane Doe</em></p>", []),
        ("<p><strong>Photos by staff</strong></p>", []),  # not a name
    ]:
        assert _authors(head, f"<div>{paragraphs}{last}</div>") == expected, last


# -- author lists as pages write them ---------------------------------------------------

def test_clean_authors_credits_urls_prefixes_and_lengths():
    from ingest.metadata import clean_authors
    assert clean_authors(["  (Image: Getty Images) AP"]) == []  # a credit, whatever follows it
    assert clean_authors(["https://x.example/profile?id=1&lang=en"]) == []
    assert clean_authors(["Jane Doe, https://x.example/jane, John Roe"]) == ["Jane Doe", "John Roe"]
    assert clean_authors(["Reuters"]) == ["Reuters"]
    assert clean_authors(["Von Anna Berg und von Max Roe"]) == ["Anna Berg", "Max Roe"]
    assert clean_authors(["Xavier Roe"]) == ["Xavier Roe"]
    sixty = "Anna-Katharina Mueller-Luedenscheidt von Hohenzollern-Sigmar"
    assert len(sixty) == 60
    assert clean_authors([sixty]) == [sixty]
    assert clean_authors(["Jane Doe, 123, John Roe"]) == ["Jane Doe", "John Roe"]


# -- JSON-LD and meta as pages write them --------------------------------------------------

def test_a_bad_or_empty_script_does_not_hide_the_next_one():
    article = _ld('{"@type": "NewsArticle", "datePublished": "2024-05-01"}')
    assert _read(_ld("") + article).published_at == "2024-05-01"
    assert _read(_ld("{not json") + article).published_at == "2024-05-01"


def test_jsonld_with_a_raw_tab_in_a_string_and_a_trailing_comma():
    meta = _read(_ld('{"@type": "NewsArticle", "headline": "Council passes\tthe budget", "datePublished": "2024-05-01",}'))
    assert (meta.title, meta.published_at) == ("Council passes the budget", "2024-05-01")


def test_meta_values_after_an_empty_meta():
    from ingest.metadata import meta_values
    html = '<html><head><meta name="description" content=" "><meta property="og:title" content="Budget"></head></html>'
    assert meta_values(_tree(html)) == {"og:title": ["Budget"]}


@pytest.mark.parametrize("title, sites, sections, expected", [
    ("Herald | Herald News | herald.example", ["Herald"], [], "herald.example"),  # all site: the last part stays
    ("Herald - Council passes the budget - Politik", ["Herald"], [], "Council passes the budget - Politik"),
    ("Herald | Brexit | Brexit deal passes", ["Herald"], [], "Brexit | Brexit deal passes"),
    ("Ukraine war: the latest - Ukraine | Herald", ["Herald"], [], "Ukraine war: the latest - Ukraine"),
    # a section goes with the site's name only when that was at the end
    ("Herald | Council passes the budget - Politik", ["Herald"], ["Politik"], "Council passes the budget - Politik"),
    ("Council passes the budget | Herald am Sonntag", ["Herald"], [],  # two words more: another paper
     "Council passes the budget | Herald am Sonntag"),
    ("Council passes the budget | ★", [], [], "Council passes the budget"),  # a part without a word
])
def test_more_site_parts_at_either_end(title, sites, sections, expected):
    from ingest.metadata import choose_title
    assert choose_title([], [title], sites, sections) == expected
