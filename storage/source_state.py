"""Per-source scheduler state in the archive: backoff, next run, and the runs it must tidy up.

The scheduler writes here; `newsdesk sources` reads it. Times are ISO 8601 strings in UTC
(the format of `storage.clock.utcnow`), compared after parsing, never as text, because
feed_state.not_before may come from a Retry-After header in another format.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from storage.archive import Archive
from storage.clock import utcnow


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time as an aware datetime (naive means UTC); None if absent or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_time(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds") if value else None


def get_state(archive: Archive, source: str) -> dict[str, Any]:
    row = archive.conn.execute(
        "SELECT failures, backoff_until, next_run_at, last_error FROM source_state WHERE source = ?",
        (source,)).fetchone()
    if row is None:
        return {"source": source, "failures": 0, "backoff_until": None, "next_run_at": None, "last_error": None}
    return {"source": source, "failures": row[0] or 0, "backoff_until": row[1], "next_run_at": row[2],
            "last_error": row[3]}


def set_state(archive: Archive, source: str, **fields: Any) -> None:
    """Update some of failures / backoff_until / next_run_at / last_error for one source."""
    allowed = {"failures", "backoff_until", "next_run_at", "last_error"}
    fields = {k: v for k, v in fields.items() if k in allowed}
    fields["updated_at"] = utcnow()
    columns = ", ".join(fields)
    marks = ", ".join(f":{k}" for k in fields)
    updates = ", ".join(f"{k} = excluded.{k}" for k in fields)
    with archive.write() as conn:
        conn.execute(f"INSERT INTO source_state (source, {columns}) VALUES (:source, {marks}) "
                     f"ON CONFLICT(source) DO UPDATE SET {updates}", {"source": source, **fields})


def clear_next_runs(archive: Archive) -> None:
    """No scheduler is running any more: nothing is due at a known time."""
    with archive.write() as conn:
        conn.execute("UPDATE source_state SET next_run_at = NULL")


def feeds_not_before(archive: Archive, urls: Iterable[str]) -> dict[str, datetime | None]:
    """Each URL's feed_state.not_before (None: no row, or no restriction)."""
    urls = list(urls)
    found: dict[str, datetime | None] = {u: None for u in urls}
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for url, not_before in archive.conn.execute(
                f"SELECT url, not_before FROM feed_state WHERE url IN ({marks})", chunk):
            found[url] = parse_time(not_before)
    return found


