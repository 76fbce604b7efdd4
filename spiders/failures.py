"""One clear reason for a failed request, from Scrapy's and Twisted's exception zoo."""
from __future__ import annotations

import re

from scrapy.exceptions import (
    CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError, DownloadFailedError,
    DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


_EXPECTED_SIZE = re.compile(r"receive (\d+) bytes")
ROBOTS_REFUSAL = "forbidden by robots.txt"


def describe_failure(failure: Failure, timeout_s: float | None = None,
                     maxsize: int | None = None) -> tuple[str, int | None]:
    """(reason, HTTP status or None) for an errback's failure; `maxsize` is DOWNLOAD_MAXSIZE."""
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
        # Scrapy cancels a body past DOWNLOAD_MAXSIZE. With a Content-Length it says so up front;
        # a body streamed without one is cancelled mid-read with an empty message (its timeouts
        # and StopDownload take other paths), so an empty message means the size limit too.
        text = str(exc)
        request = getattr(failure, "request", None)
        limit = (request.meta.get("download_maxsize") if request is not None else None) or maxsize
        if not text or "max size" in text:
            expected = _EXPECTED_SIZE.search(text)
            if expected and limit:
                return f"page over the size limit ({expected[1]} > {limit} bytes)", None
            return (f"page over the size limit (more than {limit} bytes)" if limit
                    else "page over the size limit (DOWNLOAD_MAXSIZE)"), None
        return f"download cancelled: {text}", None
    if isinstance(exc, (ResponseDataLossError, ResponseFailed, ResponseNeverReceived, DownloadFailedError,
                        tx.ConnectionLost, tx.ConnectionDone, tx.ConnectionClosed)):
        return "connection reset or closed before the response was complete", None
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "redirect" in text.lower():
            return "too many redirects (a redirect loop?)", None
        if "robots" in text.lower():
            return ROBOTS_REFUSAL, None
        return f"request ignored: {text}", None
    return f"{type(exc).__name__}: {exc}", None
