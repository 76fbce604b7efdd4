"""The scheduler's decisions, without its threads: schedules, backoff, skips and the status
`newsdesk sources` shows. Expected values are worked out by hand from the rules in
ingest.run.scheduler's docstrings (`make mutation` found them untested)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ingest.run.scheduler import (backoff_delay_s, feed_urls, interval_s, make_trigger, misfire_grace_s,
                                  source_status, why_skip)
from ingest.sources.config import Schedule, Source
from storage.source_state import format_time, set_state

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
FEED_A, FEED_B = "https://herald.example/rss.xml", "https://herald.example/news-sitemap.xml"


def _source(**kw) -> Source:
    return Source(key="herald", name="Herald", **kw)


def test_one_failure_is_noise_then_the_rest_doubles():
    assert backoff_delay_s(0, 600) == 0.0
    assert backoff_delay_s(1, 600) == 0.0
    assert backoff_delay_s(2, 600) == 1200.0
    assert backoff_delay_s(3, 600) == 2400.0
    assert backoff_delay_s(4, 600) == 4800.0


def test_backoff_is_capped_at_six_hours_or_one_period():
    assert backoff_delay_s(10, 600) == 6 * 3600
    # a daily source rests at most one period, not less than its own interval
    assert backoff_delay_s(2, 86400) == 86400.0


def test_interval_of_an_every_schedule_and_of_cron():
    assert interval_s(_source(schedule=Schedule(every_s=900))) == 900.0
    assert interval_s(_source(schedule=Schedule(cron="*/15 * * * *"))) == 900.0
    assert interval_s(_source(schedule=Schedule(cron="0 3 * * *"))) == 86400.0


def test_misfire_grace_is_one_period_but_at_least_a_minute():
    assert misfire_grace_s(_source(schedule=Schedule(every_s=30))) == 60
    assert misfire_grace_s(_source(schedule=Schedule(every_s=900))) == 900
    assert misfire_grace_s(_source(schedule=Schedule(cron="0 * * * *"))) == 3600


def test_triggers():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    every = make_trigger(_source(schedule=Schedule(every_s=600)), start=start)
    assert every.interval == timedelta(seconds=600)
    assert every.start_date == start
    cron = make_trigger(_source(schedule=Schedule(cron="17 3 * * *")))
    assert cron.get_next_fire_time(None, start) == datetime(2026, 1, 1, 3, 17, tzinfo=timezone.utc)


def test_feed_urls_in_order_feeds_news_sitemaps_sitemaps():
    source = _source(feeds=("f1", "f2"), news_sitemaps=("n1",), sitemaps=("s1",), sections=("x1",))
    assert feed_urls(source) == ["f1", "f2", "n1", "s1"]


# -- why_skip ----------------------------------------------------------------------

def test_backing_off_says_until_when_and_after_how_many_failures():
    state = {"backoff_until": "2026-03-01T13:00:00+00:00", "failures": 3}
    assert why_skip(_source(feeds=(FEED_A,)), state, {}, NOW) == \
        "backing off until 2026-03-01T13:00:00+00:00 after 3 failed runs"


def test_an_ended_backoff_does_not_skip():
    state = {"backoff_until": "2026-03-01T11:59:59+00:00", "failures": 3}
    assert why_skip(_source(feeds=(FEED_A,)), state, {}, NOW) is None
    assert why_skip(_source(feeds=(FEED_A,)), {"backoff_until": "2026-03-01T12:00:00+00:00", "failures": 3},
                    {}, NOW) is None


def test_every_feed_held_skips_until_the_earliest_end():
    held = {FEED_A: NOW + timedelta(hours=2), FEED_B: NOW + timedelta(minutes=30)}
    source = _source(feeds=(FEED_A,), news_sitemaps=(FEED_B,))
    assert why_skip(source, {}, held, NOW) == \
        "every feed asked not to be polled before 2026-03-01T12:30:00+00:00 (Retry-After / ttl)"


def test_one_feed_free_or_any_section_means_due():
    source = _source(feeds=(FEED_A,), news_sitemaps=(FEED_B,))
    assert why_skip(source, {}, {FEED_A: NOW + timedelta(hours=2), FEED_B: None}, NOW) is None
    assert why_skip(source, {}, {FEED_A: NOW + timedelta(hours=2), FEED_B: NOW}, NOW) is None
    with_sections = _source(feeds=(FEED_A,), sections=("https://herald.example/city",))
    assert why_skip(with_sections, {}, {FEED_A: NOW + timedelta(hours=2)}, NOW) is None
    assert why_skip(_source(sections=("https://herald.example/city",)), {}, {}, NOW) is None


# -- source_status (a real archive) ------------------------------------------------

def test_status_of_a_source_never_run(archive):
    assert source_status(archive, _source(feeds=(FEED_A,))) == {
        "status": "never run", "next_run": None, "failures": 0, "backing_off": False,
        "backoff_until": None, "feeds_held_until": None}


def test_status_while_backing_off(archive):
    until = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=1)
    set_state(archive, "herald", failures=4, backoff_until=format_time(until), next_run_at="2026-03-01T13:00:00+00:00")
    run = archive.start_run("herald")
    archive.finish_run(run, "failed")
    assert source_status(archive, _source(feeds=(FEED_A,))) == {
        "status": f"backing off until {format_time(until)}", "next_run": "2026-03-01T13:00:00+00:00",
        "failures": 4, "backing_off": True, "backoff_until": format_time(until), "feeds_held_until": None}


def test_status_after_a_backoff_ended_is_the_last_run(archive):
    ended = datetime.now(timezone.utc) - timedelta(minutes=5)
    set_state(archive, "herald", failures=2, backoff_until=format_time(ended))
    run = archive.start_run("herald")
    archive.finish_run(run, "ok")
    status = source_status(archive, _source(feeds=(FEED_A,)))
    assert (status["status"], status["backing_off"], status["backoff_until"]) == ("ok", False, None)


def test_status_of_a_running_source(archive):
    archive.finish_run(archive.start_run("herald"), "failed")
    archive.start_run("herald")
    assert source_status(archive, _source(feeds=(FEED_A,)))["status"] == "running"


def test_feeds_held_until_the_earliest_when_all_are_held(archive):
    soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=30)
    later = soon + timedelta(hours=2)
    archive.set_feed_state(FEED_A, "herald", not_before=format_time(later))
    archive.set_feed_state(FEED_B, "herald", not_before=format_time(soon))
    both = _source(feeds=(FEED_A,), news_sitemaps=(FEED_B,))
    assert source_status(archive, both)["feeds_held_until"] == format_time(soon)
    one_free = _source(feeds=(FEED_A, "https://herald.example/other.xml"))
    assert source_status(archive, one_free)["feeds_held_until"] is None
    assert source_status(archive, _source())["feeds_held_until"] is None


def test_status_is_the_sources_own_last_run_not_anothers(archive):
    archive.finish_run(archive.start_run("herald"), "ok")
    archive.finish_run(archive.start_run("gazette"), "failed")
    assert source_status(archive, _source(feeds=(FEED_A,)))["status"] == "ok"
