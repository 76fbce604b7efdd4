"""Learned, site-wide boilerplate: the rule, stripping, and the archive learning as articles arrive."""
from __future__ import annotations

import pytest

from ingest.boilerplate import is_boilerplate, line_key, site_of, strip_learned
from ingest.clusters import signature
from ingest.models import Article, Hints, Page
from ingest.options import extract_options_for
from ingest.page import process_page
from storage import Archive
from tests.sitegen import SUBJECTS, TOWNS, article_html, story

COURIER = "The Daily Courier is published every weekday in Springfield."
SHARED_QUOTE = ('"We will not let this town down, whatever the cost," the mayor said at the start of '
                'the meeting.')
BACKGROUND = ("The county has been under pressure from residents since last year's audit found that "
              "several large projects had run far over budget and behind schedule.")


def test_line_key_folds_case_space_digits_and_punctuation():
    assert line_key("  ADVERTISEMENT: ") == line_key("Advertisement") == "advertisement"
    assert line_key("© 2024 The Courier") == line_key("© 2025 the  courier.")
    assert line_key("— Follow us —") == "follow us"
    assert line_key("   ") == ""


def test_line_key_keeps_the_vowel_signs_of_indic_and_thai_scripts():
    """Combining marks are letters' parts there: dropping them made different lines one key."""
    assert line_key("यह एक परीक्षण है।") != line_key("यह एक परिक्षण है")
    assert line_key("कि की के") == "कि की के"
    assert line_key("हमें फॉलो करें!") == line_key("  हमें फॉलो करें ") == "हमें फॉलो करें"
    assert line_key("ข่าวล่าสุด") != line_key("ขาวลาสด")
    assert line_key("snake_case: naïve") == "snake case naïve"


@pytest.mark.parametrize("key_len, support, total, learned", [
    (40, 5, 5, True),      # the first five articles of a new site
    (40, 4, 4, False),     # under the minimum support, however high the share
    (40, 3, 3, False),     # a quote three stories share
    (40, 6, 20, True),     # 30%
    (40, 5, 20, False),    # 25%
    (200, 5, 5, False),    # a long sentence on a small site
    (200, 9, 12, True),    # a long sentence in 75% of 12 articles
    (200, 8, 16, False),   # a long sentence in half of the articles
])
def test_rule(key_len, support, total, learned):
    assert is_boilerplate("x" * key_len, support, total) is learned


def test_lines_with_numbers_need_the_long_line_share():
    # Automated stories: "Sensex closes at 72,345" and "... at 71,902" share one key.
    key = line_key("Sensex closes at 72,345, up 0.5%")
    assert key == line_key("Sensex closes at 71,902, up 1.2%")
    assert not is_boilerplate(key, 8, 20)
    assert is_boilerplate(line_key("© 2024 The Daily Courier"), 19, 20)


def test_strip_learned_keeps_text_untouched_without_a_match():
    text = "First line.\nSecond line.\n"
    assert strip_learned(text, frozenset({line_key("Advertisement")})) is text
    assert strip_learned("First.\nADVERTISEMENT\nSecond.", {line_key("advertisement")}) == "First.\nSecond."


def test_site_of():
    assert site_of("https://www.Courier.example/news/a") == "courier.example"
    assert site_of("https://news.courier.example/a") == "news.courier.example"
    assert site_of(None, "courier") == "courier"


def _store(archive: Archive, i: int, paragraphs: list[str], host: str = "courier.example") -> int:
    """The crawl pipeline's steps for one page: learned set, extract, save, learn."""
    url = f"https://www.{host}/local/story-{i}"
    html = article_html(f"{TOWNS[i % len(TOWNS)]} decides on the {SUBJECTS[i % len(SUBJECTS)]}", paragraphs,
                        url=url)
    page = Page(url=url, final_url=url, body=html.encode(), content_type="text/html", source="courier",
                hints=Hints(via="feed"))
    options = extract_options_for(None, archive.learned_boilerplate(site_of(page.final_url)))
    result = process_page(page, options)
    assert isinstance(result, Article), result
    saved = archive.save(result)
    assert saved.outcome == "new"
    archive.learn_lines(saved.article_id)
    return saved.article_id


def test_a_site_footer_sentence_is_learned_and_removed_from_every_article(tmp_path):
    archive = Archive(tmp_path / "news.db")
    ids = []
    for i in range(20):
        paragraphs = story(i) + [COURIER]
        if i in (3, 7, 12):
            paragraphs.insert(2, SHARED_QUOTE)
        if i % 3 == 0:  # 7 of 20 articles: a long background paragraph, 35%
            paragraphs.insert(1, BACKGROUND)
        ids.append(_store(archive, i, paragraphs))

    assert archive.learned_boilerplate("courier.example") == frozenset({line_key(COURIER)})
    for i, article_id in enumerate(ids):
        text = archive.get(article_id)["text"]
        assert COURIER not in text, f"article {i} still ends with the footer"
        for paragraph in story(i):
            assert paragraph in text.splitlines(), f"article {i} lost story text: {paragraph}"
        assert (SHARED_QUOTE in text) is (i in (3, 7, 12)), f"article {i}: the shared quote"
        assert (BACKGROUND in text) is (i % 3 == 0), f"article {i}: the background paragraph"
    # The first five were stored before the line was learned: re-cleaned as revision 2.
    revisions = [archive.get(a)["revision"] for a in ids]
    assert revisions == [2] * 5 + [1] * 15
    first = archive.revisions(ids[0])
    assert COURIER in first[0]["text"] and COURIER not in first[1]["text"]
    # ... and signed anew, so clusters compare the text without the footer
    resigned = signature(archive.get(ids[0])["text"])
    stored = archive.conn.execute("SELECT size, signature FROM minhash WHERE article_id = ?", (ids[0],)).fetchone()
    assert stored == (resigned.size, resigned.to_blob())
    # Counted once per article, and another site is not affected.
    assert archive.conn.execute("SELECT articles FROM site_stats WHERE site = 'courier.example'").fetchone()[0] == 20
    assert archive.learn_lines(ids[0]) == []
    other = _store(archive, 99, story(21) + [COURIER], host="gazette.example")
    assert COURIER in archive.get(other)["text"]


def test_a_short_line_in_a_quarter_of_the_articles_is_not_learned(tmp_path):
    archive = Archive(tmp_path / "news.db")
    line = "Photos by the county press office."
    for i in range(20):
        _store(archive, i, story(i) + ([line] if i % 4 == 3 else []))
    assert archive.learned_boilerplate("courier.example") == frozenset()
    assert sum(line in a["text"] for a in archive.articles()) == 5


def test_a_long_line_nearly_everywhere_is_learned_once_the_site_is_big_enough(tmp_path):
    archive = Archive(tmp_path / "news.db")
    for i in range(9):
        _store(archive, i, story(i) + [BACKGROUND])
    assert archive.learned_boilerplate("courier.example") == frozenset()
    _store(archive, 9, story(9))  # the tenth article, without the line: 9 of 10 now
    assert archive.learned_boilerplate("courier.example") == frozenset({line_key(BACKGROUND)})
    assert not any(BACKGROUND in a["text"] for a in archive.articles())


def test_an_article_extracted_before_a_line_was_learned_is_cleaned_when_counted(tmp_path):
    # Two crawl workers: a page extracted with an older learned set is saved afterwards.
    archive = Archive(tmp_path / "news.db")
    url = "https://www.courier.example/local/late"
    stale = process_page(Page(url=url, final_url=url, content_type="text/html",
                              body=article_html("Late story", story(30) + [COURIER], url=url).encode()))
    for i in range(6):
        _store(archive, i, story(i) + [COURIER])
    saved = archive.save(stale)
    assert COURIER in archive.get(saved.article_id)["text"]
    archive.learn_lines(saved.article_id)
    assert COURIER not in archive.get(saved.article_id)["text"]


def test_the_one_off_ingest_learns_and_applies_site_lines(tmp_path):
    from ingest.run.single import ingest_file

    archive = Archive(tmp_path / "news.db")
    ids = []
    for i in range(7):
        url = f"https://www.courier.example/local/by-hand-{i}"
        path = tmp_path / f"page{i}.html"
        path.write_text(article_html(f"{TOWNS[i]} votes on the {SUBJECTS[i]}", story(i) + [COURIER], url=url))
        ids.append(ingest_file(archive, path, url).article_id)
    assert archive.learned_boilerplate("courier.example") == {line_key(COURIER)}
    assert not any(COURIER in archive.get(a)["text"] for a in ids)
    assert [archive.get(a)["revision"] for a in ids] == [2] * 5 + [1] * 2
