"""`make demo`: serve the bundled demo news sites on 127.0.0.1, crawl them, show the result."""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rich.console import Console

from ingest.cli import copies_note
from ingest.demo_sites import DemoServer, sources_toml
from ingest.run.crawl import crawl_sources
from ingest.sources.config import load_sources
from storage import Archive


def run_demo(db_path: str, query: str = "asylum") -> bool:
    console = Console(stderr=True)
    with DemoServer() as demo, tempfile.TemporaryDirectory() as tmp:
        sources_path = Path(tmp) / "sources.toml"
        sources_path.write_text(sources_toml(demo.bases), encoding="utf-8")
        for key, base in demo.bases.items():
            console.print(f"serving demo site [bold]{key}[/] at {base}")
        ok = crawl_sources(db_path, str(sources_path), list(load_sources(sources_path)), progress=True)
    out = Console(soft_wrap=True)  # article text keeps one paragraph per line
    with Archive(db_path) as archive:
        out.print(f"\n[bold]{archive.count()} articles[/] in {db_path}")
        seed = archive.search('"political asylum" assange', limit=1)
        if seed:
            article = archive.get(seed[0]["id"])
            out.print(f"\n[bold]The seed article, cleaned[/] ({article['url']}):")
            out.print(f"  title: {article['title']}\n  author: {article['author']}\n"
                      f"  published: {article['published_at']}\n")
            out.print(article["text"], markup=False, highlight=False)
        out.print(f"\n[bold]Sample search:[/] newsdesk --db {db_path} search {query} --collapse")
        for hit in archive.search(query, limit=5, collapse=True):
            out.print(f"  {hit['id']:>4}  {hit['source']:9} {hit['title']}{copies_note(hit['copies'])}",
                      markup=False, highlight=False)
            out.print(f"        {hit['snippet']}", markup=False, highlight=False)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="demo.db")
    parser.add_argument("--query", default="asylum")
    args = parser.parse_args()
    raise SystemExit(0 if run_demo(args.db, args.query) else 1)


if __name__ == "__main__":
    main()
