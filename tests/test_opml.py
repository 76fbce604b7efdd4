"""OPML through the CLI: `newsdesk sources import FILE.opml` and `newsdesk sources export --opml`."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.cli import main
from ingest.sources.config import load_sources

# 50 feeds of 36 sites, in folders nested three deep:
#   News / World:          herald (5 feeds), dailywire (3 feeds on feedburner, its htmlUrl names the site)
#   News / Local:          citytimes (4 feeds, no htmlUrl), gazette (2)
#   News / Local / Sport:  sportsdesk (3)
#   Tech:                  20 blogs of one feed each
#   top level:             10 blogs of one feed each, and a podcast site of 3 feeds
HERALD = [f"https://www.herald.example/rss/{s}.xml" for s in ("world", "politics", "business", "science", "opinion")]
DAILYWIRE = [f"https://feeds.feedburner.com/dailywire-{s}" for s in ("top", "asia", "europe")]
CITYTIMES = [f"https://city-times.example.co.uk/{s}/feed" for s in ("news", "traffic", "council", "schools")]
GAZETTE = ["https://gazette.example/rss", "https://gazette.example/atom"]
SPORTSDESK = [f"https://sportsdesk.example/{s}.rss" for s in ("football", "cricket", "tennis")]
TECH = [f"https://tech{n}.example.net/feed" for n in range(1, 21)]
BLOGS = [f"https://blog{n}.example.org/index.xml" for n in range(1, 11)]
PODCAST = ["https://podcast.example.com/episodes.rss", "https://podcast.example.com/shorts.rss",
           "https://podcast.example.com/extras.rss"]
ALL_FEEDS = HERALD + DAILYWIRE + CITYTIMES + GAZETTE + SPORTSDESK + TECH + BLOGS + PODCAST


def _outlines(urls: list[str], title: str, html: str | None = None) -> str:
    html_attr = f' htmlUrl="{html}"' if html else ""
    return "".join(f'<outline type="rss" text="{title}{f" - {i}" if len(urls) > 1 else ""}" '
                   f'xmlUrl="{url}"{html_attr}/>\n' for i, url in enumerate(urls, 1))


OPML = f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
<head><title>My subscriptions</title></head>
<body>
<outline text="News">
  <outline text="World">
{_outlines(HERALD, "The Herald", "https://www.herald.example/")}
{_outlines(DAILYWIRE, "Daily Wire &amp; Co", "https://dailywire.example/")}
  </outline>
  <outline text="Local">
{_outlines(CITYTIMES, "City Times")}
{_outlines(GAZETTE, "Gazette", "https://gazette.example/")}
    <outline text="Sport">
{_outlines(SPORTSDESK, "Sports Desk")}
    </outline>
  </outline>
</outline>
<outline title="Tech">
{"".join(_outlines([url], f"Tech blog {n}") for n, url in enumerate(TECH, 1))}
</outline>
{"".join(_outlines([url], f"Blog {n}") for n, url in enumerate(BLOGS, 1))}
{_outlines(PODCAST, "The Podcast")}
</body>
</opml>
"""

EXISTING = """\
# Our sources: reviewed every Monday.
[sources.mine]   # keep
feeds = ["https://mine.example/feed"]
"""


def run(*args: str, tmp_path: Path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "n.db"), "--sources", str(tmp_path / "sources.toml"),
                                       *args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def opml_file(tmp_path: Path) -> Path:
    path = tmp_path / "subs.opml"
    path.write_text(OPML, encoding="utf-8")
    return path


def test_the_fixture_is_what_its_comment_says():
    assert len(ALL_FEEDS) == len(set(ALL_FEEDS)) == 50
    assert OPML.count("xmlUrl=") == 50


def test_import_then_list_and_export(tmp_path, opml_file):
    result = run("sources", "import", str(opml_file), tmp_path=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "added 36 sources (50 feeds); skipped 0 feeds already configured"
    assert len(result.stdout.splitlines()) == 36
    assert "added [sources.herald-example] The Herald: 5 feeds" in result.stdout

    listed = run("sources", "--json", tmp_path=tmp_path)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert len(rows) == 36
    names = {r["source"]: r["name"] for r in rows}
    assert names["herald-example"] == "The Herald"
    assert names["dailywire-example"] == "Daily Wire & Co"
    assert names["city-times-example"] == "City Times"  # city-times.example.co.uk
    assert names["tech7-example"] == "Tech blog 7"

    sources = load_sources(tmp_path / "sources.toml")
    assert sum(len(s.feeds) for s in sources.values()) == 50
    assert sources["herald-example"].feeds == tuple(HERALD)
    assert sources["dailywire-example"].feeds == tuple(DAILYWIRE)  # grouped by htmlUrl, not feedburner
    assert sources["podcast-example"].feeds == tuple(PODCAST)
    text = (tmp_path / "sources.toml").read_text(encoding="utf-8")
    assert "# imported from subs.opml (News / World)\n[sources.herald-example]\n" in text
    assert "# imported from subs.opml (News / Local / Sport)\n[sources.sportsdesk-example]\n" in text
    assert "# imported from subs.opml\n[sources.blog3-example]\n" in text

    exported = run("sources", "export", "--opml", tmp_path=tmp_path)
    assert exported.exit_code == 0, exported.output
    root = ET.fromstring(exported.stdout)
    assert root.get("version") == "2.0"
    feeds = root.findall("./body/outline/outline")
    assert sorted(f.get("xmlUrl") for f in feeds) == sorted(ALL_FEEDS)
    assert {f.get("htmlUrl") for f in feeds if "feedburner" in f.get("xmlUrl")} == {"https://feeds.feedburner.com/"}
    assert len(root.findall("./body/outline")) == 36
    assert all(f.get("type") == "rss" and f.get("text") for f in feeds)

    out = tmp_path / "out.opml"
    assert run("sources", "export", "--opml", "-o", str(out), tmp_path=tmp_path).exit_code == 0
    assert out.read_text(encoding="utf-8").count("xmlUrl=") == 50


def test_importing_again_adds_nothing(tmp_path, opml_file):
    assert run("sources", "import", str(opml_file), tmp_path=tmp_path).exit_code == 0
    before = (tmp_path / "sources.toml").read_text(encoding="utf-8")
    again = run("sources", "import", str(opml_file), tmp_path=tmp_path)
    assert again.exit_code == 0, again.output
    assert again.stderr.strip() == "added 0 sources (0 feeds); skipped 50 feeds already configured"
    skipped = again.stdout.splitlines()
    assert len(skipped) == 50 and all(line.startswith("skipped https://") for line in skipped)
    assert f"skipped {HERALD[0]}: already configured in [sources.herald-example]" in skipped
    assert (tmp_path / "sources.toml").read_text(encoding="utf-8") == before


def test_an_existing_file_keeps_its_comments_and_its_feeds_are_skipped(tmp_path, opml_file):
    path = tmp_path / "sources.toml"
    path.write_text(EXISTING.replace("https://mine.example/feed", GAZETTE[0]), encoding="utf-8")
    original = path.read_text(encoding="utf-8")
    result = run("sources", "import", str(opml_file), tmp_path=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "added 36 sources (49 feeds); skipped 1 feeds already configured"
    assert f"skipped {GAZETTE[0]}: already configured in [sources.mine]" in result.stdout
    assert path.read_text(encoding="utf-8").startswith(original)
    sources = load_sources(path)
    assert len(sources) == 37 and sources["gazette-example"].feeds == (GAZETTE[1],)


def test_keys_taken_in_the_file_are_not_reused(tmp_path, opml_file):
    (tmp_path / "sources.toml").write_text('[sources.herald-example]\nsections = ["https://h.example/"]\n')
    assert run("sources", "import", str(opml_file), tmp_path=tmp_path).exit_code == 0
    sources = load_sources(tmp_path / "sources.toml")
    assert sources["herald-example"].feeds == () and sources["herald-example-2"].feeds == tuple(HERALD)


@pytest.mark.parametrize("content, message", [
    (b"this is not xml at all", "not an OPML file"),
    (b"<html><body><a href='https://x.example/rss'>feed</a></body></html>", "not an OPML file"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>', "not an OPML file"),
    (b'<opml version="2.0"><body><outline text="Empty folder"/></body></opml>', "holds no feeds"),
    (bytes(range(256)) * 4, "not an OPML file"),
    (None, "cannot read"),
])
def test_a_broken_file_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "broken.opml"
    if content is not None:
        path.write_bytes(content)
    result = run("sources", "import", str(path), tmp_path=tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"error: {path}: ") and message in result.stderr
    assert not (tmp_path / "sources.toml").exists()


def test_the_subcommands_leave_plain_sources_as_it_was(tmp_path):
    (tmp_path / "sources.toml").write_text(EXISTING, encoding="utf-8")
    result = run("sources", "--json", tmp_path=tmp_path)
    assert result.exit_code == 0, result.output
    assert [r["source"] for r in json.loads(result.stdout)] == ["mine"]
    plain = run("sources", tmp_path=tmp_path)
    assert plain.exit_code == 0 and "mine" in plain.stdout
