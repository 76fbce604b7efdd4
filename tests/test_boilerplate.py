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


def _saved_articles(archive: Archive, host: str, count: int, lines: dict[int, list[str]]) -> list[int]:
    """`count` stories of one site stored without learning; story i gets the extra lines lines[i]."""
    ids = []
    for i in range(count):
        text = "\n".join(story(i) + lines.get(i, []))
        saved = archive.save(Article(url=f"https://{host}/story-{i}", fetched_url=f"https://{host}/story-{i}",
                                     title=f"Story {i}", text=text, source=host))
        ids.append(saved.article_id)
    return ids


def test_a_batch_counts_as_its_articles_one_by_one(tmp_path):
    """learn_many counts a batch in memory; it must learn exactly what learning each article in
    turn learns: the same lines, at the same counts, the same texts re-cleaned."""
    # courier: the footer in every story, learned at its fifth article (5 of 5); the long
    # background line in 9 of the first 10, learned when the site reaches 10 articles;
    # gazette: a short line in 5 of its 12 stories, learned at the fifth, its last story (5 of 12 >= 30%)
    courier = {i: [COURIER] + ([BACKGROUND] if i != 9 else []) for i in range(12)}
    gazette = {i: ["Photos by the county press office."] for i in (0, 2, 5, 8, 11)}
    learned = {}
    for how in ("one by one", "batch"):
        archive = Archive(tmp_path / f"{how}.db")
        ids = [x for pair in zip(_saved_articles(archive, "courier.example", 12, courier),
                                 _saved_articles(archive, "gazette.example", 12, gazette)) for x in pair]
        if how == "batch":
            new = archive.learn_many(ids + ids[:2])  # counted once each, however often given
            assert new[-2:] == [[], []]
        else:
            new = [archive.learn_lines(article_id) for article_id in ids]
        assert [n for n in new[:24] if n] == [[line_key(COURIER)], [line_key(BACKGROUND)],
                                              [line_key("Photos by the county press office.")]]
        learned[how] = (
            archive.conn.execute("SELECT site, line_key, sample, support, site_articles FROM learned_lines "
                                 "ORDER BY 1, 2").fetchall(),
            archive.conn.execute("SELECT site, articles FROM site_stats ORDER BY 1").fetchall(),
            # (the batch re-cleans a site once for all its new lines: fewer revisions, the same texts)
            archive.conn.execute("SELECT id, text FROM articles ORDER BY id").fetchall(),
        )
    assert learned["batch"] == learned["one by one"]
    lines, totals, _ = learned["batch"]
    assert lines == [("courier.example", line_key(BACKGROUND), BACKGROUND, 9, 10),
                     ("courier.example", line_key(COURIER), COURIER, 5, 5),
                     ("gazette.example", line_key("Photos by the county press office."),
                      "Photos by the county press office.", 5, 12)]
    assert totals == [("courier.example", 12), ("gazette.example", 12)]


def test_line_counts_of_an_archive_before_schema_10_carry_over(tmp_path):
    """Schema 9 counted lines by their whole key; the migration keeps the counts, so the
    footer seen in 4 articles then is learned at the fifth."""
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        ids = _saved_articles(archive, "courier.example", 5, {i: [COURIER] for i in range(5)})
        with archive.write() as conn:  # schema 9's table, as counting 4 articles left it
            conn.execute("DROP TABLE line_stats")
            conn.execute("CREATE TABLE line_stats (site TEXT, line_key TEXT, sample TEXT, articles INTEGER "
                         "DEFAULT 0, PRIMARY KEY (site, line_key))")
            conn.execute("INSERT INTO line_stats VALUES ('courier.example', ?, ?, 4)", (line_key(COURIER), COURIER))
            for i in range(4):
                for line in story(i):
                    conn.execute("INSERT INTO line_stats VALUES ('courier.example', ?, ?, 1)", (line_key(line), line))
            conn.execute("INSERT INTO site_stats VALUES ('courier.example', 4)")
            conn.executemany("INSERT INTO site_articles VALUES (?, 'courier.example')", [(a,) for a in ids[:4]])
            conn.execute("PRAGMA user_version=9")
    with Archive(path) as archive:
        assert archive.conn.execute("SELECT count(*), sum(articles), count(sample) FROM line_stats").fetchone() == (
            1 + sum(len(story(i)) for i in range(4)), 4 + sum(len(story(i)) for i in range(4)), 1)
        assert archive.learn_lines(ids[4]) == [line_key(COURIER)]
        assert not any(COURIER in a["text"] for a in archive.articles())
