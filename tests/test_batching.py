"""spiders.batching.Batcher with a writer thread: results reach their callers, batches run
one at a time off the event loop, entries queued behind a busy writer go together."""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from spiders.batching import Batcher


def test_batches_run_in_the_writer_one_at_a_time_and_each_caller_gets_its_own_result():
    batches: list[list[int]] = []
    threads: set[str] = set()
    active = 0
    overlapped = False
    # A slow writer by construction: the first batch holds the writer until the test has
    # queued every other entry behind it, whatever the machine's speed.
    writing, release = threading.Event(), threading.Event()

    def run(entries: list[int]) -> list[int]:
        nonlocal active, overlapped
        active += 1
        overlapped |= active > 1
        threads.add(threading.current_thread().name)
        writing.set()
        assert release.wait(120), "the test never released the writer"  # a safety net only
        batches.append(list(entries))
        active -= 1
        return [e * 10 for e in entries]

    async def main() -> list[int]:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer") as writer:
            batcher = Batcher(run, writer, size=4, delay=0.01, most=10)
            first = [asyncio.ensure_future(batcher.submit(i)) for i in range(4)]  # a full batch: runs at once
            assert await asyncio.to_thread(writing.wait, 120), "the first batch never reached the writer"
            queued = [asyncio.ensure_future(batcher.submit(i)) for i in range(4, 60)]
            await asyncio.sleep(0)  # each submit() has queued its entry behind the busy writer
            assert not any(f.done() for f in first + queued)
            release.set()
            results = await asyncio.gather(*first, *queued)
            await batcher.drain()
            return results

    assert asyncio.run(main()) == [i * 10 for i in range(60)]
    assert sorted(e for b in batches for e in b) == list(range(60))  # each entry stored once
    assert [e for b in batches for e in b] == list(range(60))  # in the order submitted
    assert threads and all(t.startswith("writer") for t in threads) and not overlapped
    # The 56 entries that queued behind the busy writer go together, at most 10 at a time.
    assert [len(b) for b in batches] == [4, 10, 10, 10, 10, 10, 6], batches


def test_a_failed_batch_fails_its_entries_only_and_drain_runs_what_is_left():
    def run(entries: list[int]) -> list[int]:
        if 3 in entries:
            raise OSError("disk full")
        return entries

    async def main() -> tuple[list[object], list[int]]:
        with ThreadPoolExecutor(max_workers=1) as writer:
            batcher = Batcher(run, writer, size=4, delay=10)
            first = await asyncio.gather(*(batcher.submit(i) for i in range(4)), return_exceptions=True)
            late = asyncio.gather(*(batcher.submit(i) for i in range(10, 12)))
            await asyncio.sleep(0)
            await batcher.drain()  # well before the 10 s delay
            return first, await late

    first, late = asyncio.run(main())
    assert all(isinstance(r, OSError) for r in first)
    assert late == [10, 11]


@pytest.mark.parametrize("executor", [False, True])
def test_a_short_batch_runs_after_its_delay(executor: bool):
    async def main() -> list[int]:
        writer = ThreadPoolExecutor(max_workers=1) if executor else None
        batcher = Batcher(lambda entries: entries, writer, size=16, delay=0.01)
        try:
            return await asyncio.wait_for(asyncio.gather(batcher.submit(1), batcher.submit(2)), 120)  # a safety net only
        finally:
            if writer:
                writer.shutdown()

    assert asyncio.run(main()) == [1, 2]
