"""The exception family. Library code raises these; only the CLI turns them into messages.

    IngestError
    ├── ConfigError      a bad sources.toml, option or argument (exit 2)
    ├── FetchError       a URL that could not be fetched: status, timeout, size, scheme
    ├── ExtractionError  a page that could not be turned into text at all
    └── StorageError     the archive cannot be opened or written (disk full, corrupt file)

A page that was fetched and parsed but is not an article is not an exception: it is a
`Rejected` outcome (see ingest.models), stored and counted like any other result.
"""
from __future__ import annotations


class IngestError(Exception):
    """Base of every error newsdesk reports to its users."""


class ConfigError(IngestError):
    """A configuration or usage mistake; the message names the source and key."""


class FetchError(IngestError):
    """Fetching a URL failed; the message names the URL and the reason."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ExtractionError(IngestError):
    """The page could not be parsed or extracted."""


class StorageError(IngestError):
    """The archive could not be opened, migrated or written."""
