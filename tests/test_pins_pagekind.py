"""ingest.pagekind at its edges: the exact reasons stored and counted, and the thresholds
(`make mutation` found these untested: each test pins a value a mutant changed)."""
from __future__ import annotations

import trafilatura

from ingest.body import Candidate
from ingest.metadata import PageMeta
from ingest.pagekind import challenge_reason, error_reason, listing_reason, site_page_reason


def _page(html: str):
    return trafilatura.load_html(html)


def _sized(head: str, body: str, size: int) -> str:
    """A page padded with an HTML comment to exactly `size` characters."""
    start, end = f"<html><head>{head}</head><body>{body}<!--", "--></body></html>"
    return start + "x" * (size - len(start) - len(end)) + end


# -- challenge pages ---------------------------------------------------------------

def test_challenge_title_gives_the_title_in_the_reason():
    html = "<html><head><title>Just a moment...   herald</title></head><body><p>Loading the page.</p></body></html>"
    assert challenge_reason(_page(html), html) == "challenge page ('Just a moment... herald')"


def test_page_without_title_and_plain_text_is_no_challenge():
    html = "<html><body><p>The council met on Tuesday to vote on the budget.</p></body></html>"
    assert challenge_reason(_page(html), html) is None


def test_challenge_script_on_a_small_page_gives_the_fixed_reason():
    html = ("<html><head><title>herald.example</title></head>"
            "<body><div id='cf-browser-verification'>One moment.</div></body></html>")
    assert challenge_reason(_page(html), html) == "challenge page (bot protection instead of content)"


def test_long_inline_script_in_head_does_not_hide_a_challenge():
    # Only the body's words count: an interstitial's big head script is not content.
    script = "<script>" + " ".join(f"v{i}=1;" for i in range(300)) + "</script>"
    html = (f"<html><head><title>herald.example</title>{script}</head>"
            "<body><div class='cf_chl_opt'>Checking.</div></body></html>")
    assert challenge_reason(_page(html), html) == "challenge page (bot protection instead of content)"


def test_a_challenge_page_with_no_body_element_is_a_challenge():
    html = ("<html><head><title>herald.example</title>"
            "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate.js'></script></head></html>")
    assert challenge_reason(_page(html), html) == "challenge page (bot protection instead of content)"


def test_challenge_markup_on_a_page_of_60000_characters_or_more_is_not_a_challenge():
    small = _sized("<title>herald.example</title>", "<div class='px-captcha'>Wait.</div>", 59_999)
    exact = _sized("<title>herald.example</title>", "<div class='px-captcha'>Wait.</div>", 60_000)
    assert len(small) == 59_999 and len(exact) == 60_000
    assert challenge_reason(_page(small), small) == "challenge page (bot protection instead of content)"
    assert challenge_reason(_page(exact), exact) is None


def test_challenge_markup_with_150_words_of_text_is_not_a_challenge():
    def page(words: int) -> str:
        text = " ".join(["word"] * words)
        return f"<html><head><title>t</title></head><body><div class='px-captcha'>{text}</div></body></html>"
    assert challenge_reason(_page(page(149)), page(149)) == "challenge page (bot protection instead of content)"
    assert challenge_reason(_page(page(150)), page(150)) is None


# -- error pages -------------------------------------------------------------------

def test_error_page_reason_names_the_title():
    meta = PageMeta(title_candidates=["Page  not found"])
    assert error_reason(meta, []) == "error page ('Page not found')"


def test_only_the_last_title_candidate_and_first_h1_are_read():
    meta = PageMeta(title_candidates=["Herald", "Page not found", "Council passes the budget"])
    assert error_reason(meta, ["Council passes the budget", "Page not found"]) is None


def test_error_title_of_12_words_counts_and_13_does_not():
    twelve = "Page not found: we looked for it everywhere in our big archive"
    thirteen = "Page not found: we looked for it everywhere in our big old archive"
    assert len(twelve.split()) == 12 and len(thirteen.split()) == 13
    assert error_reason(PageMeta(title_candidates=[twelve]), []) == f"error page ({twelve!r})"
    assert error_reason(PageMeta(title_candidates=[thirteen]), []) is None


# -- listings ----------------------------------------------------------------------

def _body(*, chars: int = 1000, link_chars: int = 0, lines: int = 20, link_lines: int = 0, link_runs: int = 0):
    return Candidate("main", "text", chars, link_chars, chars - link_chars, lines, link_lines, link_runs)


def test_home_page_reason():
    assert listing_reason("https://news.example.org/", PageMeta(), _body()) == "home page"


def test_a_website_node_alone_does_not_make_a_listing():
    meta = PageMeta(ld_types={"website"})
    assert listing_reason("https://news.example.org/city/council-budget", meta, _body()) is None


def test_half_the_text_in_links_is_a_listing():
    body = _body(chars=1000, link_chars=500, lines=10, link_lines=5, link_runs=1)
    assert listing_reason("https://news.example.org/city", PageMeta(), body) == "listing page (50% of the text is links)"


def test_teasers_alternating_with_summaries_at_exactly_the_ratio_are_a_listing():
    # 8 runs of headlines among 10 other lines: 8 >= 0.8 * 10
    body = _body(chars=1000, link_chars=300, lines=18, link_lines=8, link_runs=8)
    assert listing_reason("https://news.example.org/city", PageMeta(), body) == \
        "listing page (8 headlines between 10 other lines)"


def test_a_few_link_runs_in_a_long_story_leave_it_a_story():
    body = _body(chars=5000, link_chars=500, lines=25, link_lines=5, link_runs=5)
    assert listing_reason("https://news.example.org/city", PageMeta(), body) is None


# -- site pages --------------------------------------------------------------------

def test_site_page_of_exactly_300_words_is_still_a_site_page():
    assert site_page_reason("https://news.example.org/about-us/", PageMeta(), None, 300) == \
        "site page (about-us), not an article"
    assert site_page_reason("https://news.example.org/about-us/", PageMeta(), None, 301) is None
