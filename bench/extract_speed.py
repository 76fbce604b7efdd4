"""Extraction speed on the real pages: our extract_article vs trafilatura's bare_extraction alone.

Each measurement runs in a fresh subprocess (trafilatura and htmldate keep caches that would
favour whichever extractor runs second in one process), the two alternate, and the best of
`--rounds` runs of each is kept. Timed in CPU seconds of the subprocess (the machine is shared:
wall time swings with other load, CPU time much less); wall time is reported beside it.
Reported: docs/s for both and our cost as a ratio of CPU time.

Run: python -m bench.extract_speed [--rounds 3] [--pages DIR]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench.quality import ROOT, load_pages, ours, plain_trafilatura, realpages_dir

EXTRACTORS = {"trafilatura": plain_trafilatura, "newsdesk": ours}


def time_one(name: str, directory: str) -> dict:
    """Extract every page once with one extractor; CPU and wall seconds spent extracting (decoding excluded)."""
    pages = list(load_pages(realpages_dir(directory)))
    extractor = EXTRACTORS[name]
    start, start_wall = time.process_time(), time.perf_counter()
    for _, want, html in pages:
        try:
            extractor(html, want["url"])
        except Exception:  # a rejected page still cost its time
            pass
    return {"name": name, "pages": len(pages), "seconds": time.process_time() - start,
            "wall": time.perf_counter() - start_wall}


def measure(directory: str, rounds: int) -> dict[str, dict]:
    best: dict[str, dict] = {}
    for _ in range(rounds):
        for name in EXTRACTORS:
            out = subprocess.run(
                [sys.executable, "-m", "bench.extract_speed", "--one", name, "--pages", directory],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )
            result = json.loads(out.stdout)
            if name not in best or result["seconds"] < best[name]["seconds"]:
                best[name] = result
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=sorted(EXTRACTORS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    directory = realpages_dir(args.pages)
    if directory is None:
        print("real pages not found (set NEWSDESK_REALPAGES); nothing to measure", file=sys.stderr)
        return 0
    if args.one:
        print(json.dumps(time_one(args.one, str(directory))))
        return 0
    best = measure(str(directory), args.rounds)
    for name, result in best.items():
        print(f"{name:<12} {result['pages'] / result['seconds']:.1f} docs/s "
              f"({1000 * result['seconds'] / result['pages']:.1f} ms CPU/page, "
              f"{1000 * result['wall'] / result['pages']:.1f} ms wall; best of {args.rounds})")
    ratio = best["newsdesk"]["seconds"] / best["trafilatura"]["seconds"]
    print(f"cost per page, newsdesk / trafilatura: {ratio:.2f}x (target: at most 1.15x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
