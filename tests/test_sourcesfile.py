"""Appending sources to a user's sources.toml: their bytes kept, the new tables valid, the write atomic."""
from __future__ import annotations

import os

import pytest

from ingest.errors import ConfigError
from ingest.sources.config import load_sources
from ingest.sources.file import NewSource, append_sources, configured_feeds, key_for_url, unique_key

USER_FILE = """\
# My sources. Hand-edited; keep this comment.

[sources.herald]                 # the Herald, since 2019
name = "National Herald"
feeds = ["https://www.nationalheraldindia.com/stories.rss"]   # main feed
schedule = "*/30 * * * *"


# dormant, but keep the blank lines above and this comment
[sources.wire]
sections = [
  "https://wire.example/world",  # world desk
]
"""


def test_appended_sources_round_trip_and_keep_the_users_bytes(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    append_sources(path, [
        NewSource("citytimes", {"name": 'City "Times"', "feeds": ["https://city.example/rss", "https://city.example/atom"],
                                "sections": ["https://city.example/local"], "schedule": "every 30m", "delay": 2.5,
                                "article_pattern": r"/local/\d{4}/[a-z-]+$"},
                  comment=["found by newsdesk sources add", "two feeds"], notes={"feeds": "RSS and Atom"}),
        NewSource("gazette", {"news_sitemaps": ["https://gazette.example/news.xml"], "max_pages": 50}),
    ])
    text = path.read_text(encoding="utf-8")
    assert text.startswith(USER_FILE)
    added = text[len(USER_FILE):]
    assert "# found by newsdesk sources add\n# two feeds\n[sources.citytimes]\n" in added
    assert '"https://city.example/atom",\n]  # RSS and Atom\n' in added  # several elements: one per line
    assert 'sections = ["https://city.example/local"]\n' in added
    assert "article_pattern = '/local/\\d{4}/[a-z-]+$'\n" in added  # a regex as written, in a literal string
    assert not text.endswith("\n\n")

    sources = load_sources(path)
    assert list(sources) == ["herald", "wire", "citytimes", "gazette"]
    city = sources["citytimes"]
    assert city.name == 'City "Times"'
    assert city.feeds == ("https://city.example/rss", "https://city.example/atom")
    assert city.schedule.every_s == 1800 and city.delay == 2.5
    assert city.article_pattern == r"/local/\d{4}/[a-z-]+$"
    assert sources["gazette"].max_pages == 50 and sources["gazette"].name == "gazette"
    assert sources["herald"].feeds == ("https://www.nationalheraldindia.com/stories.rss",)


def test_a_missing_file_is_created(tmp_path):
    path = tmp_path / "new.toml"
    append_sources(path, [NewSource("a", {"feeds": ["https://a.example/rss"]}, comment=["first"])])
    assert path.read_text(encoding="utf-8") == '# first\n[sources.a]\nfeeds = ["https://a.example/rss"]\n'
    assert list(load_sources(path)) == ["a"]


def test_a_file_without_a_final_newline_gets_a_blank_line_before_the_new_table(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_bytes(b'[sources.a]\r\nfeeds = ["https://a.example/rss"]  # crlf')
    append_sources(path, [NewSource("b", {"feeds": ["https://b.example/rss"]})])
    data = path.read_bytes()
    assert data == (b'[sources.a]\r\nfeeds = ["https://a.example/rss"]  # crlf\r\n\r\n'
                    b'[sources.b]\r\nfeeds = ["https://b.example/rss"]\r\n')
    assert list(load_sources(path)) == ["a", "b"]


@pytest.mark.parametrize("new, message", [
    ([NewSource("herald", {"feeds": ["https://x.example/rss"]})], "[sources.herald] already exists"),
    ([NewSource("x", {"feeds": ["https://x.example/rss"]}), NewSource("x", {"sections": ["https://x.example/"]})],
     "[sources.x] already exists"),
    ([NewSource("ok", {"feeds": ["https://ok.example/rss"]}), NewSource("bad", {"delay": 1})],
     "[sources.bad]: a source needs at least one of"),
    ([NewSource("bad", {"feeds": ["ftp://x.example/rss"]})], "[sources.bad] feeds: expected an http(s) URL"),
    ([NewSource("bad", {"feeds": ["https://x.example/rss"], "colour": "red"})], "colour: unknown key"),
    ([NewSource("9lives", {"feeds": ["https://x.example/rss"]})], "the key must start with a letter"),
])
def test_a_bad_or_duplicate_source_writes_nothing(tmp_path, new, message):
    path = tmp_path / "sources.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    before = path.stat()
    with pytest.raises(ConfigError) as caught:
        append_sources(path, new)
    assert message in str(caught.value)
    assert path.read_text(encoding="utf-8") == USER_FILE
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(os.listdir(tmp_path)) == ["sources.toml"]


def test_the_write_replaces_the_file_whole(tmp_path):
    """A new file renamed over the old one (a reader sees one or the other, never half),
    with the old file's permissions, no temporary file left, a symlink kept."""
    real = tmp_path / "real.toml"
    real.write_text(USER_FILE, encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "sources.toml"
    link.symlink_to(real)
    with open(real, encoding="utf-8") as reader:  # opened before: still reads the old bytes
        inode = real.stat().st_ino
        append_sources(link, [NewSource("c", {"feeds": ["https://c.example/rss"]})])
        assert reader.read() == USER_FILE
    assert real.stat().st_ino != inode
    assert real.stat().st_mode & 0o777 == 0o640
    assert link.is_symlink() and "[sources.c]" in link.read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["real.toml", "sources.toml"]


def test_an_invalid_file_is_a_config_error_and_is_left_alone(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("[sources.a\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        append_sources(path, [NewSource("b", {"feeds": ["https://b.example/rss"]})])
    assert path.read_text(encoding="utf-8") == "[sources.a\n"


def test_configured_feeds(tmp_path):
    path = tmp_path / "sources.toml"
    assert configured_feeds(path) == {}
    path.write_text(USER_FILE + '[sources.single]\nfeeds = "https://s.example/feed"\n'
                    '[sources.two]\nfeeds = ["https://t.example/a", "https://t.example/b"]\n', encoding="utf-8")
    assert configured_feeds(path) == {
        "https://www.nationalheraldindia.com/stories.rss": "herald", "https://s.example/feed": "single",
        "https://t.example/a": "two", "https://t.example/b": "two",
    }


@pytest.mark.parametrize("url, key", [
    ("https://www.nationalheraldindia.com/x", "nationalheraldindia"),
    ("https://news.example.co.uk", "news-example"),
    ("https://www.bbc.co.uk/news", "bbc"),
    ("http://feeds.feedburner.com/x", "feeds-feedburner"),
    ("https://www.spiegel.de/", "spiegel"),
    ("https://herald.example/rss", "herald-example"),
    ("http://127.0.0.1:8080/feed", "site-127-0-0-1"),
    ("https://www.süddeutsche.de/", "suddeutsche"),
    ("https://3quarks.com/", "site-3quarks"),
    ("www.example.com", "example"),
    ("not a url", "not-a-url"),
    ("", "source"),
])
def test_key_for_url(url, key):
    assert key_for_url(url) == key


def test_unique_key():
    assert unique_key([], "herald") == "herald"
    assert unique_key(["herald", "herald-2"], "herald") == "herald-3"
    assert unique_key(["x"], "The Herald!") == "The-Herald"
    assert unique_key([], "42") == "site-42"
