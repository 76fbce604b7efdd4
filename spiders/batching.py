"""Batcher: gather work from many asyncio tasks and run it N at a time, each caller awaiting its own result.

The pipeline stores pages through one: a commit costs a full-text segment and a WAL sync, so
16 pages in one transaction cost far less CPU than 16 transactions. A batch runs when it is
full, `delay` seconds after its first entry, or on `flush()`; nothing waits longer than that
(plus the batches queued before it).

Batches run in an `executor` (one thread), off the event loop, one at a time, in order: while
one is stored the reactor goes on downloading and feeding the extraction workers instead of
standing still for the whole transaction. Entries that arrive meanwhile wait for it and then go
together, up to `most` at once (group commit): the busier the writer, the fewer commits it pays
for. Callers still get their results on the loop.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from typing import Callable, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    def __init__(self, run: Callable[[list[T]], list[R]], executor: Executor, size: int = 16,
                 delay: float = 0.2, most: int | None = None):
        self.run = run  # one result per entry, in order; an exception fails the whole batch
        self.size = size
        self.delay = delay
        self.executor = executor  # one worker: batches never overlap
        self.most = max(most or size, size)  # the largest batch, when entries queued up behind a busy writer
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Future[list[R]] | None = None  # the batch in the executor now

    async def submit(self, entry: T) -> R:
        """Queue one entry; return its result once its batch has run (or raise the batch's error)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((entry, future))
        if self._running is None:  # a busy writer takes what is pending when it is done
            if len(self._pending) >= self.size:
                self.flush()
            elif self._timer is None:
                self._timer = loop.call_later(self.delay, self.flush)
        return await future

    def flush(self) -> None:
        """Start what is queued now on the executor, unless a batch is running there already
        (the pending entries follow it; see `drain`)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._running is not None or not self._pending:
            return
        batch, self._pending = self._pending[:self.most], self._pending[self.most:]
        running = asyncio.get_running_loop().run_in_executor(self.executor, self._checked, [e for e, _ in batch])
        self._running = running
        running.add_done_callback(lambda done: self._finished(batch, done))

    async def drain(self) -> None:
        """Run everything queued, and wait until every caller has been told its result."""
        self.flush()
        while self._running is not None or self._pending:
            if self._running is None:
                self.flush()
            else:
                await asyncio.wait([self._running])
                await asyncio.sleep(0)  # let its done callback run

    def _checked(self, entries: list[T]) -> list[R]:
        results = self.run(entries)
        if len(results) != len(entries):
            raise RuntimeError(f"a batch of {len(entries)} gave {len(results)} results")
        return results

    def _finished(self, batch: list[tuple[T, asyncio.Future[R]]], done: asyncio.Future[list[R]]) -> None:
        self._running = None
        if done.cancelled():
            _deliver(batch, None, asyncio.CancelledError())
        elif done.exception() is not None:
            _deliver(batch, None, done.exception())
        else:
            _deliver(batch, done.result(), None)
        # what arrived meanwhile: a full batch goes at once, a short one gets its `delay`
        if len(self._pending) >= self.size:
            self.flush()
        elif self._pending and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.delay, self.flush)


def _deliver(batch: list[tuple[T, asyncio.Future[R]]], results: list[R] | None, error: BaseException | None) -> None:
    """Hand each caller its result, or the batch's error: every entry of a batch shares its fate."""
    for i, (_, future) in enumerate(batch):
        if future.done():  # a caller cancelled meanwhile (shutdown) has no one to tell
            continue
        if isinstance(error, asyncio.CancelledError):
            future.cancel()
        elif error is not None:
            future.set_exception(error)
        else:
            future.set_result(results[i])
