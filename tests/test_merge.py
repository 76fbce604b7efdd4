"""Shards and merging without a broker: a task crawled into a shard (ingest.distributed.shards.run_task, as
a worker runs it) and folded into the main archive (ingest.distributed.merge)."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from crawl_fixtures import FixtureSite, rss
from ingest.distributed.merge import merge_dir
from ingest.distributed.shards import make_task, run_task
from ingest.sources.config import load_sources
from storage import Archive


def _one_source(tmp_path: Path, site: FixtureSite, stories: list[int]) -> Path:
    site.add("/feed.xml", rss(site.base, stories), "application/rss+xml")
    site.add_articles(stories)
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[sources.one]\nfeeds = ["{site.base}/feed.xml"]\ndelay = 0\n')
    return sources


def _task(tmp_path: Path, slot: str):
    sources = load_sources(tmp_path / "sources.toml")
    with Archive(tmp_path / "main.db") as archive:
        return make_task(archive, tmp_path / "sources.toml", [sources["one"]], slot=slot, timeout_s=60)


def test_a_shard_is_seeded_so_its_crawl_fetches_only_what_the_archive_lacks(tmp_path: Path):
    with FixtureSite("127.0.0.70") as site:
        _one_source(tmp_path, site, [1, 2, 3])
        run_task(_task(tmp_path, "2026-12-01T10:00:00"), tmp_path / "shards")
        with Archive(tmp_path / "main.db") as archive:
            (result,) = merge_dir(archive, tmp_path / "shards")
        assert result.merged and (result.runs[0]["new"], result.runs[0]["status"]) == (3, "ok")

        _one_source(tmp_path, site, [1, 2, 3, 4])  # one new story
        site.clear_hits()
        task = _task(tmp_path, "2026-12-01T10:15:00")
        assert len(task.known_urls) == 3 and task.feed_state[0]["etag"] is None and task.feed_state[0]["body_hash"]
        run_task(task, tmp_path / "shards")
        fetched = [path for path, _ in site.hits if path.startswith("/news/")]
        assert fetched == ["/news/2024/05/story-number-4-about-the-council"]
        with Archive(tmp_path / "main.db") as archive:
            (result,) = merge_dir(archive, tmp_path / "shards")
            assert (result.runs[0]["new"], result.runs[0]["pages"]) == (1, 1)
            assert archive.count() == 4


def test_outcomes_are_decided_against_the_main_archive(tmp_path: Path):
    """Two shards of the same pages (two workers' copies under different keys): the shard
    thought every page new; the second merge finds them stored and counts them unchanged."""
    with FixtureSite("127.0.0.71") as site:
        _one_source(tmp_path, site, [5, 6])
        shard = run_task(_task(tmp_path, "2026-12-01T11:00:00"), tmp_path / "shards")
    (tmp_path / "again").mkdir()
    shutil.copy(shard, tmp_path / "again" / "20261201110000-other.shard.db")
    with Archive(tmp_path / "main.db") as archive:
        (first,) = merge_dir(archive, tmp_path / "shards")
        (second,) = merge_dir(archive, tmp_path / "again")
        assert (first.runs[0]["new"], first.runs[0]["unchanged"]) == (2, 0)
        assert (second.runs[0]["new"], second.runs[0]["unchanged"]) == (0, 2)
        assert archive.count() == 2 and len(archive.revisions(1)) == 1


def test_a_part_file_is_never_merged_and_a_merge_that_died_is_replayed(tmp_path: Path):
    with FixtureSite("127.0.0.72") as site:
        _one_source(tmp_path, site, [7, 8])
        shard = run_task(_task(tmp_path, "2026-12-01T12:00:00"), tmp_path / "shards")
    (tmp_path / "shards" / "20261201120500-0000.1234abcd.part").write_bytes(shard.read_bytes())

    # a merger that died half-way: its claim, a run and a fetch it wrote, no "merged"
    with Archive(tmp_path / "main.db") as archive, archive.write() as conn:
        run_id = conn.execute("INSERT INTO runs (source, started_at, status) VALUES ('one', 'x', 'running')").lastrowid
        conn.execute("INSERT INTO fetches (url, source, run_id, status, outcome) VALUES ('u', 'one', ?, 200, 'error')",
                     (run_id,))
        conn.execute("INSERT INTO merged_shards (name, state, run_ids) VALUES (?, 'merging', ?)",
                     (shard.name, json.dumps([run_id])))

    with Archive(tmp_path / "main.db") as archive:
        results = merge_dir(archive, tmp_path / "shards")
        assert [r.shard for r in results] == [shard.name]
        assert [(r["new"], r["status"]) for r in archive.runs("one")] == [(2, "ok")]
    conn = sqlite3.connect(tmp_path / "main.db")
    assert conn.execute("SELECT count(*) FROM fetches").fetchone() == (2,)
    assert conn.execute("SELECT state FROM merged_shards").fetchall() == [("merged",)]
    assert (tmp_path / "shards" / "20261201120500-0000.1234abcd.part").exists()


def test_a_shard_that_is_not_an_archive_is_set_aside_with_one_line_and_the_others_are_merged(tmp_path: Path):
    import subprocess
    import sys

    with FixtureSite("127.0.0.73") as site:
        _one_source(tmp_path, site, [9])
        good = run_task(_task(tmp_path, "2026-12-01T13:00:00"), tmp_path / "shards")
    bad = tmp_path / "shards" / "20261201120000-garbage.shard.db"
    bad.write_bytes(b"not an archive at all" * 100)
    done = subprocess.run([sys.executable, "-m", "ingest", "--db", str(tmp_path / "main.db"), "merge",
                           str(tmp_path / "shards")], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"error: shard {bad} is not a readable archive" in done.stderr
    assert "merged 1 shards (0 merged before)" in done.stderr
    assert (tmp_path / "shards" / (bad.name + ".bad")).exists() and not good.exists()
    with Archive(tmp_path / "main.db") as archive:
        assert archive.count() == 1
        assert archive.conn.execute("SELECT name, state FROM merged_shards").fetchall() == [(good.name, "merged")]


def test_a_merged_shard_learns_a_sites_lines_as_a_local_crawl_does(tmp_path: Path):
    """The merge keys the shard's lines in a helper process while it stores them; the archive
    must learn and strip exactly what storing and learning the same pages locally does."""
    from ingest.distributed.merge import merge_shard
    from ingest.models import Article

    footer = "The Daily Courier is published every weekday in Springfield."
    names = ["".join(chr(ord("a") + int(d)) for d in str(i)) for i in range(1010)]  # 12 -> "bc": no digits
    # more than one merge chunk of 1,000; the footer in the first ten and the last two
    pages = [Article(url=f"https://courier.example/{name}", fetched_url=f"https://courier.example/{name}",
                     title=f"Story {name}", text=f"Story {name} opens with its own words.\nStory {name} goes on."
                     + (f"\n{footer}" if i < 10 or i >= 1008 else ""), source="one") for i, name in enumerate(names)]
    with Archive(tmp_path / "shard.part") as shard:
        run_id = shard.start_run("one")
        shard.save_many(pages, source="one", run_id=run_id)
        shard.finish_run(run_id, "ok", shard.run_counts(run_id))
    (tmp_path / "x.shard.db").write_bytes((tmp_path / "shard.part").read_bytes())

    with Archive(tmp_path / "local.db") as local, Archive(tmp_path / "main.db") as main:
        saved = local.save_many(pages, source="one")
        local.learn_many([s.article_id for s in saved])
        assert merge_shard(main, tmp_path / "x.shard.db", keep=True).merged
        learned = "SELECT site, line_key, support, site_articles FROM learned_lines"
        assert main.conn.execute(learned).fetchall() == local.conn.execute(learned).fetchall() == [
            ("courier.example", "the daily courier is published every weekday in springfield", 5, 5)]
        texts = "SELECT url, text FROM articles ORDER BY url"
        assert main.conn.execute(texts).fetchall() == local.conn.execute(texts).fetchall()
        assert main.conn.execute("SELECT count(*) FROM articles WHERE text LIKE '%Daily Courier%'").fetchone() == (0,)
        assert main.conn.execute("SELECT articles FROM site_stats").fetchall() == [(1010,)]
