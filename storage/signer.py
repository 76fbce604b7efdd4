"""Work for a bulk batch done in a helper process while the archive writes it: MinHash
signatures, and the line keys that learned boilerplate counts (`line_keys_later`).

Signing is a quarter of what storing an article costs, in Python and numpy code that holds
the GIL: a signing thread beside the writer slowed the writer down more than it saved. A
helper process signs the batch in slices instead, and the writer takes each slice's
signatures as it reaches them, so a bulk load's signing costs it only the first slice. Small
batches sign inline: a crawl's batches are small, and its extraction workers sign its pages.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Callable, Iterator

from ingest.boilerplate import line_keys
from ingest.clusters import Signature, signature
from ingest.models import Article

PROCESS_MIN = 200  # texts to sign before the helper process is worth its round trips
SLICE = 50
_helper: ProcessPoolExecutor | None = None


def _sign_texts(texts: list[str]) -> list[Signature | None]:
    return [signature(text) for text in texts]


def _keys_of(texts: list[str]) -> list[dict[str, str]]:
    return [line_keys(text) for text in texts]


def _pool() -> ProcessPoolExecutor:
    global _helper
    if _helper is None:
        # fork: the helper starts at once with numpy already imported
        _helper = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    return _helper


def sign(article: Article) -> Signature | None:
    """The article's signature: the one it carries (its extraction worker made it), or made now."""
    return article.signature if article.signature is not None else signature(article.text)


def signatures(articles: list[Article | None]) -> Iterator[Signature | None]:
    """`sign` for each article, in order (None for None); for a large batch, the signatures
    not carried are made in the helper process, starting now, while the caller goes on and
    then takes them one by one."""
    todo = [a for a in articles if a is not None and a.signature is None]
    if len(todo) < PROCESS_MIN:  # now, before the caller takes the write lock
        made: Iterator[Signature | None] = iter([signature(a.text) for a in todo])
    else:
        slices = [todo[i:i + SLICE] for i in range(0, len(todo), SLICE)]
        made = _collect(slices, [_pool().submit(_sign_texts, [a.text for a in s]) for s in slices])
    return _in_order(articles, made)


def _in_order(articles: list[Article | None], made: Iterator[Signature | None]) -> Iterator[Signature | None]:
    for article in articles:
        if article is None:
            yield None
        elif article.signature is not None:
            yield article.signature
        else:
            yield next(made)


def _collect(slices: list[list[Article]], futures: list[Future]) -> Iterator[Signature | None]:
    global _helper
    for articles, future in zip(slices, futures):
        try:
            yield from future.result()
        except Exception:  # the helper died (killed, out of memory): sign here, start a new one
            _helper = None
            yield from (signature(a.text) for a in articles)


def line_keys_later(texts: list[str]) -> Callable[[], list[dict[str, str]]]:
    """Start making each text's line keys (ingest.boilerplate.line_keys) in the helper
    process; the returned call waits for them. A shard merge's articles come signed, so the
    helper is free to key their lines while the batch is written (a tenth of a merge's time)."""
    global _helper
    try:
        future = _pool().submit(_keys_of, texts)
    except RuntimeError:  # the pool broke (its process was killed): key them when asked
        _helper = None
        return lambda: _keys_of(texts)

    def result() -> list[dict[str, str]]:
        global _helper
        try:
            return future.result()
        except Exception:  # the helper died: key them here, start a new one next time
            _helper = None
            return _keys_of(texts)
    return result
