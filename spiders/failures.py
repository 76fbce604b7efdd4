"""One clear reason for a failed request, from Scrapy's and Twisted's exception zoo."""
from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError, DownloadFailedError,
    DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


def describe_failure(failure: Failure, timeout_s: float | None = None) -> tuple[str, int | None]:
    """(reason, HTTP status or None) for an errback's failure."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"HTTP {status}", status
    if isinstance(exc, (DownloadTimeoutError, tx.TimeoutError, tx.TCPTimedOutError)):
        return (f"timed out after {timeout_s:g}s" if timeout_s else "timed out"), None
    if isinstance(exc, (CannotResolveHostError, tx.DNSLookupError)):
        return f"DNS lookup failed: {exc}", None
    if isinstance(exc, (DownloadConnectionRefusedError, tx.ConnectionRefusedError)):
        return "connection refused", None
    if isinstance(exc, DownloadCancelledError):
        text = str(exc)
        if "size" in text:
            return "page over the size limit (DOWNLOAD_MAXSIZE, 10 MB)", None
        return f"download cancelled: {text}", None
    if isinstance(exc, (ResponseDataLossError, ResponseFailed, ResponseNeverReceived, DownloadFailedError,
                        tx.ConnectionLost, tx.ConnectionDone, tx.ConnectionClosed)):
        return "connection reset or closed before the response was complete", None
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "redirect" in text.lower():
            return "too many redirects (a redirect loop?)", None
        if "robots" in text.lower():
            return "forbidden by robots.txt", None
        return f"request ignored: {text}", None
    return f"{type(exc).__name__}: {exc}", None
