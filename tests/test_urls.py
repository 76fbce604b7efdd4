"""URL normalization: the one spelling shared by fetched URLs, seen-checks and canonical URLs."""
from __future__ import annotations

import pytest
from lxml import html

from ingest import links, urls
from ingest.links import normalize
from ingest.urls import canonical_url

# Ordinary news URLs, already in normal form: both earlier normalizers (links.normalize and
# urls.normalize_url before they became one, commit 7e847a0) returned each of them unchanged,
# so the keys already stored for them must not move.
PLAIN = [
    "https://www.example.com/",
    "https://www.example.com/world/2024/05/31/story-one",
    "https://www.example.com/world/2024/05/31/story-one/",
    "https://news.example.co.uk/politics/article-12345678.html",
    "https://example.com/a/story?id=123",
    "https://example.com/a/story?id=123&page=2",
    "https://example.com/news/2024/05/30/the-budget-vote,123456.html",
    "https://example.de/politik/ausland/wahl-a-1f2e3d4c-0001-0002-0003-000000000004",
    "https://example.com/caf%C3%A9-story",
    "http://example.org:8080/story-1",
    "http://127.0.0.1:8080/matrix/story-one",
]

# Spellings that both earlier normalizers already agreed on: still the same.
AGREED = [
    ("HTTP://Example.COM:80/a/story-one?utm_source=rss&b=2&a=1&fbclid=x#top", "http://example.com/a/story-one?a=1&b=2"),
    ("https://example.com", "https://example.com/"),
    ("https://Example.com:443/x", "https://example.com/x"),
    ("http://ex.com/x?page=2&sessionid=abc&ref=home", "http://ex.com/x?page=2"),
    ("http://ex.com/x?mc_cid=1&mc_eid=2&igshid=3&_ga=4&dclid=5&gclid=6", "http://ex.com/x"),
    ("http://ex.com/x?UTM_Source=a&b=1", "http://ex.com/x?b=1"),
    ("http://ex.com/a b?c d=e f", "http://ex.com/a%20b?c+d=e+f"),
    ("http://ex.com/café-üï", "http://ex.com/caf%C3%A9-%C3%BC%C3%AF"),
    ("http://ex.com//double//slash", "http://ex.com/double/slash"),
    ("http://ex.com/x?a=1&amp;b=2", "http://ex.com/x?a=1&b=2"),
    ("http://ex.com/x?flag&a=1", "http://ex.com/x?a=1"),
    ("  http://ex.com/x#frag  ", "http://ex.com/x"),
]

CASES = [
    # trackers: the union of courlan's list, the crawler's and the canonical URLs' extra ones
    ("http://ex.com/s?utm_medium=x&utm_whatever=y&id=7", "http://ex.com/s?id=7"),
    ("http://ex.com/s?fbclid=a&gclid=b&msclkid=c&id=7", "http://ex.com/s?id=7"),
    ("http://ex.com/s?ocid=a&cmpid=b&icid=c&id=7", "http://ex.com/s?id=7"),
    ("https://ex.com/s?outputType=amp", "https://ex.com/s"),
    ("https://ex.com/s?amp=1&at_medium=social&wt.mc_id=x&WT_ref=y&ns_campaign=z&smid=tw&id=7",
     "https://ex.com/s?id=7"),
    ("http://ex.com/s?shared=1&amplify=2", "http://ex.com/s?amplify=2&shared=1"),  # exact names only
    # fragments, ports, case
    ("http://ex.com/x#!/hash", "http://ex.com/x"),
    ("http://ex.com:8080/x#c", "http://ex.com:8080/x"),
    ("https://ex.com:80/x", "https://ex.com:80/x"),  # 80 is not https's default
    ("HTTPS://User:Pw@EX.COM/Path/Case", "https://User:Pw@ex.com/Path/Case"),  # path case is the server's
    ("http://ex.com:/x", "http://ex.com/x"),
    # query sorting: by name; repeated arguments keep their order
    ("http://ex.com/x?b=2&a=1&c=3", "http://ex.com/x?a=1&b=2&c=3"),
    ("http://ex.com/x?tag=b&id=1&tag=a", "http://ex.com/x?id=1&tag=b&tag=a"),
    # IDN hosts: punycode, as sent on the wire and as the crawler always spelled them
    ("http://bücher.example/story", "http://xn--bcher-kva.example/story"),
    ("http://BÜCHER.example/story", "http://xn--bcher-kva.example/story"),
    ("http://xn--bcher-kva.example/story", "http://xn--bcher-kva.example/story"),
    # characters a server may tell apart stay as written, encoded or not
    ("http://ex.com/matrix/it's-(odd)!~*", "http://ex.com/matrix/it's-(odd)!~*"),
    ("http://ex.com/it%27s-%28odd%29%2A", "http://ex.com/it%27s-%28odd%29%2A"),
    ("http://ex.com/x;jsessionid=1?a=1", "http://ex.com/x;jsessionid=1?a=1"),
    ("http://ex.com/a@b+c$d&e,f=g:h", "http://ex.com/a@b+c$d&e,f=g:h"),
    ("http://ex.com/a%40b%2Bc%3Bd", "http://ex.com/a%40b%2Bc%3Bd"),
    ("http://ex.com/a%2Fb", "http://ex.com/a%2Fb"),
    # percent-encoded input: hex in upper case, unreserved characters decoded (RFC 3986 6.2.2)
    ("http://ex.com/caf%c3%a9", "http://ex.com/caf%C3%A9"),
    ("http://ex.com/%7Euser/%41%2D%5F", "http://ex.com/~user/A-_"),
    ("http://ex.com/100%-sure", "http://ex.com/100%-sure"),  # not an escape: left as sent
    ("http://ex.com/a%E9b?q=caf%E9", "http://ex.com/a%E9b?q=caf%E9"),  # latin-1 bytes kept, not U+FFFD
    ("http://ex.com/x?q=caf%C3%A9&x=é&s=%7Euser", "http://ex.com/x?q=caf%C3%A9&s=~user&x=%C3%A9"),
    # characters that cannot travel as written: encoded as Scrapy sends them
    ('http://ex.com/a|b[c]{d}"e<f>^g', "http://ex.com/a%7Cb%5Bc%5D%7Bd%7D%22e%3Cf%3E%5Eg"),
    ("http://ex.com/a\\b", "http://ex.com/a/b"),  # as browsers read it
    # dot segments
    ("http://ex.com/x/../y/./z", "http://ex.com/y/z"),
    ("http://ex.com/a/b/..", "http://ex.com/a/"),
    ("http://ex.com/../x", "http://ex.com/x"),
    # not a usable http(s) URL: returned as given (stripped), for link_problem to name
    ("http://[::1/story", "http://[::1/story"),
    ("mailto:desk@example.com", "mailto:desk@example.com"),
    ("ftp://example.org/file.html", "ftp://example.org/file.html"),
    ("not a url at all", "not a url at all"),
    ("http://ex.com:99999/x", "http://ex.com:99999/x"),
    (" /relative/path ", "/relative/path"),
]


@pytest.mark.parametrize("url", PLAIN)
def test_plain_news_urls_keep_their_stored_spelling(url: str):
    assert normalize(url) == url


@pytest.mark.parametrize(("url", "expected"), AGREED + CASES)
def test_normalize(url: str, expected: str):
    assert normalize(url) == expected
    assert normalize(expected) == expected  # a normalized URL is its own normal form


def test_one_normalizer_under_both_names():
    assert urls.normalize_url is links.normalize


@pytest.mark.parametrize("path", ["/matrix/it's-(odd)!~*", "/it%27s-%28odd%29", "/a;b=1", "/caf%c3%a9?utm_source=x&b=1"])
def test_canonical_urls_are_spelled_as_fetched_urls(path: str):
    """articles.url and fetches.url agree for the same page, whichever of them names it."""
    fetched = "http://Herald.example:80" + path + "#top"
    tree = html.fromstring(f'<html><head><link rel="canonical" href="{path}"></head><body><p>x</p></body></html>')
    assert canonical_url(tree, fetched) == normalize(fetched) == canonical_url(None, fetched)
