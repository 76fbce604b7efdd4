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
