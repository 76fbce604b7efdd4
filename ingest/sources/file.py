"""Writing sources.toml: append new [sources.KEY] tables, keeping every byte the user wrote.

The file is the user's: their comments, order and blank lines are never reformatted. New
tables are rendered with tomlkit (so values are quoted and escaped as TOML wants), appended
as text after the existing bytes, validated as `newsdesk` will read them, and only then
written, atomically.
"""
from __future__ import annotations

import os
import re
import tempfile
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import tomlkit
from tld import get_tld

from ingest.errors import ConfigError
from ingest.sources.config import _KEY_RE, parse_source



@dataclass
class NewSource:
    """A [sources.KEY] table to append: its settings, the comment lines above its header
    (text without '# ') and trailing notes after some settings, by setting name."""

    key: str
    settings: dict[str, Any]
    comment: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


def append_sources(path: str | Path, sources: list[NewSource]) -> None:
    """Append [sources.KEY] tables to the file (created if absent), leaving every existing
    byte as it was. Every new table is validated with parse_source before anything is
    written (ConfigError on a bad one, or on a key already in the file)."""
    path = Path(path)
    target = path.resolve()  # a symlinked sources.toml keeps its link; the file it points to is replaced
    try:
        original = target.read_bytes()
    except FileNotFoundError:
        original = b""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    existing = _sources_table(_load(original, path), path)
    taken = set(existing)
    for source in sources:
        if source.key in taken:
            raise ConfigError(f"{path}: [sources.{source.key}] already exists; choose another key")
        if not _KEY_RE.match(source.key):
            raise ConfigError(f"{path}: [sources.{source.key}]: the key must start with a letter and hold "
                              f"only letters, digits, - and _")
        taken.add(source.key)
    if not sources:
        return

    newline = "\r\n" if b"\r\n" in original else "\n"
    text = "\n".join(render_source(source) for source in sources)
    head = original.decode("utf-8", errors="replace").replace("\r\n", "\n")
    # one blank line between the user's last line and the first new table
    sep = "" if not head or head.endswith("\n\n") else "\n" if head.endswith("\n") else "\n\n"
    added = (sep + text).replace("\n", newline).encode("utf-8")
    combined = _load(original + added, path)
    tables = _sources_table(combined, path)
    for source in sources:
        parse_source(source.key, tables.get(source.key), str(path))
    _write_atomically(target, original + added)


def render_source(source: NewSource) -> str:
    """One table as TOML text: the comment lines, the header, the settings."""
    body = tomlkit.table()
    for name, value in source.settings.items():
        item = tomlkit.item(value)
        if isinstance(value, str) and "\\" in value and "'" not in value and value.isprintable():
            item = tomlkit.string(value, literal=True)  # a regex reads as written: '\d+' rather than "\\d+"
        if isinstance(value, (list, tuple)) and len(value) > 1:
            item.multiline(True)
        note = source.notes.get(name)
        if note:
            item.comment(_one_line(note))
            item.trivia.comment_ws = "  "
        body.add(name, item)
    comments = "".join(f"# {text}\n" if text else "#\n" for text in map(_one_line, source.comment))
    return f"{comments}[sources.{source.key}]\n{body.as_string()}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _load(data: bytes, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}; fix the file, then try again") from exc


def _sources_table(data: dict[str, Any], path: Path) -> dict[str, Any]:
    tables = data.get("sources", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: 'sources' must be a table of [sources.<key>] tables")
    return tables


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same directory and os.replace: a reader (or a
    crash) sees the old file or the new one, never half of one."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600; keep the file readable as it was
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def configured_feeds(path: str | Path) -> dict[str, str]:
    """Every feed URL configured in the file -> its source key ({} if there is no file)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    feeds: dict[str, str] = {}
    for key, table in _sources_table(_load(data, path), path).items():
        urls = table.get("feeds", []) if isinstance(table, dict) else []
        for url in [urls] if isinstance(urls, str) else urls:
            if isinstance(url, str):
                feeds.setdefault(url, key)
    return feeds


def sanitize_key(text: str) -> str:
    """A valid source key made from any text: ASCII letters, digits, - and _, starting
    with a letter ("source" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-_")
    key = re.sub(r"-{2,}", "-", key)
    if not key:
        return "source"
    return key if key[0].isalpha() else f"site-{key}"


def unique_key(existing: Iterable[str], wanted: str) -> str:
    """`wanted` made a valid key, else wanted-2, wanted-3... whichever is not taken."""
    taken = set(existing)
    base = sanitize_key(wanted)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def key_for_url(url: str) -> str:
    """A readable key from a site's address: https://www.nationalheraldindia.com/x ->
    "nationalheraldindia", https://news.example.co.uk -> "news-example"."""
    host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    if not host and "://" not in url:
        host = (urlsplit(f"//{url.strip()}").hostname or "").rstrip(".")  # a bare "example.com"
    # The public suffix goes ("nationalheraldindia.com" -> "nationalheraldindia", "example.co.uk"
    # -> "example"), by the public-suffix list (tld, which courlan installs); an IP address, or a
    # host under no known suffix, keeps every label.
    parts = get_tld(f"http://{host}/", as_object=True, fail_silently=True) if host else None
    name = f"{parts.subdomain}.{parts.domain}".strip(".") if parts else host
    labels = name.removeprefix("www.").split(".") if name else []
    return sanitize_key("-".join(labels)) if labels else "source"
