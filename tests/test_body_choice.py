"""The body chooser (ingest.body) and the page-kind verdicts made on the chosen body."""
from __future__ import annotations

import html as html_lib
import json

import pytest

from ingest.body import choose, covers, is_doubtful, measure
from ingest.extract import NotAnArticle, extract_article
from ingest.metadata import PageMeta
from ingest.pagekind import listing_reason

PARAGRAPHS = [
    "The city council voted on Tuesday to close the old bridge to cars from next spring, after engineers found cracks in two of its piers.",
    "Buses and bicycles will still be allowed across, and the council said it would pay for a free shuttle between the two banks.",
    "Shop owners on the east side said they feared losing customers, and asked for a delay until the new crossing is finished.",
    "\"We cannot take the risk of a collapse with people on it,\" the mayor told reporters after the vote, which passed by nine to four.",
    "Work on the replacement bridge, which will carry a tram line, is due to begin next year and to take about three years.",
]
MENU = ["Home", "World", "Politics", "Business", "Sport", "Culture", "Science", "Travel", "Opinion", "Weather"]


def _anchors(*texts: str) -> frozenset[str]:
    from ingest.clean import normalize_line
    return frozenset(normalize_line(t) for t in texts)


# ---------------------------------------------------------------- the signals and the rule

def test_link_and_prose_shares_are_measured_per_line():
    text = "\n".join([*MENU[:4], *PARAGRAPHS[:2]])
    candidate = measure("main", text, _anchors(*MENU))
    menu_chars = sum(len(m) for m in MENU[:4])
    assert candidate.link_chars == menu_chars
    assert candidate.prose_chars == len(PARAGRAPHS[0]) + len(PARAGRAPHS[1])
    assert (candidate.lines, candidate.link_lines, candidate.link_runs) == (6, 4, 1)


def test_a_long_prose_text_is_not_doubtful_but_a_menu_is():
    story = measure("main", "\n".join(PARAGRAPHS * 3), _anchors(*MENU))
    assert story.words >= 200 and not is_doubtful(story)
    menu = measure("main", "\n".join(MENU * 30), _anchors(*MENU))
    assert menu.words >= 200 and is_doubtful(menu)
    assert is_doubtful(None)
    assert is_doubtful(measure("main", PARAGRAPHS[0], frozenset()))  # short: the full run may find more


def test_a_main_text_far_from_the_declared_article_body_is_doubtful():
    story = measure("main", "\n".join(PARAGRAPHS * 3), frozenset())
    assert not is_doubtful(story, declared="\n".join(PARAGRAPHS))
    other = "Completely different words about football results, transfers and the league table this weekend " * 5
    assert is_doubtful(story, declared=other)


def test_the_full_run_is_kept_unless_it_is_clearly_junkier():
    anchors = _anchors(*MENU)
    main = measure("main", "\n".join(MENU + PARAGRAPHS[:1]), anchors)
    full = measure("full", "\n".join(PARAGRAPHS), anchors)
    assert choose([main, full]).source == "full"
    # the full run picked a frame of links around a short story: the main text stays
    assert choose([full, measure("full", "\n".join(MENU * 3 + PARAGRAPHS[:1]), anchors)]).source == "full"
    main_story = measure("main", "\n".join(PARAGRAPHS), anchors)
    frame = measure("full", "\n".join(MENU * 3 + PARAGRAPHS), anchors)
    assert choose([main_story, frame]) is main_story


def test_a_declared_article_body_the_choice_misses_wins():
    declared = measure("json-ld", "\n".join(PARAGRAPHS), frozenset())
    assert declared.words >= 100
    teaser = measure("main", "Subscribe to read the rest of this story about the bridge.", frozenset())
    assert choose([teaser], declared) is declared
    story = measure("main", "\n".join(PARAGRAPHS), frozenset())
    assert choose([story], declared) is story
    one_line = measure("full", " ".join(PARAGRAPHS), frozenset())  # trafilatura's articleBody fallback
    assert choose([one_line], declared) is declared
    assert covers("a b c", "a b c d") == 0.75


# ---------------------------------------------------------------- through extract_article

def _article_page(paragraphs: list[str], *, head: str = "", before: str = "", after: str = "",
                  nav_links: list[str] = MENU) -> str:
    nav = " ".join(f'<a href="/{m.lower()}">{m}</a>' for m in nav_links)
    body = "\n".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Council closes the old bridge</title>{head}</head>
<body><header><nav>{nav}</nav></header><main><article><h1>Council closes the old bridge</h1>{before}
<div class="story">{body}</div>{after}</article></main><footer><a href="/about">About</a></footer></body></html>"""


def test_an_article_addressed_by_a_query_string_is_not_a_home_page():
    html = _article_page(PARAGRAPHS)
    article = extract_article(html, "http://www.example.co.za/?fSectionId=3&fArticleId=nw20080107141820260C817160")
    assert article.text.splitlines() == PARAGRAPHS


def test_the_site_root_without_a_query_is_still_a_home_page():
    with pytest.raises(NotAnArticle, match="home page"):
        extract_article(_article_page(PARAGRAPHS), "http://www.example.co.za/")


def test_a_story_with_a_box_of_related_links_is_kept():
    related = ["Bridge inspections ordered across the region", "Tram line plans unveiled",
               "Shop owners fear road closures", "Mayor faces vote of confidence", "Ferry service to return"]
    box = "<h3>Related</h3><ul>" + "".join(f'<li><a href="/news/{i}">{t}</a></li>' for i, t in enumerate(related)) + "</ul>"
    article = extract_article(_article_page(PARAGRAPHS, after=box), "https://news.example.org/city/bridge-closed")
    for paragraph in PARAGRAPHS:
        assert paragraph in article.text


def test_headlines_between_summaries_make_a_listing():
    headlines = [f"Council story number {i} of the week" for i in range(len(PARAGRAPHS))]
    text = "\n".join(line for pair in zip(headlines, PARAGRAPHS) for line in pair)
    body = measure("main", text, _anchors(*headlines))
    assert body.link_share < 0.5  # the summaries are longer than the headlines
    reason = listing_reason("https://news.example.org/city", PageMeta(), body)
    assert reason and reason.startswith("listing page (5 headlines")
    # a page that declares itself an article is never a listing
    assert listing_reason("https://news.example.org/city", PageMeta(og_type="article"), body) is None


def test_a_body_of_links_is_a_listing_whatever_its_address():
    items = "".join(f'<div class="teaser"><h2><a href="/city/story-{i}">Council story number {i} of the week</a></h2></div>'
                    for i in range(12))
    html = f"""<html><head><title>City | Example News</title></head>
<body><h1>City</h1><section class="list">{items}</section></body></html>"""
    with pytest.raises(NotAnArticle, match="listing page"):
        extract_article(html, "https://news.example.org/?section=city")


def test_jsonld_inside_cdata_is_read():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council closes the old bridge",
          "datePublished": "2024-03-12T09:30:00+01:00", "author": {"@type": "Person", "name": "Ana Ruiz"}}
    head = f'<script type="application/ld+json">//<![CDATA[\n{json.dumps(ld)}\n//]]></script>'
    article = extract_article(_article_page(PARAGRAPHS, head=head), "https://news.example.org/city/bridge-closed")
    assert article.published_at == "2024-03-12T09:30:00+01:00"
    assert article.author == "Ana Ruiz"


def test_the_declared_article_body_is_used_when_the_page_shows_only_a_teaser():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council closes the old bridge",
          "articleBody": "<p>" + "</p><p>".join(PARAGRAPHS * 2) + "</p>"}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    teaser = ["Sign in to read the whole story about the decision on the old bridge."]
    article = extract_article(_article_page(teaser, head=head), "https://news.example.org/city/bridge-closed")
    assert article.text.splitlines()[:5] == PARAGRAPHS


@pytest.mark.parametrize("url, story", [
    ("http://abcnews.go.com/Entertainment/slideshow/celebrity-monokini-madness-16562453", True),
    ("https://www.upi.com/NewsTrack/Top_News/2007/12/30/mccain_stands_by_attack_ad/4571/", True),
    ("http://www.tios.co.za/?fSectionId=1016&fArticleId=nw20071231121337812C807136", True),
    ("https://news.example.org/world/2024/05/31/123456", True),
    ("https://news.example.org/world", False),
    ("https://news.example.org/category/local-news/", False),
    ("https://news.example.org/page/2", False),
])
def test_story_addresses(url, story):
    from ingest.pagekind import _story_address
    assert _story_address(url) is story


def test_a_link_heavy_body_at_a_story_address_is_not_a_listing():
    captions = [f"Photo {i}: visitors at the exhibition" for i in range(8)]
    body = measure("main", "\n".join([*captions, PARAGRAPHS[0]]), _anchors(*captions))
    assert body.link_share >= 0.5
    assert listing_reason("https://news.example.org/culture/slideshow/magic-art-exhibition-16844450", PageMeta(), body) is None
    assert listing_reason("https://news.example.org/culture", PageMeta(), body).startswith("listing page")


def test_layout_table_rows_made_only_of_links_are_menus():
    from ingest.body import menu_rows
    anchors = _anchors("Home", "Local Sport", "National Sport", "Newsletter", "Site Map")
    text = "\n".join(["| Home | Local Sport | National Sport |", "| Local Sport |", f"| {PARAGRAPHS[0]} |",
                      "| Newsletter | Site Map | | Search |", PARAGRAPHS[1]])
    assert menu_rows(text, anchors) == {"| Home | Local Sport | National Sport |", "| Local Sport |"}


def test_a_table_layout_page_loses_its_menu_rows():
    menu = "".join(f'<td><a href="/{m.lower()}">{m}</a></td>' for m in MENU)
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = f"""<html><head><title>Council closes the old bridge</title></head><body><table>
<tr>{menu}</tr><tr><td colspan="10"><h1>Council closes the old bridge</h1>{story}</td></tr>
<tr><td><a href="/about">About</a></td><td><a href="/contact">Contact</a></td></tr></table></body></html>"""
    article = extract_article(html, "https://news.example.org/city/bridge-closed")
    assert not any(m in article.text for m in MENU + ["About", "Contact"])
    assert all(p in article.text for p in PARAGRAPHS)
