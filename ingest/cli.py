"""The `newsdesk` command: a thin shell over the library (ingest/ and storage/).

Every command opens the archive, makes one or two library calls and prints. Data goes to
stdout, progress and errors to stderr. Exit codes: 0 success, 1 some work failed,
2 usage or configuration error. Library errors become one line, never a traceback.
"""
from __future__ import annotations

import csv
import json
import os
import signal
import sys
from functools import wraps
from pathlib import Path
from typing import Any, Callable, Iterable

import click

from ingest.errors import ConfigError, IngestError, StorageError
from storage.search import RANK_WINDOW

RECORD_FIELDS = (
    "id", "url", "fetched_url", "source", "site_name", "title", "author", "published_at",
    "modified_at", "language", "text", "description", "tags", "categories", "image",
    "word_count", "content_hash", "first_seen", "last_seen", "revision", "cluster_id", "text_from",
)


class Context:
    """The global options, resolved once."""

    def __init__(self, db: str, sources: str):
        self.db_path = db
        self.sources_path = sources

    def archive(self):
        from storage import Archive

        return Archive(self.db_path)

    def sources(self):
        from ingest.sources.config import load_sources

        return load_sources(self.sources_path)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one clear line and the right exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except (StorageError, IngestError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except BrokenPipeError:  # `newsdesk export | head`
            sys.exit(0)

    return wrapper


def record(row: dict[str, Any]) -> dict[str, Any]:
    """An article row as the record of SPEC.md (field order fixed, extras kept after)."""
    out = {k: row.get(k) for k in RECORD_FIELDS}
    out.update({k: v for k, v in row.items() if k not in out and k not in ("rank", "published_from")})
    return out


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="NEWSDESK_DB", default="newsdesk.db", show_default=True,
              help="The archive file ($NEWSDESK_DB).")
@click.option("--sources", "sources_path", envvar="NEWSDESK_SOURCES", default="sources.toml",
              show_default=True, help="The sources file ($NEWSDESK_SOURCES).")
@click.version_option(package_name="newsdesk")
@click.pass_context
def main(ctx: click.Context, db: str, sources_path: str) -> None:
    """newsdesk: crawl news sites into a clean, searchable SQLite archive.

    \b
    Example:
      newsdesk --db news.db crawl --all
      newsdesk --db news.db search "asylum assange"
    """
    ctx.obj = Context(db, sources_path)


# -- ingest --------------------------------------------------------------------------

@main.command()
@click.argument("urls", nargs=-1)
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Ingest a saved page instead of fetching.")
@click.option("--url", "page_url", help="With --html: the URL the page was saved from.")
@click.option("--source", default="manual", show_default=True, help="Source key to file the articles under.")
@click.pass_obj
@handle_errors
def ingest(obj: Context, urls: tuple[str, ...], html_file: str | None, page_url: str | None, source: str) -> None:
    """Fetch, extract and store single articles; one line per URL.

    \b
    Examples:
      newsdesk ingest https://example.org/news/some-story
      newsdesk ingest --html saved.html --url https://example.org/news/some-story
    """
    from ingest.run.single import ingest_file, ingest_urls

    if html_file:
        if urls or not page_url:
            raise ConfigError("--html FILE needs --url URL and no other URLs")
        results = [ingest_file(obj.archive(), Path(html_file), page_url, source=source)]
    elif urls:
        results = ingest_urls(obj.db_path, list(urls), source=source)
    else:
        raise ConfigError("give one or more URLs, or --html FILE --url URL")
    failed = False
    for saved in results:
        if saved.outcome in ("error", "rejected"):
            failed = True
            label = "error" if saved.outcome == "error" else "rejected"
            click.echo(f"{saved.url}\t{label}: {saved.reason}")
        else:
            click.echo(f"{saved.url}\t{saved.outcome}")
    sys.exit(1 if failed else 0)


# -- query ---------------------------------------------------------------------------

@main.command()
@click.argument("query")
@click.option("--source", help="Only this source.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@click.option("--lang", help="Only this language (ISO 639-1, e.g. en).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--collapse", is_flag=True, help="Show each story once, with its copies on other sites counted.")
@click.option("--json", "as_json", is_flag=True, help="Print the matching records as JSON.")
@click.option("--all-matches", is_flag=True,
              help=f"Rank every match; by default a query matching over {RANK_WINDOW:,} articles is "
                   f"ranked among the {RANK_WINDOW:,} most recently stored (faster).")
@click.pass_obj
@handle_errors
def search(obj: Context, query: str, source: str | None, since: str | None, until: str | None,
           lang: str | None, limit: int, collapse: bool, as_json: bool, all_matches: bool) -> None:
    """Full-text search, best first, with snippets.

    QUERY is plain words (all must match), or FTS5 syntax: "a phrase", prefix*,
    OR / NOT / NEAR, title:word.

    \b
    Examples:
      newsdesk search assange asylum
      newsdesk search '"political asylum"' --since 2021-01-01 --json
      newsdesk search 'covid-19 vaccine*' --collapse --lang en
    """
    # bold the matches on a terminal; keep plain [marks] when piped or as JSON
    marks = ("\x1b[1;33m", "\x1b[0m") if not as_json and sys.stdout.isatty() else ("[", "]")
    with obj.archive() as archive:
        hits = archive.search(query, source=source, since=since, until=until, language=lang, limit=limit,
                              collapse=collapse, highlight=marks, window=None if all_matches else RANK_WINDOW)
    if as_json:
        emit_json([record(h) for h in hits])
        return
    for hit in hits:
        date = (hit.get("published_at") or "")[:10]
        click.echo(f"{hit['id']:>6}  {date:10}  {hit.get('source') or '':12}  {hit.get('title') or hit['url']}"
                   f"{copies_note(hit.get('copies') or 0)}")
        click.echo(f"        {hit['snippet']}")
    if not hits:
        click.echo("no matches", err=True)


@main.command()
@click.argument("id_or_url")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.option("--revisions", is_flag=True, help="Also list earlier revisions of the text.")
@click.pass_obj
@handle_errors
def show(obj: Context, id_or_url: str, as_json: bool, revisions: bool) -> None:
    """One article, whole, by id or URL.

    \b
    Example:
      newsdesk show 42 --revisions
    """
    with obj.archive() as archive:
        row = archive.get(id_or_url)
        if row is None:
            click.echo(f"error: no article {id_or_url!r} in {obj.db_path}; try `newsdesk search`", err=True)
            sys.exit(1)
        data = record(row)
        data["copies"] = archive.copies(row["id"])
        if revisions:
            data["revisions"] = archive.revisions(row["id"])
    if as_json:
        emit_json(data)
        return
    click.echo(data["title"] or "(no title)")
    meta = [data.get("author"), data.get("published_at"), data.get("site_name") or data.get("source")]
    click.echo(" | ".join(str(m) for m in meta if m))
    click.echo(f"{data['url']}  (revision {data['revision']})\n")
    click.echo(data["text"])
    if data["copies"]:
        click.echo(f"\n--- the same story elsewhere ({len(data['copies'])}) ---")
        for c in data["copies"]:
            click.echo(f"{c['id']:>6}  {(c['published_at'] or '')[:10]:10}  {c['source'] or '':12}  {c['title'] or c['url']}")
    for rev in data.get("revisions", []):
        click.echo(f"\n--- revision {rev['revision']} seen {rev['seen_at']} ---\n{rev['text']}")


def copies_note(copies: int) -> str:
    """What a hit line says of the story's copies on other sites ("" for none)."""
    return f"  (+{copies} {'copy' if copies == 1 else 'copies'})" if copies else ""


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--source", help="Only this source.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@click.option("--lang", help="Only this language.")
@click.option("--query", help="Only articles matching this search query (the syntax of `search`; all matches).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@click.pass_obj
@handle_errors
def export(obj: Context, fmt: str, source: str | None, since: str | None, until: str | None,
           lang: str | None, query: str | None, output: str | None) -> None:
    """Stream every matching article as JSON lines or CSV (constant memory).

    \b
    Examples:
      newsdesk export --format csv --source herald -o herald.csv
      newsdesk export --query '"political asylum"' --since 2021-01-01 -o asylum.jsonl
    """
    with obj.archive() as archive:
        rows = (record(r) for r in archive.articles(source=source, since=since, until=until, language=lang,
                                                    query=query))
        out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            count = write_records(rows, fmt, out)
        finally:
            if output:
                out.close()
    click.echo(f"exported {count} articles", err=True)


def write_records(rows: Iterable[dict[str, Any]], fmt: str, out: Any) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=RECORD_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            row = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in row.items()}
            writer.writerow(row)
            count += 1
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


# -- runs and sources ----------------------------------------------------------------

@main.command()
@click.option("--source", help="Only this source.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print every field of each run as JSON.")
@click.pass_obj
@handle_errors
def runs(obj: Context, source: str | None, limit: int, as_json: bool) -> None:
    """Crawl history: start, end, status, counts, errors.

    \b
    Example:
      newsdesk runs --source herald
    """
    with obj.archive() as archive:
        rows = archive.runs(source, limit=limit)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(f"no runs{f' of {source}' if source else ''} in {obj.db_path} yet", err=True)
        return
    from ingest.tables import runs_table

    click.echo("\n".join(runs_table(rows, terminal_width())))


def terminal_width() -> int:
    """The width tables are laid out for: $COLUMNS, else the terminal's, else 80 (rich's rule)."""
    from rich.console import Console

    return Console().width


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print every field of each source as JSON.")
@click.pass_context
@handle_errors
def sources(ctx: click.Context, as_json: bool) -> None:
    """Configured sources with schedule, last and next run, status (backing off...) and article count.

    The subcommands bring sources in and out of the sources file.

    \b
    Examples:
      newsdesk --sources sources.toml sources
      newsdesk sources import subscriptions.opml
      newsdesk sources export --opml -o feeds.opml
    """
    if ctx.invoked_subcommand is not None:
        return
    from ingest.run.scheduler import source_status

    obj: Context = ctx.obj
    configured = obj.sources()
    with obj.archive() as archive:
        rows = []
        for key, src in configured.items():
            last = next(iter(archive.runs(key, limit=1)), None)
            rows.append({
                "source": key, "name": src.name, "schedule": str(src.schedule),
                "articles": archive.count(key),
                "last_run": last and last["started_at"], "last_status": last and last["status"],
                "last_error": last and last["last_error"],
                **source_status(archive, src),  # status, next_run, failures, backing_off, backoff_until...
            })
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(f"no sources in {obj.sources_path}", err=True)
        return
    from ingest.tables import sources_table

    click.echo("\n".join(sources_table(rows, terminal_width())))


@sources.command("add", short_help="Find a site's feeds, sitemaps and sections; add it as a source.")
@click.argument("url")
@click.option("--key", help="The source key (default: from the site's address).")
@click.option("--dry-run", is_flag=True, help="Print what was found; write nothing.")
@click.option("--delay", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Seconds between requests to the site (also written as the source's delay).")
@click.pass_obj
@handle_errors
def sources_add(obj: Context, url: str, key: str | None, dry_run: bool, delay: float) -> None:
    """Discover a site from its address and write a commented [sources.KEY] table.

    Reads the page and robots.txt as politely as a crawl does, then tries the page's announced
    feeds and the common feed places, robots.txt's sitemaps and the common sitemap places, and
    the navigation's section pages, and proposes an article_pattern from the articles found.

    \b
    Example:
      newsdesk sources add https://www.nationalheraldindia.com/
      newsdesk sources add https://example.org/ --key example --dry-run
    """
    from ingest.run.crawl import discover_site
    from ingest.sources.add import add_source
    from ingest.sources.file import render_source

    if Path(obj.sources_path).exists():
        obj.sources()  # a broken file is reported before any fetching, and never rewritten
    found = discover_site(url, delay=delay)
    order = ("page", "robots", "feed", "article", "sitemap", "sitemap_child", "section")
    for role, tried, outcome in sorted(found.tried, key=lambda t: order.index(t[0])):
        click.echo(f"  {role:13} {tried}  {outcome}")
    source = add_source(obj.sources_path, found, key=key, delay=delay, dry_run=dry_run)
    click.echo("")
    click.echo(render_source(source), nl=False)
    where = "not written (--dry-run)" if dry_run else f"written to {obj.sources_path}"
    click.echo(f"[sources.{source.key}] {where}; try: newsdesk crawl {source.key}", err=True)


@sources.command("import", short_help="Add an OPML file's feeds, one new source per site.")
@click.argument("opml_file", metavar="FILE.opml")
@click.pass_obj
@handle_errors
def sources_import(obj: Context, opml_file: str) -> None:
    """Add the feeds of an OPML subscription list to the sources file, one source per site.

    Feeds already configured are skipped, so importing the same file twice adds nothing.
    The file keeps its comments; each new source says where it came from.

    \b
    Example:
      newsdesk sources import subscriptions.opml
    """
    from ingest.sources.file import append_sources, configured_feeds
    from ingest.sources.opml import parse_opml, plan_import

    try:
        data = Path(opml_file).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{opml_file}: cannot read: {exc.strerror or exc}") from None
    sites = parse_opml(data, opml_file)
    configured = configured_feeds(obj.sources_path)
    existing = obj.sources() if Path(obj.sources_path).exists() else {}
    plan = plan_import(sites, configured, existing, Path(opml_file).name)
    append_sources(obj.sources_path, plan.sources)
    for new in plan.sources:
        feeds = new.settings["feeds"]
        click.echo(f"added [sources.{new.key}] {new.settings['name']}: {len(feeds)} feed{'s' * (len(feeds) != 1)}")
    for url, key in plan.configured:
        click.echo(f"skipped {url}: already configured in [sources.{key}]")
    for url in plan.invalid:
        click.echo(f"skipped {url}: not an http(s) URL")
    click.echo(f"added {len(plan.sources)} sources ({plan.feed_count} feeds); skipped {len(plan.configured)} "
               f"feeds already configured" + (f", {len(plan.invalid)} not http(s) URLs" if plan.invalid else ""),
               err=True)


@sources.command("export", short_help="Every configured feed as OPML.")
@click.option("--opml", "as_opml", is_flag=True, help="As OPML 2.0 (the one format so far; required).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.pass_obj
@handle_errors
def sources_export(obj: Context, as_opml: bool, output: str | None) -> None:
    """Every configured feed as an OPML subscription list, grouped by source.

    \b
    Example:
      newsdesk sources export --opml -o feeds.opml
    """
    from ingest.sources.opml import build_opml

    if not as_opml:
        raise ConfigError("say which format: --opml (OPML 2.0 is the one format `sources export` writes)")
    configured = obj.sources()
    text = build_opml(configured.values())
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{output}: cannot write: {exc.strerror or exc}") from None
    else:
        click.echo(text, nl=False)
    feeds = sum(len(s.feeds) for s in configured.values())
    click.echo(f"exported {feeds} feeds of {sum(1 for s in configured.values() if s.feeds)} sources"
               f"{f' to {output}' if output else ''}", err=True)


# -- crawling ------------------------------------------------------------------------

def broker_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--broker and --shards: work spread over `newsdesk worker`s on other machines."""
    func = click.option("--shards", envvar="NEWSDESK_SHARDS", type=click.Path(file_okay=False),
                        help="The directory every worker writes its shard archives to (with --broker).")(func)
    return click.option("--broker", envvar="NEWSDESK_BROKER",
                        help="Celery broker URL (Redis), e.g. redis://host:6379/0: crawl on workers.")(func)


def _distributed(broker: str | None, shards: str | None) -> bool:
    if bool(broker) != bool(shards):
        raise ConfigError("--broker and --shards go together (or $NEWSDESK_BROKER and $NEWSDESK_SHARDS): "
                          "the workers write shards to that directory, and they are merged from it")
    return bool(broker)


@main.command()
@click.argument("source_keys", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Crawl every configured source.")
@click.option("--max-pages", type=click.IntRange(1), help="Override each source's max_pages for this run.")
@click.option("--quiet", is_flag=True, help="No live progress, only the summary.")
@broker_options
@click.pass_obj
@handle_errors
def crawl(obj: Context, source_keys: tuple[str, ...], all_sources: bool, max_pages: int | None, quiet: bool,
          broker: str | None, shards: str | None) -> None:
    """Crawl sources now, with live progress and a summary.

    With --broker, the batches go to `newsdesk worker`s through Celery, and their shards are
    merged into --db as they arrive.

    \b
    Examples:
      newsdesk crawl herald
      newsdesk crawl --all
      newsdesk crawl --all --broker redis://queue.lan:6379/0 --shards /mnt/newsdesk-shards
    """
    from ingest.run.crawl import crawl_sources

    configured = obj.sources()
    keys = list(configured) if all_sources else list(source_keys)
    if not keys:
        raise ConfigError("name one or more sources, or pass --all")
    unknown = [k for k in keys if k not in configured]
    if unknown:
        raise ConfigError(f"{obj.sources_path}: no source {unknown[0]!r}; configured: {', '.join(configured)}")
    # SIGTERM (the scheduler, systemd, timeout(1)) unwinds like Ctrl-C would, so crawl_source
    # stops its Scrapy child (in a session of its own) and closes the run, instead of orphaning it.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if _distributed(broker, shards):
        from ingest.distributed.workers import crawl_remote

        ok = crawl_remote(obj.db_path, obj.sources_path, keys, broker, shards, max_pages=max_pages,
                          progress=not quiet)
    else:
        ok = crawl_sources(obj.db_path, obj.sources_path, keys, max_pages=max_pages, progress=not quiet)
    sys.exit(0 if ok else 1)



def _exit_on_sigterm(signum: int, _frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: the cleanup must not be cut short
    sys.exit(128 + signum)


@main.command()
@click.option("--once", is_flag=True, help="Run every source once, then exit.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO",
              show_default=True)
@click.option("--log-file", type=click.Path(dir_okay=False), help="Log here instead of stderr.")
@broker_options
@click.pass_obj
@handle_errors
def schedule(obj: Context, once: bool, log_level: str, log_file: str | None, broker: str | None,
             shards: str | None) -> None:
    """Run every source on its schedule until SIGINT/SIGTERM.

    With --broker, due batches go to `newsdesk worker`s, and their shards are merged into --db.

    \b
    Examples:
      newsdesk schedule --log-file newsdesk.log
      newsdesk schedule --once
      newsdesk schedule --broker redis://queue.lan:6379/0 --shards /mnt/newsdesk-shards
    """
    from ingest.run.scheduler import MAX_CONCURRENT_BATCHES, run_scheduler

    runner, max_concurrent = None, MAX_CONCURRENT_BATCHES
    if _distributed(broker, shards):
        from ingest.distributed.workers import REMOTE_CONCURRENT_BATCHES, RemoteRunner

        runner = RemoteRunner(obj.db_path, obj.sources_path, broker, shards)
        max_concurrent = REMOTE_CONCURRENT_BATCHES
    sys.exit(run_scheduler(obj.db_path, obj.sources_path, once=once, log_level=log_level, log_file=log_file,
                           max_concurrent=max_concurrent, runner=runner))


@main.command()
@click.option("--broker", envvar="NEWSDESK_BROKER", required=True, help="Celery broker URL (Redis).")
@click.option("--shards", envvar="NEWSDESK_SHARDS", required=True, type=click.Path(file_okay=False),
              help="The directory shared with the merger, for the shard archives.")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1),
              help="Batches crawled at once (each is a Scrapy process with its own extraction workers).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO",
              show_default=True)
@handle_errors
def worker(broker: str, shards: str, concurrency: int, log_level: str) -> None:
    """A Celery worker on this machine: crawls the batches a scheduler sends, each into its
    own shard archive in --shards.

    \b
    Example:
      newsdesk worker --broker redis://queue.lan:6379/0 --shards /mnt/newsdesk-shards
    """
    from ingest.distributed.workers import run_worker

    run_worker(broker, shards, concurrency=concurrency, loglevel=log_level)


@main.command()
@click.argument("shards_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--keep", is_flag=True, help="Keep the shard files after merging them.")
@click.pass_obj
@handle_errors
def merge(obj: Context, shards_dir: str, keep: bool) -> None:
    """Fold the completed shard archives in SHARDS_DIR into --db, as if crawled here.

    Idempotent: a ledger in the archive remembers every shard merged; a shard still being
    written is never merged.

    \b
    Example:
      newsdesk merge /mnt/newsdesk-shards
    """
    from ingest.distributed.merge import merge_dir

    with obj.archive() as archive:
        results = merge_dir(archive, shards_dir, keep=keep)
    merged = [r for r in results if r.merged]
    bad = [r for r in results if r.error]
    for result in bad:
        click.echo(f"error: {result.error}", err=True)
    for result in merged:
        for run in result.runs:
            click.echo(f"{result.shard}: {run['source']}: {run['status']}: {run['pages']} pages; articles "
                       f"{run['new']} new, {run['updated']} updated, {run['unchanged']} unchanged, "
                       f"{run['duplicate']} duplicate; {run['rejected']} rejected; {run['errors']} errors")
    click.echo(f"merged {len(merged)} shards ({len(results) - len(merged) - len(bad)} merged before)", err=True)
    if bad:
        sys.exit(1)


@main.command()
@click.option("--source", help="Only this source.")
@click.pass_obj
@handle_errors
def reextract(obj: Context, source: str | None) -> None:
    """Rebuild articles from stored raw HTML with today's extractor.

    \b
    Example:
      newsdesk reextract --source herald
    """
    from ingest.run.reextract import reextract_archive

    # Per-source overrides apply when a sources file is there; without one, defaults.
    sources = obj.sources() if Path(obj.sources_path).exists() else None
    with obj.archive() as archive:
        counts = reextract_archive(archive, source=source, sources=sources)
    click.echo(", ".join(f"{v} {k}" for k, v in counts.items()))


@main.command()
@click.pass_obj
@handle_errors
def optimize(obj: Context) -> None:
    """Merge the full-text index into one segment: faster searches after a bulk load.

    Runs in short write transactions, so a crawl writing meanwhile only waits a moment.
    `newsdesk schedule` does it every night by itself.

    \b
    Example:
      newsdesk --db news.db optimize
    """
    import time

    with obj.archive() as archive:
        started = time.monotonic()
        before = archive.fts_segments()
        steps = archive.optimize()
        click.echo(f"full-text index: {before} segments merged into {archive.fts_segments()} "
                   f"in {steps} steps, {time.monotonic() - started:.1f} s")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def stats(obj: Context, as_json: bool) -> None:
    """Counts per source, per day and per language; fetch error rates.

    \b
    Example:
      newsdesk stats --json
    """
    from storage.stats import archive_stats

    with obj.archive() as archive:
        data = archive_stats(archive)
    if as_json:
        emit_json(data)
        return
    print_stats(data)


STATS_DAYS_SHOWN = 30
# short column labels, so that the sources table fits 80 columns (--json keeps the keys)
STATS_LABELS = {"last_published": "newest", "last_seen": "seen", "error_rate": "err%"}


def print_stats(data: dict[str, list[dict[str, Any]]]) -> None:
    """`stats` as tables that fit 80 columns: totals one per line, the newest days only."""
    from rich import box
    from rich.console import Console
    from rich.table import Column, Table

    def cell(key: str, value: Any) -> str:
        if value is None:
            return "-"
        if key.endswith("rate"):
            return f"{value:.1%}"
        if key == "last_seen":  # an ISO time in UTC: the day is enough here
            return str(value)[:10]
        return f"{value:,}" if isinstance(value, int) else str(value)

    console = Console()
    totals = Table(title="totals", show_header=False, box=box.SIMPLE)
    for key, value in (data["totals"][0] if data["totals"] else {}).items():
        totals.add_row(key.replace("_", " "), cell(key, value))
    console.print(totals)
    for section in ("sources", "languages", "days"):
        rows = data[section]
        if not rows:
            continue
        shown = rows[:STATS_DAYS_SHOWN] if section == "days" else rows
        cells = [[cell(k, v) for k, v in row.items()] for row in shown]
        # values never wrap (a header may, onto two lines)
        columns = [Column(STATS_LABELS.get(key, key), justify="left" if i == 0 else "right",
                          min_width=max(len(r[i]) for r in cells)) for i, key in enumerate(rows[0])]
        more = f"{len(shown)} of {len(rows):,} (--json: all)" if len(shown) < len(rows) else None
        table = Table(*columns, title=section, caption=more, box=None, pad_edge=False)
        for row in cells:
            table.add_row(*row)
        console.print(table)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.pass_obj
@handle_errors
def serve(obj: Context, host: str, port: int) -> None:
    """Browse and search the archive in Datasette, read-only.

    \b
    Example:
      newsdesk serve --port 8001
    """
    from ingest.serve import serve_archive

    if not os.path.exists(obj.db_path):
        raise ConfigError(f"no archive at {obj.db_path}; crawl or ingest first, or pass --db PATH")
    serve_archive(obj.db_path, host=host, port=port)
