"""The CLI as users run it: a real subprocess, real files, exit codes and one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = """<html><head><title>Council expands bus network | City Times</title>
<meta property="og:title" content="Council expands bus network"></head><body><article>
<h1>Council expands bus network</h1>
<p>The council voted on Tuesday to expand the city's bus network, adding twelve new routes that will
connect outlying districts to the centre by next spring.</p>
<p>Officials said the plan would cost about 40 million euros over five years and would be funded in part
by a new congestion charge on private cars entering the old town.</p>
<p>Opposition members criticised the timing, arguing that residents were still recovering from last
year's fare increases and deserved a pause.</p></article></body></html>"""


def newsdesk(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ingest", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(command):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


SUBCOMMANDS = sorted((name, sub) for name, command in main.commands.items()
                     for sub in getattr(command, "commands", {}))


def test_there_are_subcommands_to_check():
    assert ("sources", "import") in SUBCOMMANDS and ("sources", "export") in SUBCOMMANDS


@pytest.mark.parametrize("group, command", SUBCOMMANDS)
def test_every_subcommand_has_help_with_an_example(group, command):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, [group, command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_ingest_html_then_search_show_export(tmp_path):
    db = tmp_path / "n.db"
    page = tmp_path / "page.html"
    page.write_text(ARTICLE)
    url = "https://city.example/news/council-expands-bus-network"
    first = newsdesk("ingest", "--html", str(page), "--url", url, db=db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == [url, "new"]
    again = newsdesk("ingest", "--html", str(page), "--url", url, db=db)
    assert again.stdout.split() == [url, "unchanged"]

    hits = json.loads(newsdesk("search", "congestion", "--json", db=db).stdout)
    assert [h["url"] for h in hits] == [url]
    assert "[congestion]" in hits[0]["snippet"]
    shown = json.loads(newsdesk("show", url, "--json", db=db).stdout)
    assert shown["title"] == "Council expands bus network"
    assert "Council expands bus network" not in shown["text"]
    lines = newsdesk("export", db=db).stdout.splitlines()
    assert [json.loads(line)["url"] for line in lines] == [url]


@pytest.mark.parametrize("args, message", [
    (["ingest", "--html", "missing.html", "--url", "https://x.example/a"], "no such file"),
    (["show", "999"], "no article"),
])
def test_bad_input_is_one_line_and_exit_1(tmp_path, args, message):
    result = newsdesk(*args, db=tmp_path / "n.db")
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_query_and_bad_sources_exit_2(tmp_path):
    result = newsdesk("search", '"unbalanced', db=tmp_path / "n.db")
    assert result.returncode == 2 and "cannot parse search query" in result.stderr
    bad = tmp_path / "sources.toml"
    bad.write_text('[sources.herald]\nfeeds = ["https://h.example/rss"]\ndelay = "fast"\n')
    result = newsdesk("--sources", str(bad), "sources", db=tmp_path / "n.db")
    assert result.returncode == 2
    assert "[sources.herald] delay" in result.stderr and "Traceback" not in result.stderr


# -- show --revisions, search --all-matches, the --db default ------------------------------------

REVISED = ARTICLE.replace("about 40 million euros", "about 55 million euros").replace(
    "deserved a pause.", "deserved a pause before any new charge.")


def test_show_revisions_lists_the_earlier_text(tmp_path):
    db = tmp_path / "n.db"
    url = "https://city.example/news/council-expands-bus-network"
    first, second = tmp_path / "first.html", tmp_path / "second.html"
    first.write_text(ARTICLE)
    second.write_text(REVISED)
    assert newsdesk("ingest", "--html", str(first), "--url", url, db=db).stdout.split() == [url, "new"]
    assert newsdesk("ingest", "--html", str(second), "--url", url, db=db).stdout.split() == [url, "updated"]

    plain = newsdesk("show", url, db=db)
    assert plain.returncode == 0, plain.stderr
    assert "55 million euros" in plain.stdout and "40 million euros" not in plain.stdout
    assert "(revision 2)" in plain.stdout

    shown = newsdesk("show", url, "--revisions", db=db)
    assert shown.returncode == 0, shown.stderr
    current, _, earlier = shown.stdout.partition("\n--- revision 1 seen ")
    assert earlier, f"no earlier revision listed:\n{shown.stdout}"
    assert "55 million euros" in current and "40 million euros" not in current
    assert "about 40 million euros" in earlier and "deserved a pause." in earlier
    data = json.loads(newsdesk("show", url, "--revisions", "--json", db=db).stdout)
    assert [r["revision"] for r in data["revisions"]][:1] == [1]
    assert "about 40 million euros" in data["revisions"][0]["text"]


def test_search_all_matches_ranks_matches_beyond_the_window(tmp_path):
    """By default a query matching more than RANK_WINDOW articles is ranked among the most
    recently stored RANK_WINDOW of them; --all-matches ranks every match."""
    import hashlib

    from ingest.models import Article
    from storage import Archive
    from storage.search import RANK_WINDOW

    def article(url: str, title: str, text: str) -> Article:
        return Article(url=url, fetched_url=url, title=title, text=text, source="herald", language="en",
                       word_count=len(text.split()), content_hash=hashlib.sha256(text.encode()).hexdigest())

    db = tmp_path / "n.db"
    with Archive(db) as archive:
        # the best match for "harbour", stored first: outside the newest RANK_WINDOW matches
        archive.save(article("https://h.example/old", "Harbour harbour harbour", "The harbour reopened."))
        archive.save_many(article(f"https://h.example/{i}", f"Council notes {i}",
                                  " ".join(f"w{i}n{j}" for j in range(20)) + " harbour.")
                          for i in range(RANK_WINDOW))
    default = newsdesk("search", "harbour", "--limit", "5", "--json", db=db)
    assert default.returncode == 0, default.stderr
    urls = [h["url"] for h in json.loads(default.stdout)]
    assert len(urls) == 5 and "https://h.example/old" not in urls
    every = newsdesk("search", "harbour", "--limit", "5", "--all-matches", "--json", db=db)
    assert every.returncode == 0, every.stderr
    assert [h["url"] for h in json.loads(every.stdout)][0] == "https://h.example/old"
    text = newsdesk("search", "harbour", "--limit", "1", "--all-matches", db=db)
    assert "Harbour harbour harbour" in text.stdout.splitlines()[0]


def run_in(cwd: Path, *args: str, env_db: str | None) -> subprocess.CompletedProcess[str]:
    """The CLI from another working directory, without --db, with or without $NEWSDESK_DB."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "NEWSDESK_DB"}
    env["PYTHONPATH"] = str(ROOT)
    if env_db is not None:
        env["NEWSDESK_DB"] = env_db
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def stored_urls(db: Path) -> list[str]:
    from sqlite_utils import Database

    return [r["url"] for r in Database(db).query("SELECT url FROM articles")]


def test_db_defaults_to_newsdesk_db_env_then_newsdesk_db_here(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(ARTICLE)
    url = "https://city.example/news/council-expands-bus-network"
    work = tmp_path / "work"
    work.mkdir()

    elsewhere = tmp_path / "elsewhere" / "archive.db"
    elsewhere.parent.mkdir()
    result = run_in(work, "ingest", "--html", str(page), "--url", url, env_db=str(elsewhere))
    assert result.returncode == 0, result.stderr
    assert stored_urls(elsewhere) == [url]
    assert not (work / "newsdesk.db").exists()
    shown = run_in(work, "show", url, "--json", env_db=str(elsewhere))
    assert json.loads(shown.stdout)["url"] == url

    result = run_in(work, "ingest", "--html", str(page), "--url", url, env_db=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [url, "new"]  # a new archive, not the one of $NEWSDESK_DB
    assert stored_urls(work / "newsdesk.db") == [url]
    # --db wins over $NEWSDESK_DB
    chosen = tmp_path / "chosen.db"
    result = run_in(work, "--db", str(chosen), "ingest", "--html", str(page), "--url", url, env_db=str(elsewhere))
    assert result.stdout.split() == [url, "new"] and stored_urls(chosen) == [url]
