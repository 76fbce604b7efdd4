"""storage.saving's rules for a batch, read back from a real archive: a URL twice in one batch,
rejections and errors in the middle of a batch, and what an update records
(`make mutation` found these untested)."""
from __future__ import annotations

import hashlib

from ingest.models import Article, Rejected, Saved
from storage import Archive


def _article(n: int, text: str, *, title: str | None = None, fetched: str | None = None) -> Article:
    url = f"https://herald.example/story/{n}"
    return Article(url=url, fetched_url=fetched or url, title=title or f"Story {n}", text=text, source="herald",
                   language="en", published_at="2024-05-01T10:00:00+00:00", word_count=len(text.split()),
                   content_hash=hashlib.sha256(text.encode()).hexdigest())


def _outcomes(saved: list[Saved]) -> list[str]:
    return [s.outcome for s in saved]


def test_a_url_twice_in_one_batch_is_saved_as_if_one_by_one(archive: Archive):
    first = _article(1, "The council met on Tuesday.")
    second = _article(2, "The harbour reopened.")
    changed = _article(1, "The council met on Tuesday and passed the budget.", title="Budget passed")
    saved = archive.save_many([first, second, changed, first])
    assert _outcomes(saved) == ["new", "new", "updated", "updated"]
    assert [(s.article_id, s.revision) for s in saved] == [(1, 1), (2, 1), (1, 2), (1, 3)]
    assert archive.save_many([second, second]) == [
        Saved("unchanged", second.url, article_id=2, revision=1),
        Saved("unchanged", second.url, article_id=2, revision=1)]
    assert archive.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2


def test_rejections_and_errors_in_a_batch_are_logged_and_the_rest_saved(archive: Archive):
    batch = [Rejected("https://herald.example/", "home page"),
             Rejected("https://herald.example/broken", "could not parse the HTML", kind="error"),
             _article(1, "The council met on Tuesday.")]
    saved = archive.save_many(batch, status=200)
    assert saved == [Saved("rejected", "https://herald.example/", reason="home page"),
                     Saved("error", "https://herald.example/broken", reason="could not parse the HTML"),
                     Saved("new", "https://herald.example/story/1", article_id=1, revision=1)]
    rows = archive.db.execute("SELECT url, outcome, reason, article_id FROM fetches ORDER BY id").fetchall()
    assert rows == [("https://herald.example/", "rejected", "home page", None),
                    ("https://herald.example/broken", "error", "could not parse the HTML", None),
                    ("https://herald.example/story/1", "new", None, 1)]


def test_an_update_records_the_new_revision_and_when_it_was_seen(archive: Archive):
    archive.save(_article(1, "The council met on Tuesday."))
    changed = _article(1, "The council met on Tuesday and passed the budget.", title="Budget passed",
                       fetched="https://herald.example/story/1?amp")
    assert archive.save(changed) == Saved("updated", changed.url, article_id=1, revision=2)
    last_seen, revision = archive.db.execute("SELECT last_seen, revision FROM articles WHERE id = 1").fetchone()
    fetched_at = archive.db.execute("SELECT fetched_at FROM fetches ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert (last_seen, revision) == (fetched_at, 2)
    row = archive.db.execute("SELECT title, content_hash, fetched_url, seen_at FROM revisions "
                             "WHERE article_id = 1 AND revision = 2").fetchone()
    assert row == ("Budget passed", changed.content_hash, "https://herald.example/story/1?amp", fetched_at)


def test_tags_and_categories_are_stored_as_json_text_unescaped(archive: Archive):
    article = Article(url="https://herald.example/story/1", fetched_url="https://herald.example/story/1",
                      title="Zürich votes", text="The city of Zürich voted on Sunday.", source="herald",
                      tags=["Zürich", "Wahlen"], categories=["Région"],
                      content_hash=hashlib.sha256(b"zurich").hexdigest())
    archive.save(article)
    row = archive.db.execute("SELECT tags, categories FROM articles WHERE id = 1").fetchone()
    assert row == ('["Zürich", "Wahlen"]', '["Région"]')


def test_a_stored_article_reached_again_through_a_url_fetched_before_is_unchanged(archive: Archive):
    first = _article(1, "The council met on Tuesday.", fetched="https://herald.example/story/1?utm=a")
    via_amp = _article(1, "The council met on Tuesday.", fetched="https://herald.example/amp/story/1")
    assert archive.save(first).outcome == "new"
    assert archive.save(via_amp).outcome == "duplicate"  # a URL never fetched before
    assert archive.save(via_amp).outcome == "unchanged"  # fetched before: not a new duplicate
    assert archive.save(first).outcome == "unchanged"


def test_an_update_stores_the_new_page(archive: Archive):
    from ingest.compression import decompress_html
    first = _article(1, "The council met on Tuesday.")
    archive.save(Article(**{**first.__dict__, "html": "<p>The council met on Tuesday.</p>"}))
    changed = _article(1, "The council met on Tuesday and passed the budget.", fetched="https://herald.example/s/1")
    archive.save(Article(**{**changed.__dict__, "html": "<p>The council passed the budget.</p>"}))
    fetched_url, html = archive.db.execute("SELECT fetched_url, html FROM raw_pages WHERE article_id = 1").fetchone()
    assert (fetched_url, decompress_html(html)) == ("https://herald.example/s/1", "<p>The council passed the budget.</p>")


def test_last_seen_moves_on_an_update(archive: Archive):
    archive.save(_article(1, "The council met on Tuesday."))
    with archive.write() as conn:  # as if first stored long ago
        conn.execute("UPDATE articles SET first_seen = '2020-01-01T00:00:00+00:00', "
                     "last_seen = '2020-01-01T00:00:00+00:00'")
    archive.save(_article(1, "The council met on Tuesday and passed the budget."))
    first_seen, last_seen = archive.db.execute("SELECT first_seen, last_seen FROM articles").fetchone()
    assert first_seen == "2020-01-01T00:00:00+00:00"
    assert last_seen > "2024"


STORY = ("Flood waters rose across the northern valley overnight as rescue teams worked to reach villages "
         "cut off by the storm, officials said on Tuesday. Tromhaven and three neighbouring towns remained "
         "without power, and the regional government opened twelve shelters in schools and sports halls. "
         "Forecasters expect more rain through the weekend, and engineers were checking the Kellbrook dam.")
OTHER = ("The harbour authority approved the new container quay on Monday after a two-year review, and "
         "dredging of the outer channel will start in the spring. Port officials expect the first ships "
         "at the quay by the end of next year, when the old ferry terminal is to be turned into housing "
         "and a public square along the water, the council said in a statement on its website.")


def test_an_article_changed_back_within_one_batch_rejoins_its_story(archive: Archive):
    archive.save_many([_article(1, STORY), _article(2, STORY)])
    cluster = archive.db.execute("SELECT cluster_id FROM articles WHERE id = 1").fetchone()[0]
    assert archive.db.execute("SELECT cluster_id FROM articles WHERE id = 2").fetchone()[0] == cluster
    # article 2 changes to another story and back, in one batch: the second change had no
    # signature made beforehand (its text was the stored one)
    saved = archive.save_many([_article(2, OTHER), _article(2, STORY)])
    assert _outcomes(saved) == ["updated", "updated"]
    assert archive.db.execute("SELECT cluster_id FROM articles WHERE id = 2").fetchone()[0] == cluster


def test_an_article_changed_back_within_one_batch_is_found_by_a_later_copy(archive: Archive):
    # The second change of article 1 had no signature made beforehand (its text was the
    # stored one): it is signed while saved, so a later near copy still finds its story.
    archive.save(_article(1, STORY))
    saved = archive.save_many([_article(1, OTHER), _article(1, STORY)])
    assert _outcomes(saved) == ["updated", "updated"]
    archive.save(_article(2, STORY + " The dam held, the ministry said."))
    clusters = archive.db.execute("SELECT id, cluster_id FROM articles ORDER BY id").fetchall()
    assert clusters == [(1, 1), (2, 1)]
