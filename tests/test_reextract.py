"""Per-site overrides reach extraction, and `reextract` rebuilds stored articles from their raw HTML."""
from __future__ import annotations

import hashlib

from click.testing import CliRunner

from ingest.boilerplate import line_key
from ingest.cli import main
from ingest.extract import extract_article
from ingest.models import Article
from ingest.options import extract_options_for
from ingest.run.reextract import reextract_archive
from ingest.sources.config import parse_source
from storage import Archive
from tests.sitegen import article_html, story

URL = "https://www.courier.example/local/bridge"
PROMO = "Our readers' club gets you tickets to the county fair at half price."


def _source(**overrides):
    return parse_source("courier", {"feeds": ["https://www.courier.example/feed.xml"], **overrides})


def _page_with_promo() -> str:
    promo = f'<div class="promo-box"><p>{PROMO}</p></div>'
    html = article_html("Ashford decides on the bridge", story(0), url=URL)
    return html.replace("</article>", promo + "\n    </article>")


def test_remove_selectors_drops_an_element_and_learned_lines_are_passed_on():
    html = _page_with_promo()
    assert PROMO in extract_article(html, URL).text
    options = extract_options_for(_source(remove_selectors=[".promo-box"]), [line_key(story(0)[-1])])
    assert options.remove_selectors == (".promo-box",) and options.boilerplate == {line_key(story(0)[-1])}
    text = extract_article(html, URL, options=options).text
    assert PROMO not in text
    assert story(0)[-1] not in text  # the learned line
    assert story(0)[0] in text


def test_body_selector_restricts_extraction():
    paragraphs = "".join(f"<p>{p}</p>" for p in story(0))
    other = "".join(f"<p>{p}</p>" for p in story(5))
    html = (f'<html><head><title>Ashford decides</title></head><body><main><h1>Ashford decides</h1>'
            f'<div class="col-a">{paragraphs}</div><div class="letters">{other}</div></main></body></html>')
    everything = extract_article(html, URL).text
    assert story(5)[0] in everything  # trafilatura keeps the rail's paragraphs on its own
    options = extract_options_for(_source(body_selector="div.col-a"))
    text = extract_article(html, URL, options=options).text
    assert story(5)[0] not in text
    assert text.splitlines() == story(0)
    assert extract_options_for(None).body_selector is None


def _dirty(article: Article, junk: list[str]) -> Article:
    """The article as an older, dirtier extractor stored it: junk lines in its text."""
    lines = article.text.splitlines()
    article.text = "\n".join(lines[:2] + junk + lines[2:])
    article.content_hash = hashlib.sha256(article.text.encode()).hexdigest()
    return article


def test_reextract_revises_only_the_articles_whose_text_changes(tmp_path):
    db = tmp_path / "news.db"
    archive = Archive(db)
    ids = []
    for i in range(4):
        url = f"https://www.courier.example/local/story-{i}"
        article = extract_article(article_html(f"Story {i} of the week", story(i), url=url), url)
        if i % 2 == 0:
            article = _dirty(article, ["Published: undefined", "Follow us on: Facebook, Twitter, Instagram"])
        ids.append(archive.save(article, source="courier").article_id)
    no_page = extract_article(article_html("No page kept", story(9), url=URL), URL)
    no_page.html = None
    archive.save(no_page, source="other")

    assert reextract_archive(archive, source="courier") == {"updated": 2, "unchanged": 2, "failed": 0, "no_html": 0}
    for i, article_id in enumerate(ids):
        stored = archive.get(article_id)
        assert stored["text"].splitlines() == story(i)
        assert stored["revision"] == (2 if i % 2 == 0 else 1)
        assert stored["source"] == "courier" and stored["url"].endswith(f"story-{i}")
    assert archive.revisions(ids[0])[0]["text"].count("Published: undefined") == 1
    # A second run finds nothing to do.
    assert reextract_archive(archive, source="courier")["updated"] == 0
    archive.close()

    result = CliRunner().invoke(main, ["--db", str(db), "reextract"])
    assert result.exit_code == 0, result.output
    assert "0 updated" in result.output and "4 unchanged" in result.output and "1 no_html" in result.output


def test_reextract_applies_lines_learned_after_an_article_was_stored(tmp_path):
    archive = Archive(tmp_path / "news.db")
    footer = "The Daily Courier is published every weekday in Springfield."
    # Stored without counting lines (an archive from before learning): reextract counts first.
    ids = []
    for i in range(6):
        url = f"https://www.courier.example/local/story-{i}"
        article = extract_article(article_html(f"Story {i} of the week", story(i) + [footer], url=url), url)
        ids.append(archive.save(article, source="courier").article_id)
    assert all(footer in archive.get(a)["text"] for a in ids)
    counts = reextract_archive(archive)
    assert counts["updated"] == 6
    assert archive.learned_boilerplate("courier.example") == {line_key(footer)}
    assert not any(footer in archive.get(a)["text"] for a in ids)
