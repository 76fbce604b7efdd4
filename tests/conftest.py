"""Shared fixtures: the demo news sites on 127.0.0.1, their sources.toml, a fresh archive."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from ingest.demo_sites import DemoServer, sources_toml
from storage import Archive


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """The three demo sites on ephemeral ports. Function-scoped: starting takes a few
    milliseconds, and tests edit articles and add fault routes freely."""
    with DemoServer() as server:
        yield server


@pytest.fixture
def demo_sources(tmp_path: Path, demo_server: DemoServer) -> Path:
    """A sources.toml declaring herald, wpdaily and wirenews at the running demo server."""
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml(demo_server.bases), encoding="utf-8")
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """An empty Archive in a temporary SQLite file."""
    with Archive(tmp_path / "archive.db") as db:
        yield db
