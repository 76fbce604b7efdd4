"""`newsdesk serve`: Datasette over the archive, read-only, with search, facets and article pages.

The archive is live (a crawl may be writing to it), so it is never opened in immutable
mode: Datasette opens a mutable file's read connections with `?mode=ro`, and nothing
here asks it for a write connection (no write plugins, no writable canned queries).
Arbitrary SQL stays allowed; it runs on those read-only connections.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).with_name("serve_templates")
# Internal tables: compressed HTML blobs and the clustering index mean nothing in a browser.
HIDDEN_TABLES = ("raw_pages", "minhash", "lsh_bands", "lsh_recent", "lsh_state", "feed_state")


def datasette_metadata(db_name: str) -> dict[str, Any]:
    """Titles, facets, sort order and hidden tables for the archive database."""
    return {
        "title": "newsdesk archive",
        "description": "Articles crawled by newsdesk. Search the articles table, facet by source, "
                       "language or day; each article page shows the text and its copies elsewhere.",
        "databases": {
            db_name: {
                "tables": {
                    "articles": {
                        "label_column": "title",
                        "facets": ["source", "language", {"date": "published_at"}],
                        "sort_desc": "published_at",
                        "fts_table": "articles_fts",
                        "fts_pk": "id",
                        "searchmode": "escaped",  # plain words work; ?_searchmode=raw for FTS5 syntax
                        "description": "One row per article (canonical URL). cluster_id groups "
                                       "syndicated copies of the same story.",
                    },
                    "revisions": {"description": "Earlier texts of articles that changed."},
                    "fetches": {"facets": ["outcome", "source"], "sort_desc": "id",
                                "description": "Every URL tried and what came of it."},
                    "runs": {"facets": ["status", "source"], "sort_desc": "id"},
                    **{name: {"hidden": True} for name in HIDDEN_TABLES},
                }
            }
        },
    }


def build_datasette(db_path: str | Path):
    """A Datasette instance over the archive, not yet started."""
    from datasette.app import Datasette

    db_path = Path(db_path)
    return Datasette(
        [str(db_path)],
        metadata=datasette_metadata(db_path.stem),
        template_dir=str(TEMPLATES),
        settings={
            "allow_download": False,  # the whole file, raw HTML included, is not for the browser
            "truncate_cells_html": 300,  # texts in the table view; the article page shows all
            "facet_time_limit_ms": 500,
            "sql_time_limit_ms": 3000,
        },
    )


def serve_archive(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the archive until interrupted (Ctrl-C)."""
    import uvicorn

    ds = build_datasette(db_path)
    # as `datasette serve` does: run the startup hooks on their own loop, then hand over
    asyncio.run(ds.invoke_startup())
    name = Path(db_path).stem
    print(f"serving {db_path} read-only at http://{host}:{port}/{name}/articles (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
