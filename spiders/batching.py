"""Batcher: gather work from many asyncio tasks and run it N at a time, each caller awaiting its own result.

The pipeline stores pages through one: a commit costs a full-text segment and a WAL sync, so
16 pages in one transaction cost far less CPU than 16 transactions. A batch runs when it is
full, `delay` seconds after its first entry, or on `flush()`; nothing waits longer than that.
"""
from __future__ import annotations

import asyncio
from typing import Callable, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    def __init__(self, run: Callable[[list[T]], list[R]], size: int = 16, delay: float = 0.2):
        self.run = run  # one result per entry, in order; an exception fails the whole batch
        self.size = size
        self.delay = delay
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def submit(self, entry: T) -> R:
        """Queue one entry; return its result once its batch has run (or raise the batch's error)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((entry, future))
        if len(self._pending) >= self.size:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.delay, self.flush)
        return await future

    def flush(self) -> None:
        """Run what is queued now (synchronously) and hand each caller its result."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            results = self.run([entry for entry, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} gave {len(results)} results")
        except Exception as exc:  # every entry of the batch shares its fate
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results):
            if not future.done():  # a caller cancelled meanwhile (shutdown) has no one to tell
                future.set_result(result)
