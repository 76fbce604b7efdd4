"""storage.search at its edges: query quoting, the MATCH expression handed to exports, snippet
windows, and filtered ranking past its first chunk (`make mutation` found these untested)."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest

from ingest.models import Article
from storage import Archive
from storage.search import QueryError, cut, match_expression, quote_terms

O, C, M = "\ue000", "\ue001", "\ue002"  # how FTS5 marks a match's start, its end, and cut text


def _article(n: int, text: str, source: str) -> Article:
    url = f"https://herald.example/{n}"
    return Article(url=url, fetched_url=url, title=f"Story {n}", text=text, source=source, language="en",
                   published_at="2024-05-01T10:00:00+00:00", word_count=len(text.split()),
                   content_hash=hashlib.sha256(f"{n} {text}".encode()).hexdigest())


def test_quote_terms():
    assert quote_terms("assang* asylum") == '"assang"* "asylum"'
    assert quote_terms('say "hi"') == '"say" """hi"""'
    assert quote_terms("U.S. *") == '"U.S."'
    assert quote_terms("SpaceX* TAX") == '"SpaceX"* "TAX"'


def test_match_expression_keeps_a_valid_query_and_quotes_plain_text(archive: Archive):
    archive.save(_article(1, "Harbour works begin in the U.S. port.", "herald"))
    assert match_expression(archive.conn, "  harbour OR port ") == "harbour OR port"
    assert match_expression(archive.conn, "U.S. port") == '"U.S." "port"'


def test_match_expression_rejects_broken_operators_with_a_hint(archive: Archive):
    with pytest.raises(QueryError, match=r'^cannot parse search query \'"political asylum OR\' .*: close quotes '
                                         r'and brackets, write operators as AND/OR/NOT between words, '
                                         r'e\.g\. "political asylum" OR assang\*$'):
        match_expression(archive.conn, '"political asylum OR')
    with pytest.raises(QueryError, match=r"^empty search query: give one or more words, "
                                         r"e\.g\. newsdesk search assange$"):
        match_expression(archive.conn, "  * ")


def test_errors_that_are_not_about_the_query_are_raised_as_they_are(tmp_path):
    conn = sqlite3.connect(tmp_path / "empty.db")
    with pytest.raises(sqlite3.OperationalError, match="no such table: articles_fts"):
        match_expression(conn, "harbour")


def test_filtered_search_reads_past_the_first_chunk_and_stops_at_the_limit(archive: Archive):
    # 60 equal matches: ranked newest first. The two "gazette" ones are the oldest, so they
    # are only reached in the second chunk of ranked ids (the first holds 50).
    text = "The harbour authority approved the new quay on Monday."
    archive.save_many([_article(n, text, "gazette" if n <= 2 else "herald") for n in range(1, 61)])
    ids = {a["url"]: a["id"] for a in archive.db.query("SELECT id, url FROM articles")}
    hits = archive.search("harbour", source="gazette", limit=5)
    assert [h["id"] for h in hits] == [ids["https://herald.example/2"], ids["https://herald.example/1"]]
    hits = archive.search("harbour", source="herald", limit=3)
    assert [h["id"] for h in hits] == [ids[f"https://herald.example/{n}"] for n in (60, 59, 58)]


# -- cut: the snippet window -----------------------------------------------------------

def test_cut_drops_fts5s_cut_marks_and_says_the_text_goes_on():
    assert cut(f"{M}one {O}two{C} three{M}", ("[", "]")) == "…one [two] three…"


def test_a_match_at_the_first_word_starts_the_window():
    words = " ".join(f"w{i}" for i in range(1, 20))
    assert cut(f"{O}Assange{C} {words}", ("[", "]")) == "[Assange] " + " ".join(f"w{i}" for i in range(1, 16)) + "…"


def test_the_first_of_equally_good_windows_wins():
    tokens = [f"w{i}" for i in range(40)]
    tokens[2], tokens[30] = f"{O}w2{C}", f"{O}w30{C}"
    assert cut(" ".join(tokens), ("[", "]")) == "w0 w1 [w2] " + " ".join(f"w{i}" for i in range(3, 16)) + "…"


def test_a_match_cut_by_the_window_start_is_reopened_there():
    tokens = [f"w{i}" for i in range(20)]
    tokens[2], tokens[4] = f"{O}w2", f"w4{C}"  # a three-word match, w2 to w4
    tokens[17], tokens[19] = f"{O}w17{C}", f"{O}w19{C}"
    # the window with two whole matches starts at w4, the last word of the first match
    assert cut(" ".join(tokens), ("[", "]")) == \
        "…[w4] " + " ".join(f"w{i}" for i in range(5, 17)) + " [w17] w18 [w19]"


def test_filters_sql_and_a_bare_until_day_reaching_through_its_end():
    from storage.search import filters
    assert filters("herald", "2024-01-01", "2024-05-01", "en") == (
        "source = :source AND published_at >= :since AND published_at < :until AND language = :language",
        {"source": "herald", "since": "2024-01-01", "until": "2024-05-01T99", "language": "en"})
    assert filters(None, None, "2024-05-01T12:00:00+00:00", None, prefix="a.") == (
        "a.published_at < :until", {"until": "2024-05-01T12:00:00+00:00"})
    assert filters(None, None, None, None) == ("", {})


def _story(n: int, text: str, *, source: str = "herald", lang: str = "en",
           published: str = "2024-05-01T10:00:00+00:00") -> Article:
    url = f"https://{source}.example/{n}"
    return Article(url=url, fetched_url=url, title=f"Story {n}", text=text, source=source, language=lang,
                   published_at=published, word_count=len(text.split()),
                   content_hash=hashlib.sha256(f"{n} {text}".encode()).hexdigest())


def test_plain_text_that_fts5_refuses_is_searched_with_every_filter(archive: Archive):
    from storage.search import search
    text = "U.S. harbour authority approved the new quay on Monday."
    archive.save_many([
        _story(1, text, published="2024-01-10T10:00:00+00:00"),
        _story(2, text, source="gazette", published="2024-03-10T10:00:00+00:00"),
        _story(3, text, lang="de", published="2024-05-01T12:00:00+00:00"),
        _story(4, text, published="2024-05-01T12:00:00+00:00"),
    ])
    ids = {a["url"]: a["id"] for a in archive.db.query("SELECT id, url FROM articles")}

    def found(**kw) -> set[str]:
        hits = search(archive.conn, "U.S. harbour", **kw)  # "U.S." is an FTS5 syntax error: words quoted
        return {url for url, i in ids.items() if i in {h[0] for h in hits}}

    assert found(source="gazette") == {"https://gazette.example/2"}
    assert found(since="2024-03-01") == {"https://gazette.example/2", "https://herald.example/3",
                                         "https://herald.example/4"}
    assert found(until="2024-03-01") == {"https://herald.example/1"}
    assert found(until="2024-05-01T12:00:00+00:00") == {"https://herald.example/1", "https://gazette.example/2"}
    assert found(language="de") == {"https://herald.example/3"}
    assert len(found()) == 4


def test_search_defaults_twenty_hits_and_every_copy(archive: Archive):
    from storage.search import search
    text = "The harbour authority approved the new quay on Monday."
    archive.save_many([_story(n, text) for n in range(1, 26)])  # 25 copies of one story
    assert archive.db.execute("SELECT count(DISTINCT cluster_id) FROM articles").fetchone()[0] == 1
    assert len(search(archive.conn, "harbour")) == 20
    assert len(search(archive.conn, "harbour", collapse=True)) == 1
    assert len(search(archive.conn, "harbour U.S.", collapse=True)) == 0  # "U.S." matches nothing here
    assert len(search(archive.conn, "quay U.S", collapse=True)) == 0
    assert len(search(archive.conn, "harbour.", collapse=True)) == 1  # refused, then searched as a word


def test_when_the_newest_matches_fail_the_filters_all_are_ranked_still_collapsed(archive: Archive):
    text = "The harbour authority approved the new quay on Monday after a long review."
    archive.save_many([_story(1, text, source="gazette"), _story(2, text, source="gazette"),
                       _story(3, "Harbour news from the herald.", source="herald"),
                       _story(4, "More harbour news from the herald.", source="herald")])
    # the two newest matches are the herald's: none pass, so every match is ranked
    hits = archive.search("harbour", source="gazette", collapse=True, window=2)
    assert len(hits) == 1 and hits[0]["source"] == "gazette"
    assert len(archive.search("harbour", source="gazette", window=2)) == 2
