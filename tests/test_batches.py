"""Batches of sources: planned by host, crawled in one process, each source with its own run."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from crawl_fixtures import FixtureSite, rss, slug
from ingest.run.batches import batch_time_limit, host_groups, plan_batches
from ingest.run.crawl import crawl_batch
from ingest.sources.config import Source
from test_crawl import Crawler


def _source(key: str, *hosts: str, run_timeout_s: float = 100.0) -> Source:
    return Source(key=key, name=key, feeds=tuple(f"http://{h}/feed.xml" for h in hosts), run_timeout_s=run_timeout_s)


# -- planning (pure) ----------------------------------------------------------------------

def test_sources_sharing_a_host_share_a_group_even_through_another_source():
    a, b, c, d = _source("a", "one.example"), _source("b", "two.example"), \
        _source("c", "one.example", "three.example"), _source("d", "three.example")
    assert [[s.key for s in g] for g in host_groups([a, b, c, d])] == [["a", "c", "d"], ["b"]]


def test_batches_are_bounded_and_never_split_a_host_group():
    sources = [_source(f"s{i}", f"h{i}.example") for i in range(5)] + \
        [_source(f"t{i}", "shared.example") for i in range(4)]
    batches = plan_batches(sources, size=3)
    assert batches == [["s0", "s1", "s2"], ["s3", "s4"], ["t0", "t1", "t2", "t3"]]
    assert sorted(key for batch in batches for key in batch) == sorted(s.key for s in sources)


def test_a_batch_may_run_as_long_as_its_longest_host_group():
    sources = [_source("a", "one.example", run_timeout_s=10), _source("b", "one.example", run_timeout_s=20),
               _source("c", "two.example", run_timeout_s=25)]
    assert batch_time_limit(sources) == 30  # a then b on one.example; c beside them


# -- one process, a run each --------------------------------------------------------------

def _hanging_server(host: str) -> tuple[socket.socket, str]:
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind((host, 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, f"http://{host}:{server.getsockname()[1]}"


def _sources_file(crawler: Crawler, entries: dict[str, dict[str, object]]) -> None:
    lines = []
    for key, settings in entries.items():
        lines.append(f"[sources.{key}]")
        for name, value in {"delay": 0, **settings}.items():
            value = repr(value).replace("'", '"') if isinstance(value, (list, str)) else value
            lines.append(f"{name} = {value}")
    crawler.sources.write_text("\n".join(lines) + "\n")


def test_healthy_sources_are_stored_while_batch_mates_hang_fail_or_are_forbidden(tmp_path: Path):
    crawler = Crawler(tmp_path)
    hanging, hanging_base = _hanging_server("127.0.0.5")
    with FixtureSite("127.0.0.2") as one, FixtureSite("127.0.0.3") as two, FixtureSite("127.0.0.4") as bad, \
            FixtureSite("127.0.0.6") as closed:
        one.add("/feed.xml", rss(one.base, [1, 2, 3]), "application/rss+xml")
        one.add_articles([1, 2, 3])
        two.add("/feed.xml", rss(two.base, [11, 12]), "application/rss+xml")
        two.add_articles([11, 12])
        two.add("/world.xml", rss(two.base, [13]), "application/rss+xml")
        two.add_articles([13])
        bad.add("/feed.xml", b"\x00\x01 this is not a feed \xff\xfe", "application/rss+xml")
        closed.add("/robots.txt", "User-agent: *\nDisallow: /\n", "text/plain")
        closed.add("/feed.xml", rss(closed.base, [21]), "application/rss+xml")
        closed.add_articles([21])
        _sources_file(crawler, {
            "one": {"feeds": [f"{one.base}/feed.xml"]},
            "two": {"feeds": [f"{two.base}/feed.xml"]},
            "two_world": {"feeds": [f"{two.base}/world.xml"]},  # same host as "two": the same host group
            "garbage": {"feeds": [f"{bad.base}/feed.xml"]},
            "hangs": {"feeds": [f"{hanging_base}/feed.xml"], "timeout": 2},
            "forbidden": {"feeds": [f"{closed.base}/feed.xml"]},
        })
        result = crawler.run("crawl", "--all", "--quiet")
    hanging.close()
    assert result.returncode == 1, result.stdout + result.stderr  # some sources failed
    runs = {run["source"]: run for run in crawler.runs()}
    assert len({run["pid"] for run in runs.values()}) == 1, "one process crawled the whole batch"
    assert {k: runs[k]["status"] for k in ("one", "two", "two_world")} == {"one": "ok", "two": "ok", "two_world": "ok"}
    assert (runs["one"]["new"], runs["two"]["new"], runs["two_world"]["new"]) == (3, 2, 1)
    stored = {row["url"] for row in crawler.archive.query("SELECT url FROM articles")}
    assert stored == {one.base + slug(i) for i in (1, 2, 3)} | {two.base + slug(i) for i in (11, 12, 13)}
    assert runs["garbage"]["status"] == "failed" and "feed" in runs["garbage"]["last_error"].lower()
    assert runs["hangs"]["status"] == "failed" and "timed out" in runs["hangs"]["last_error"].lower()
    assert runs["forbidden"]["new"] == 0 and closed.base + slug(21) not in stored
    # a host's sources ran one after the other: the second started after the first ended
    assert runs["two_world"]["started_at"] >= runs["two"]["ended_at"] or \
        runs["two"]["started_at"] >= runs["two_world"]["ended_at"]
    for key in ("one", "two", "two_world", "garbage", "hangs", "forbidden"):
        assert f"{key}: " in result.stdout, result.stdout


def test_crawl_batch_returns_a_run_per_source_in_order_and_closes_them_on_timeout(tmp_path: Path):
    crawler = Crawler(tmp_path)
    with FixtureSite("127.0.0.2") as quick, FixtureSite("127.0.0.3") as slow:
        quick.add("/feed.xml", rss(quick.base, [1]), "application/rss+xml")
        quick.add_articles([1])
        slow.add("/feed.xml", rss(slow.base, list(range(3))), "application/rss+xml")
        for i in range(3):
            slow.routes[slug(i)] = ("slow", 600)  # answers long after the batch's limit
        _sources_file(crawler, {"slow": {"feeds": [f"{slow.base}/feed.xml"], "timeout": 900},
                                "quick": {"feeds": [f"{quick.base}/feed.xml"]}})
        # a limit far beyond what "quick" needs, far below what "slow" would take
        runs = crawl_batch(str(crawler.db), str(crawler.sources), ["slow", "quick"], timeout_s=30)
    assert [run["source"] for run in runs] == ["slow", "quick"]
    assert runs[1]["status"] == "ok" and runs[1]["new"] == 1  # finished before the limit: it keeps its status
    assert runs[0]["status"] == "timeout" and "time limit of 30s" in runs[0]["last_error"]
    assert all(run["ended_at"] for run in runs)
    assert runs[0]["log"] and Path(runs[0]["log"]).exists()  # kept: a run was not ok
