"""`newsdesk runs` and `newsdesk sources` as a person reads them: at 80 columns and at 160."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlite_utils import Database

from ingest.tables import duration, short_time, shorten
from storage import Archive

ROOT = Path(__file__).resolve().parents[1]
KEYS = ["international-herald-web", "the-daily-wire-asia-desk", "citytimes-local-politics"]  # 24 characters
ERROR = ("HTTP 503 Service Unavailable fetching https://international-herald.example/rss/world.xml after "
         "3 retries; the site asked us to wait an hour (Retry-After: 3600), so its feeds are held")


def newsdesk(tmp_path: Path, *args: str, columns: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    env.pop("LINES", None)
    return subprocess.run([sys.executable, "-m", "ingest", "--db", str(tmp_path / "n.db"), "--sources",
                           str(tmp_path / "sources.toml"), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


@pytest.fixture
def crawled(tmp_path: Path) -> Path:
    """Three sources with long keys; a run of each (one failed with a long error), plus an
    older run of a minute and five seconds."""
    (tmp_path / "sources.toml").write_text("".join(
        f'[sources.{key}]\nname = "A rather long display name for {key}"\nfeeds = ["https://{key}.example/rss"]\n'
        f'schedule = "*/30 * * * *"\n' for key in KEYS), encoding="utf-8")
    with Archive(tmp_path / "n.db") as archive:
        old = archive.start_run(KEYS[1])
        archive.finish_run(old, "ok", {"pages": 1200, "new": 310, "updated": 12, "unchanged": 800, "errors": 2})
        failed = archive.start_run(KEYS[0])
        archive.finish_run(failed, "failed", {"pages": 3, "errors": 3}, last_error=ERROR)
        for key in KEYS[1:]:
            archive.finish_run(archive.start_run(key), "interrupted", {"pages": 10, "new": 1})
    Database(tmp_path / "n.db").execute(
        "UPDATE runs SET started_at = '2026-03-02T08:00:00+00:00', ended_at = '2026-03-02T08:01:05+00:00' "
        "WHERE id = ?", [old]).connection.commit()
    return tmp_path


def local_hhmm(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%H:%M")


@pytest.mark.parametrize("command", ["runs", "sources"])
def test_keys_and_statuses_are_whole_at_80_columns(crawled, command):
    result = newsdesk(crawled, command, columns=80)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    for key in KEYS:
        assert any(line.startswith(key) or f" {key} " in line for line in lines), f"{key} cut:\n{result.stdout}"
    for status in ("failed", "interrupted"):
        assert f" {status} " in result.stdout or result.stdout.count(f" {status}\n"), result.stdout
    error_lines = [line for line in lines if "HTTP 503 Service Unavailable" in line]
    assert len(error_lines) == 1 and error_lines[0].endswith("…")
    assert "…" not in "\n".join(line for line in lines if line not in error_lines)  # nothing else is cut


def test_runs_at_160_columns_show_every_time_whole_and_every_count(crawled):
    result = newsdesk(crawled, "runs", columns=160)
    assert result.returncode == 0, result.stderr
    header, *rows = [line for line in result.stdout.splitlines() if not line.startswith("  error:")]
    assert header.split() == ["id", "source", "started", "took", "status", "pages", "new", "upd", "same", "dup",
                              "rej", "err"]
    runs = json.loads(newsdesk(crawled, "runs", "--json", columns=160).stdout)
    by_id = {line.split()[0]: line for line in rows}
    for run in runs:
        line = by_id[str(run["id"])]
        if run["started_at"].startswith("2026-03-02"):
            # an earlier day: the date and the local time (not the ISO string)
            local = datetime.fromisoformat(run["started_at"]).astimezone()
            today = datetime.now().astimezone()
            expected = local.strftime("%b %d %H:%M" if local.year == today.year else "%b %d %Y")
            assert expected in line and "1m 05s" in line and "1,200" in line and " 800 " in line
        else:
            assert f" {local_hhmm(run['started_at'])} " in line
        assert run["started_at"] not in result.stdout
    # the error takes the whole width (it is longer)
    assert f"  error: {ERROR[:160 - len('  error: ') - 1]}…\n" in result.stdout


def test_sources_at_160_columns(crawled):
    result = newsdesk(crawled, "sources", columns=160)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["source", "status", "articles", "last", "run", "next", "run", "schedule", "name"]
    assert f"A rather long display name for {KEYS[2]}" in result.stdout
    assert f"  last error: {ERROR[:160 - len('  last error: ') - 1]}…" in lines


def test_json_keeps_every_field_as_it_was(crawled):
    runs = json.loads(newsdesk(crawled, "runs", "--json", columns=80).stdout)
    assert len(runs) == 4
    for run in runs:
        assert datetime.fromisoformat(run["started_at"]).tzinfo is not None
        assert {"id", "source", "started_at", "ended_at", "status", "pages", "new", "updated", "unchanged",
                "duplicate", "rejected", "errors", "last_error"} <= set(run)
    assert next(r for r in runs if r["status"] == "failed")["last_error"] == ERROR
    sources = json.loads(newsdesk(crawled, "sources", "--json", columns=80).stdout)
    assert [s["source"] for s in sources] == KEYS
    herald = sources[0]
    assert herald["last_status"] == "failed" and herald["last_error"] == ERROR
    assert herald["schedule"] == "*/30 * * * *" and herald["name"].startswith("A rather long")
    datetime.fromisoformat(herald["last_run"])


def test_no_runs_is_said_on_stderr(tmp_path):
    result = newsdesk(tmp_path, "runs", columns=80)
    assert result.returncode == 0 and result.stdout == "" and "no runs" in result.stderr


NOW = datetime(2026, 12, 4, 15, 30, tzinfo=timezone(timedelta(hours=1)))


@pytest.mark.parametrize("value, expected", [
    ("2026-12-04T14:23:42+00:00", "15:23"),            # today, in the local zone (UTC+1)
    ("2026-12-03T14:23:42+00:00", "Dec 03 15:23"),     # this year
    ("2026-12-03T23:30:00+00:00", "00:30"),            # UTC's yesterday is today here
    ("2025-07-01T10:00:00+00:00", "Jul 01 2025"),      # an earlier year: the year, not the time
    ("2026-12-04T14:23:42", "15:23"),                  # naive: UTC, as the archive writes
    (None, ""),
    ("soon", "soon"),                                  # not a time: shown as it is
])
def test_short_time(value, expected):
    assert short_time(value, NOW) == expected


@pytest.mark.parametrize("end, expected", [
    ("2026-12-04T10:00:42+00:00", "42s"),
    ("2026-12-04T10:01:05+00:00", "1m 05s"),
    ("2026-12-04T12:03:00+00:00", "2h 03m"),
    ("2026-12-07T14:00:00+00:00", "3d 04h"),
    (None, "-"),
])
def test_duration(end, expected):
    assert duration("2026-12-04T10:00:00+00:00", end) == expected


def test_shorten():
    assert shorten("a  b\nc", 10) == "a b c"
    assert shorten("abcdefghij", 5) == "abcd…"
