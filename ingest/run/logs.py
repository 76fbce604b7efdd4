"""Logging for long-running commands: one line per event, to stderr or a file, with a level."""
from __future__ import annotations

import logging
import logging.handlers
import sys

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(level: str = "INFO", log_file: str | None = None) -> logging.Logger:
    """Configure the `newsdesk` logger tree and return it.

    A WatchedFileHandler reopens the file when logrotate moves it, so a service can log to
    a file for months. APScheduler's own chatter ("Running job ...") only shows at DEBUG.
    """
    handler: logging.Handler
    if log_file:
        handler = logging.handlers.WatchedFileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger("newsdesk")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    aps = logging.getLogger("apscheduler")
    aps.handlers[:] = [handler]
    aps.setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)
    aps.propagate = False
    return root
