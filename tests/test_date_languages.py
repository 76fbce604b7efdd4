"""Dates written out in words, in the page's language: htmldate's dateparser fallback, asked
only in the languages a page can be in (ingest.datelanguages)."""
from __future__ import annotations

import htmldate.extractors
import pytest

from ingest import datelanguages
from ingest.extract import extract_article

URL = "https://news.example.org/world/river-flood-warning"  # no date in the address

STORY = " ".join(["The river rose above its banks overnight and two villages were evacuated."] * 8)


def page(byline: str, lang: str | None) -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"""<!DOCTYPE html><html{lang_attr}><head><meta charset="utf-8"><title>River flood</title></head>
<body><article><h1>River flood</h1><div class="byline"><span class="date">{byline}</span></div>
<p>{STORY}</p><p>{STORY}</p></article></body></html>"""


@pytest.mark.parametrize(("byline", "lang"), [
    ("lunes 7 de enero de 2008", "es"),
    ("lunes 7 de enero de 2008", None),  # undeclared: "enero" names the language
    ("lunedì 7 gennaio 2008", "it"),
    ("7 января 2008", None),
    ("Montag, 7 Jan 2008 - 10:32 Uhr", None),  # "Montag" names it
    ("Tuesday,Jan 7,2008", "en"),
])
def test_a_date_in_words_is_read_in_the_pages_language(byline, lang):
    article = extract_article(page(byline, lang), URL)
    assert (article.published_at, article.published_from) == ("2008-01-07", "htmldate")


def test_languages_tried_are_english_the_declared_one_and_those_of_the_month_names():
    assert datelanguages.languages_for("7 gennaio 2008", None) == {"en", "it"}
    assert datelanguages.languages_for("7 gennaio 2008", "de") == {"en", "it", "de"}
    # "Jan" and "Nov" are English month names shared by dozens of locales: English reads them.
    assert datelanguages.languages_for("Nov. 6, 2012", None) == {"en"}
    assert datelanguages.languages_for("12 xqzt 2012", "zz") == {"en"}  # an unknown language is left out
    assert datelanguages.languages_for("published 7 enero 2008", "es") >= {"en", "es"}


def test_htmldate_calls_the_limited_parser_only_for_our_pages():
    assert htmldate.extractors._external_date is datelanguages.external_date
    # outside a page's block, htmldate's own parser answers: every locale, as trafilatura ships
    assert datelanguages.external_date("(Jr.), Feb. 7, 2005") is not None
    with datelanguages.page_language("en"):  # "Jr." reads in no language tried for an English page
        assert datelanguages.external_date("(Jr.), Feb. 7, 2005") is None
    # An htmldate release that stopped calling `_external_date` from its date search would
    # silently bring back the every-locale parser.
    assert "_external_date" in htmldate.extractors.try_date_expr.__wrapped__.__code__.co_names
