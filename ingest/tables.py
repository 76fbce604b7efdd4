"""Plain-text tables that read well at any terminal width: `newsdesk runs` and `newsdesk sources`.

A person scans for the source key, its status, when and how long; so those are never cut,
times are short and local, less telling columns are dropped when the terminal is narrow,
and the last error gets a line of its own, shortened to the width. `--json` is where
every field is, whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from rich.cells import cell_len, set_cell_size

GAP = "  "


@dataclass(frozen=True)
class Col:
    """A column: `keep` ones are never dropped nor cut; the others go lowest `rank` first."""

    header: str
    right: bool = False
    keep: bool = False
    rank: int = 0


def parse_iso(value: str | None) -> datetime | None:
    """An ISO 8601 time as an aware datetime (naive means UTC, as the archive writes)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def short_time(value: str | None, now: datetime | None = None) -> str:
    """A time in the local zone, as `ls -l` shows it: "15:23" today, "Dec 03 15:23" this
    year, "Dec 03 2025" before. `now` (aware) sets today and the zone; "" for no time."""
    when = parse_iso(value)
    if when is None:
        return str(value or "")
    now = now or datetime.now().astimezone()
    local = when.astimezone(now.tzinfo)
    if local.date() == now.date():
        return local.strftime("%H:%M")
    return local.strftime("%b %d %H:%M" if local.year == now.year else "%b %d %Y")


def duration(start: str | None, end: str | None) -> str:
    """How long from start to end: "45s", "1m 05s", "2h 03m", "3d 04h"; "-" if unknown."""
    began, ended = parse_iso(start), parse_iso(end)
    if began is None or ended is None or ended < began:
        return "-"
    seconds = int((ended - began).total_seconds())
    minutes, s = divmod(seconds, 60)
    hours, m = divmod(minutes, 60)
    days, h = divmod(hours, 24)
    if days:
        return f"{days}d {h:02d}h"
    if hours:
        return f"{hours}h {m:02d}m"
    return f"{minutes}m {s:02d}s" if minutes else f"{s}s"


def shorten(text: str, width: int) -> str:
    """One line of at most `width` cells, ending in … when cut."""
    text = " ".join(str(text).split())
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)) + "…" if width > 0 else ""


def render(cols: list[Col], rows: list[list[str]], width: int, notes: list[str | None] | None = None,
           note_label: str = "error") -> list[str]:
    """The table as lines of at most `width` cells (unless the kept columns alone are wider:
    then they overflow rather than be cut). A row's note follows it on a line of its own."""
    widths = [max([cell_len(c.header), *(cell_len(r[i]) for r in rows)]) for i, c in enumerate(cols)]
    shown = list(range(len(cols)))

    def total() -> int:
        return sum(widths[i] for i in shown) + len(GAP) * (len(shown) - 1)

    droppable = sorted((i for i, c in enumerate(cols) if not c.keep), key=lambda i: cols[i].rank)
    while total() > width and droppable:
        shown.remove(droppable.pop(0))

    def line(cells: list[str]) -> str:
        parts = []
        for i in shown:
            pad = " " * (widths[i] - cell_len(cells[i]))
            parts.append(pad + cells[i] if cols[i].right else cells[i] + pad)
        return GAP.join(parts).rstrip()

    lines = [line([c.header for c in cols])]
    for n, row in enumerate(rows):
        lines.append(line(row))
        note = notes[n] if notes else None
        if note:
            lead = f"  {note_label}: "
            lines.append(lead + shorten(note, max(width - len(lead), 10)))
    return lines


RUN_COLS = [
    Col("id", right=True, rank=0), Col("source", keep=True), Col("started", rank=9), Col("took", right=True, rank=7),
    Col("status", keep=True), Col("pages", right=True, rank=6), Col("new", right=True, rank=8),
    Col("upd", right=True, rank=4), Col("same", right=True, rank=1), Col("dup", right=True, rank=2),
    Col("rej", right=True, rank=3), Col("err", right=True, rank=5),
]
_RUN_COUNTS = ("pages", "new", "updated", "unchanged", "duplicate", "rejected", "errors")


def runs_table(rows: list[dict[str, Any]], width: int, now: datetime | None = None) -> list[str]:
    """`newsdesk runs`: one line per run, its last error on the next."""
    cells = [[str(r["id"]), r["source"], short_time(r["started_at"], now), duration(r["started_at"], r["ended_at"]),
              r["status"], *(_count(r.get(k)) for k in _RUN_COUNTS)] for r in rows]
    return render(RUN_COLS, cells, width, [r.get("last_error") for r in rows])


SOURCE_COLS = [
    Col("source", keep=True), Col("status", keep=True), Col("articles", right=True, rank=4),
    Col("last run", rank=3), Col("next run", rank=2), Col("schedule", rank=1), Col("name", rank=0),
]


def sources_table(rows: list[dict[str, Any]], width: int, now: datetime | None = None) -> list[str]:
    """`newsdesk sources`: one line per source, the last run's error on the next."""
    cells = [[r["source"], source_status(r, now), f"{r['articles']:,}", short_time(r["last_run"], now) or "never",
              short_time(r["next_run"], now) or "-", r["schedule"], r["name"]] for r in rows]
    return render(SOURCE_COLS, cells, width, [r.get("last_error") for r in rows], note_label="last error")


def source_status(row: dict[str, Any], now: datetime | None = None) -> str:
    """The status of a `sources` row with its times made short."""
    status = f"backing off until {short_time(row['backoff_until'], now)}" if row.get("backing_off") \
        else row["status"]
    if row.get("feeds_held_until"):
        status += f" (feeds held until {short_time(row['feeds_held_until'], now)})"
    return status


def _count(value: Any) -> str:
    return "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
