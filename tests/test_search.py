"""Search over a real archive: ranking, filters, snippets, query syntax, collapse, the CLI."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.newsgen import NewsGenerator
from ingest.models import Article
from storage import Archive
from storage.search import QueryError

ROOT = Path(__file__).resolve().parents[1]


def make(url: str, title: str, text: str, *, source: str = "herald", lang: str | None = "en",
         published: str = "2023-05-01T10:00:00+02:00") -> Article:
    return Article(url=url, fetched_url=url, title=title, text=text, source=source, language=lang,
                   published_at=published, word_count=len(text.split()),
                   content_hash=hashlib.sha256(text.encode()).hexdigest())


WIRE = ("Flood waters rose across the northern valley overnight as rescue teams worked to reach "
        "villages cut off by the storm, officials said on Tuesday.\n"
        "Tromhaven and three neighbouring towns remained without power, and the regional "
        "government opened twelve shelters in schools and sports halls.\n"
        "Forecasters expect more rain through the weekend, and engineers were checking the "
        "Kellbrook dam, which held despite record inflows, the ministry said in a statement.")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search") / "news.db"
    gen = NewsGenerator(seed=5, topic_words=("parliament", "budget", "harbour"))
    with Archive(path) as archive:
        archive.save_many(gen.article() for _ in range(150))
        for article in [
            make("https://h.example/1", "Assange granted asylum by Ecuador",
                 "Ecuador's embassy in London confirmed the decision on Thursday.\n"
                 "Lawyers said political asylum had been requested weeks earlier.",
                 published="2021-03-01T09:00:00+00:00"),
            make("https://c.example/2", "Embassy statement on the extradition case",
                 "The statement mentions Assange and the extradition hearing twice; Assange's "
                 "lawyers declined to comment on asylum or on the political side of the case.",
                 source="chronicle", published="2022-06-10T12:00:00-04:00"),
            make("https://c.example/3", "U.S. election results delayed",
                 "Counting in the U.S. election slowed as covid-19 rules kept volunteers home.",
                 source="chronicle", lang="fr", published="2022-11-09T23:30:00-05:00"),
            make("https://h.example/4", "Flood waters rise in the northern valley", WIRE,
                 published="2023-04-02T08:00:00+02:00"),
            make("https://g.example/5", "Towns cut off as storm floods valley",
                 WIRE + "\nThis story was originally published by Reuters. Follow the Gazette on Twitter.",
                 source="gazette", published="2023-04-02T09:00:00+02:00"),
            make("https://t.example/6", "Valley flooding: rescue teams race to reach villages",
                 WIRE.split("\n", 1)[1], source="tribune", published="2023-04-02T10:30:00+01:00"),
            # on the edges of the filters: a bare date on the `since` day, late on the `until`
            # day (west of UTC), no language at all
            make("https://p.example/edge-since", "Parliament passes the budget at midnight",
                 "Members voted the budget through parliament just after midnight, ending a long session.",
                 source="post", published="2024-07-01"),
            make("https://h.example/edge-until", "Parliament budget talks run late",
                 "Talks on the budget in parliament ran until the last minutes of the day, aides said.",
                 published="2024-02-01T23:55:00-05:00"),
            make("https://h.example/no-language", "Parliament budget hearing streamed",
                 "The parliament hearing on the budget was streamed online with no language tag.", lang=None),
        ]:
            archive.save(article)
    return path


def ids(hits: list[dict]) -> list[int]:
    return [h["id"] for h in hits]


def by_url(archive: Archive, url: str) -> int:
    return archive.get(url)["id"]


def test_title_match_ranks_above_text_mentions(db: Path) -> None:
    with Archive(db) as archive:
        hits = archive.search("assange")
        assert ids(hits)[:2] == [by_url(archive, "https://h.example/1"), by_url(archive, "https://c.example/2")]
        assert hits[0]["rank"] <= hits[1]["rank"]


def test_snippets_highlight_the_matched_words(db: Path) -> None:
    with Archive(db) as archive:
        hit = archive.search("extradition hearing")[0]
        assert "[extradition] [hearing]" in hit["snippet"]
        marked = archive.search("embassy", highlight=("<b>", "</b>"))
        assert any("<b>embassy</b>" in h["snippet"] for h in marked)


@pytest.mark.parametrize("query", ["the", '"said in a statement"', "parl*", "budget OR harbour", "title:parliament"])
def test_snippets_are_the_same_walked_or_looked_up_by_rowid(db: Path, query: str) -> None:
    """search.snippets walks the matches between the chosen rows when they are few, else looks
    each chosen row up: either way, the same snippets."""
    from storage.search import snippets

    with Archive(db) as archive:
        chosen = [h["id"] for h in archive.search(query, limit=7)]
        assert len(chosen) >= 2
        walked = snippets(archive.conn, query, chosen, ("[", "]"), walk=True)
        looked_up = snippets(archive.conn, query, chosen, ("[", "]"), walk=False)
        assert walked == looked_up and set(walked) == set(chosen)
        if not query.startswith("title:"):  # snippets are of the text
            assert all("[" in snippet for snippet in walked.values())


def test_a_snippet_shows_whole_phrases_with_context() -> None:
    """FTS5's snippet() starts a window at a sentence and so cut phrases ("[said in]…");
    search.cut keeps every match whole, a few words in, and marks where the text goes on."""
    from storage.search import cut

    def marked(text: str, *matches: str) -> str:
        for match in matches:
            text = text.replace(match, "\ue000" + match + "\ue001")
        return text

    words = " ".join(f"w{i}" for i in range(1, 41))
    text = marked(words.replace("w20 w21 w22 w23", "w20 said in a statement w23"), "said in a statement")
    assert cut(text, ("[", "]"), 16) == "…w17 w18 w19 w20 [said in a statement] w23 w24 w25 w26 w27 w28 w29 w30…"
    # the window holding the most whole matches wins
    two = marked(words, "w5", "w30", "w33")
    assert cut(two, ("<b>", "</b>"), 8) == "…w28 w29 <b>w30</b> w31 w32 <b>w33</b> w34 w35…"
    # near the end the window slides back; no match in the text: its start
    assert cut(marked(words, "w39"), ("[", "]"), 5) == "…w36 w37 w38 [w39] w40"
    assert cut(words, ("[", "]"), 5) == "w1 w2 w3 w4 w5…"
    # a match longer than the window is cut, and still closed
    assert cut(marked(words, "w3 w4 w5 w6 w7 w8"), ("[", "]"), 4) == "…w2 [w3 w4 w5]…"


def test_filters_source_dates_language(db: Path) -> None:
    with Archive(db) as archive:
        assert ids(archive.search("assange", source="chronicle")) == [by_url(archive, "https://c.example/2")]
        assert ids(archive.search("assange", until="2021-03-01")) == [by_url(archive, "https://h.example/1")]
        assert ids(archive.search("assange", since="2021-03-02")) == [by_url(archive, "https://c.example/2")]
        assert ids(archive.search("election", language="fr")) == [by_url(archive, "https://c.example/3")]
        assert archive.search("assange", language="fr") == []


def test_phrase_and_prefix_queries(db: Path) -> None:
    with Archive(db) as archive:
        assert ids(archive.search('"political asylum"')) == [by_url(archive, "https://h.example/1")]
        assert set(ids(archive.search("assang*"))) == {by_url(archive, "https://h.example/1"),
                                                        by_url(archive, "https://c.example/2")}
        assert ids(archive.search("title:assange")) == [by_url(archive, "https://h.example/1")]


@pytest.mark.parametrize("query", ["U.S. election", "covid-19", "Counting: slowed", "u.s. electio*"])
def test_plain_text_with_punctuation_just_works(db: Path, query: str) -> None:
    with Archive(db) as archive:
        assert ids(archive.search(query)) == [by_url(archive, "https://c.example/3")]


@pytest.mark.parametrize("query", ['"political asylum', "(assange OR", "assange AND", "   "])
def test_broken_operator_syntax_raises_query_error(db: Path, query: str) -> None:
    with Archive(db) as archive, pytest.raises(QueryError):
        archive.search(query)


def test_collapse_shows_each_story_once_with_copies(db: Path) -> None:
    with Archive(db) as archive:
        plain = archive.search("Kellbrook dam")
        assert len(plain) == 3
        assert {h["cluster_id"] for h in plain} == {plain[0]["cluster_id"]}
        assert all(h["copies"] == 2 for h in plain)
        collapsed = archive.search("Kellbrook dam", collapse=True)
        assert len(collapsed) == 1 and collapsed[0]["copies"] == 2
        assert collapsed[0]["id"] == plain[0]["id"]  # the best-ranked copy stands for the story


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", "--db", str(db), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_cli_bad_query_is_one_line_and_exit_2(db: Path) -> None:
    result = cli(db, "search", '"political asylum')
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot parse search query")


def test_cli_search_json_collapse_and_show_copies(db: Path) -> None:
    result = cli(db, "search", "flood valley", "--collapse", "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 1 and hits[0]["copies"] == 2
    assert list(hits[0])[:21] == ["id", "url", "fetched_url", "source", "site_name", "title", "author",
                                  "published_at", "modified_at", "language", "text", "description", "tags",
                                  "categories", "image", "word_count", "content_hash", "first_seen",
                                  "last_seen", "revision", "cluster_id"]
    text = cli(db, "search", "flood valley", "--collapse")
    assert "(+2 copies)" in text.stdout
    shown = json.loads(cli(db, "show", str(hits[0]["id"]), "--json").stdout)
    assert sorted(c["source"] for c in shown["copies"]) == sorted(
        {"herald", "gazette", "tribune"} - {hits[0]["source"]})
    page = cli(db, "show", str(hits[0]["id"])).stdout
    assert "the same story elsewhere (2)" in page


def reference(archive: Archive, match: str, where: str, params: dict, collapse: bool, limit: int) -> list[int]:
    """The ranked ids as one SQL statement over the join computes them (the pre-v4 query)."""
    cond = f" AND {where}" if where else ""
    rows = archive.conn.execute(
        "SELECT a.id, f.rank, coalesce(a.cluster_id, a.id) FROM articles_fts f JOIN articles a ON a.id = f.rowid "
        f"WHERE articles_fts MATCH :match AND f.rank MATCH 'bm25(5.0, 1.0)'{cond} ORDER BY f.rank, a.id",
        {"match": match, **params}).fetchall()
    out, seen = [], set()
    for article_id, _, story in rows:
        if collapse and story in seen:
            continue
        seen.add(story)
        out.append(article_id)
    return out[:limit]


# Each filter as plain SQL over the articles table (a.), written out: the day a story was
# published is the date part of its ISO 8601 published_at, in the page's own offset.
FILTERS_AS_SQL = [
    ({}, ""),
    ({"language": "de"}, "a.language = 'de'"),
    ({"source": "post", "since": "2024-07-01"}, "a.source = 'post' AND substr(a.published_at, 1, 10) >= '2024-07-01'"),
    ({"until": "2024-02-01"}, "substr(a.published_at, 1, 10) <= '2024-02-01'"),
    ({"language": "fr", "source": "herald"}, "a.language = 'fr' AND a.source = 'herald'"),
]


@pytest.mark.parametrize("kwargs, where", FILTERS_AS_SQL, ids=["-".join(f"{k}={v}" for k, v in f.items()) or "none" for f, _ in FILTERS_AS_SQL])
@pytest.mark.parametrize("collapse", [False, True])
def test_filtered_and_collapsed_search_match_a_plain_sql_reference(db: Path, kwargs: dict, where: str,
                                                                    collapse: bool) -> None:
    """Filters read the ranked matches in chunks (the first holds 50): rare filters need several."""
    with Archive(db) as archive:
        for query, limit in (("parliament", 20), ("budget OR harbour", 3), ("the", 60)):
            expected = reference(archive, query, where, {}, collapse, limit)
            got = ids(archive.search(query, limit=limit, collapse=collapse, **kwargs))
            assert sorted(got) == sorted(expected)  # ties in rank may come in either order
            ranks = [h["rank"] for h in archive.search(query, limit=limit, collapse=collapse, **kwargs)]
            assert ranks == sorted(ranks)
        assert len(reference(archive, "the", where, {}, collapse, 1000)) > 0


def test_optimize_merges_the_index_and_keeps_results(tmp_path: Path) -> None:
    gen = NewsGenerator(seed=8, topic_words=("parliament", "budget"))
    with Archive(tmp_path / "news.db") as archive:
        for _ in range(6):  # one full-text segment per transaction
            archive.save_many(gen.article() for _ in range(20))
        segments = "SELECT count(DISTINCT segid) FROM articles_fts_idx"
        assert archive.conn.execute(segments).fetchone()[0] > 1
        before = [(h["id"], h["rank"]) for h in archive.search("parliament budget", limit=50)]
        assert archive.optimize(pages=50) > 1
        assert archive.conn.execute(segments).fetchone()[0] == 1
        assert [(h["id"], h["rank"]) for h in archive.search("parliament budget", limit=50)] == before
        archive.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        # FTS5's own rank is the title-weighted BM25 newsdesk ranks with (migration 4)
        plain = [r[0] for r in archive.conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'parliament' ORDER BY rank LIMIT 10")]
        assert plain == ids(archive.search("parliament", limit=10))


def test_broad_query_is_ranked_among_its_newest_matches(tmp_path: Path) -> None:
    """A query matching more than `window` articles is ranked among the `window` most recently
    stored; window=None ranks all, and filters that leave too few in the window widen it."""
    with Archive(tmp_path / "news.db") as archive:
        oldest = archive.save(make("https://h.example/old", "Harbour harbour harbour",
                                   "The harbour reopened.")).article_id
        others = [archive.save(make(f"https://h.example/{i}", f"Council notes {i}",
                                    f"Item {i}: the harbour budget was read out at the council meeting.",
                                    source="chronicle" if i < 3 else "herald")).article_id
                  for i in range(12)]
        windowed = archive.search("harbour", window=5)
        assert [h["id"] for h in windowed] and {h["id"] for h in windowed} == set(others[-5:])
        ranked = [h["rank"] for h in windowed]
        assert ranked == sorted(ranked)
        assert archive.search("harbour", window=None)[0]["id"] == oldest  # best match, oldest stored
        assert archive.search("harbour")[0]["id"] == oldest  # under RANK_WINDOW matches: all ranked
        # chronicle's three are all older than the window: the filtered search ranks every match
        assert {h["id"] for h in archive.search("harbour", source="chronicle", window=5)} == set(others[:3])
