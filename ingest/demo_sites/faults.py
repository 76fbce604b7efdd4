"""Ready-made fault routes under /fault/ on every demo site, for the crawl and fetch tests.

A route is a callable `(Request) -> Response`; it may raise `Reset` to have the server
drop the connection with a TCP reset, or use `request.wait(seconds)` to stall (the wait
ends early when the server stops, so a test never hangs on teardown).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable
from urllib.parse import parse_qs

from ingest.demo_sites.routes import HTML, XML, Response

if TYPE_CHECKING:
    from ingest.demo_sites.server import Request

Route = Callable[["Request"], Response]
SLOW_DEFAULT_S = 30.0
XXE_CANARY = "/fault/xxe-canary"  # a parser that resolves external entities fetches this


class Reset(Exception):
    """Raised by a route: close the connection abruptly (RST) without answering."""


def _seconds(request: "Request", default: float) -> float:
    try:
        return float(parse_qs(request.query).get("s", [default])[0])
    except ValueError:
        return default


def server_error(request: "Request") -> Response:
    return Response(500, "<html><body><h1>500 Internal Server Error</h1></body></html>")


def unavailable(request: "Request") -> Response:
    return Response(503, "<html><body><h1>503 Service Unavailable</h1></body></html>",
                    headers={"Retry-After": "2"})


def too_many(request: "Request") -> Response:
    return Response(429, "<html><body><h1>429 Too Many Requests</h1></body></html>", headers={"Retry-After": "3"})


def slow(request: "Request") -> Response:
    """Answers after ?s= seconds (default 30): past any sane fetch timeout."""
    request.wait(_seconds(request, SLOW_DEFAULT_S))
    return Response(200, "<html><body><p>Too late.</p></body></html>")


def reset(request: "Request") -> Response:
    raise Reset()


def redirect_loop(request: "Request") -> Response:
    target = "/fault/redirect-loop-b" if request.path == "/fault/redirect-loop" else "/fault/redirect-loop"
    return Response(302, "", headers={"Location": request.base + target})


def redirect(request: "Request") -> Response:
    """301 to ?to= (a path on this site), by default the home page."""
    to = parse_qs(request.query).get("to", ["/"])[0]
    return Response(301, "", headers={"Location": request.base + to})


BOMB = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/bomb/&lol9;</loc></url>
</urlset>
"""


def bomb(request: "Request") -> Response:
    return Response(200, BOMB.replace("{base}", request.base), XML)


def xxe(request: "Request") -> Response:
    """A sitemap whose <loc> entities point at a local file and at the canary route."""
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE urlset [\n <!ENTITY file SYSTEM "file:///etc/passwd">\n'
            f' <!ENTITY remote SYSTEM "{request.base}{XXE_CANARY}">\n]>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f'<url><loc>{request.base}/xxe/&file;</loc></url>\n'
            f'<url><loc>{request.base}/xxe/&remote;</loc></url>\n</urlset>\n')
    return Response(200, body, XML)


def xxe_canary(request: "Request") -> Response:
    return Response(200, "canary-was-fetched", "text/plain; charset=utf-8")


def malformed_rss(request: "Request") -> Response:
    """An RSS feed cut off mid-item, with a bare ampersand: not well-formed XML."""
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
            '<title>Broken & truncated</title>\n'
            f'<item><title>First item</title><link>{request.base}/fault/malformed-item</link></item>\n'
            '<item><title>Second item <b>unclosed</title><link>')
    return Response(200, body, "application/rss+xml; charset=utf-8")


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def pdf(request: "Request") -> Response:
    return Response(200, PDF, "application/pdf")


def pdf_as_html(request: "Request") -> Response:
    """A PDF that claims to be HTML: only sniffing the bytes catches it."""
    return Response(200, PDF, HTML)


def empty(request: "Request") -> Response:
    return Response(200, b"", HTML)


def huge(request: "Request") -> Response:
    """An 11 MiB HTML page: over the 10 MiB page limit."""
    para = b"<p>" + b"filler text " * 80 + b"</p>\n"
    return Response(200, b"<html><body>" + para * (11 * 1024 * 1024 // len(para) + 1) + b"</body></html>")


def challenge(request: "Request") -> Response:
    """A bot-challenge page served with status 200, as some CDNs do."""
    return Response(200, '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>'
                         '<h1>Checking your browser before accessing the site.</h1>'
                         '<p>Enable JavaScript and cookies to continue.</p></body></html>')


FAULTS: dict[str, Route] = {
    "/fault/500": server_error,
    "/fault/503": unavailable,
    "/fault/429": too_many,
    "/fault/slow": slow,
    "/fault/reset": reset,
    "/fault/redirect-loop": redirect_loop,
    "/fault/redirect-loop-b": redirect_loop,
    "/fault/redirect": redirect,
    "/fault/bomb.xml": bomb,
    "/fault/xxe.xml": xxe,
    XXE_CANARY: xxe_canary,
    "/fault/malformed.rss": malformed_rss,
    "/fault/pdf": pdf,
    "/fault/pdf-as-html": pdf_as_html,
    "/fault/empty": empty,
    "/fault/huge": huge,
    "/fault/challenge": challenge,
}
