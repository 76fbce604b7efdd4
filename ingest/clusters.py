"""Near-duplicate detection for syndicated stories: MinHash signatures and LSH band keys (pure).

The same wire story reaches many sites with a new headline, a rewritten lead, a footer
added or the end cut off. Its word 3-shingles still overlap heavily, so a MinHash
signature (datasketch, 128 permutations) estimates the Jaccard similarity of two texts
and locality-sensitive hashing turns "similar" into "share a band key", which an index
lookup can answer. Nothing here touches the database: storage/clusters.py stores the
signatures and band keys and assigns clusters.

The parameters are part of the archive format: signatures and keys already stored were
made with them. Change them only with a migration that recomputes every signature.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

NUM_PERM = 128
SHINGLE_WORDS = 3
SEED = 1
SCHEME = "affine32"  # pinned: the datasketch default could change under stored signatures
# 42 bands of 3 rows (126 of the 128 values) make a pair at J=0.4 a candidate 94% of the
# time and one at J=0.05 0.5% of the time: the S-curve sits below the acceptance
# threshold so that copies near it (a truncated copy with a rewritten lead) are still
# found; verification on the signatures themselves then decides.
BANDS = 42
ROWS = 3
# A pair is the same story when its estimated Jaccard similarity reaches THRESHOLD, or
# when the shorter text is mostly contained in the longer one (a copy cut short, or one
# wrapped in a long footer), judged only when the shorter text is long enough for the
# estimate to mean something.
THRESHOLD = 0.5
CONTAINMENT = 0.8
MIN_CONTAINMENT_SHINGLES = 30

_WORD = re.compile(r"\w+")
_MASK = np.uint64(0xFFFFFFFF)


def _identity(value: int) -> int:
    return value


@lru_cache(maxsize=1)
def _permutations() -> Any:
    # datasketch is imported on first use: its package pulls in scipy (0.6 s), which the
    # read-only commands (search, show, export) never need.
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def words(text: str) -> list[str]:
    """A text's words, case- and punctuation-insensitive."""
    return _WORD.findall(text.lower())


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the text's distinct word 3-shingles.

    Each word is hashed once (crc32: stable across processes, unlike Python's salted
    hash()), and a shingle's hash mixes its three word hashes in numpy: five times
    faster than hashing every joined shingle string, and the same sets come out.
    """
    tokens = words(text)
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    h = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))
    if len(h) >= SHINGLE_WORDS:
        h = h[:-2] * np.uint64(0x9E3779B1) + h[1:-1] * np.uint64(0x85EBCA77) + h[2:] * np.uint64(0xC2B2AE3D)
    else:
        h = np.array([h.sum()], dtype=np.uint64)
    h ^= h >> np.uint64(29)  # fold the high bits the products pushed up into the low 32
    return np.unique(h & _MASK)


@dataclass(frozen=True)
class Signature:
    """A text's MinHash signature and how many distinct shingles it was made from."""

    hashvalues: np.ndarray  # NUM_PERM uint32
    size: int  # distinct shingles

    def to_blob(self) -> bytes:
        return self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_blob(cls, blob: bytes, size: int) -> "Signature":
        return cls(np.frombuffer(blob, dtype="<u4"), size)

    def band_keys(self) -> list[tuple[int, int]]:
        """(band, key) pairs: two texts sharing any pair are candidate copies."""
        keys = []
        for band in range(BANDS):
            key = zlib.crc32(self.hashvalues[band * ROWS:(band + 1) * ROWS].astype("<u4").tobytes())
            keys.append((band, key - (1 << 32) if key >= 1 << 31 else key))  # fits SQLite's 4-byte int
        return keys

    def jaccard(self, other: "Signature") -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / NUM_PERM

    def containment(self, other: "Signature") -> float:
        """Estimated share of the smaller set found in the larger one."""
        j = self.jaccard(other)
        smaller = min(self.size, other.size)
        if smaller == 0:
            return 0.0
        return min(1.0, j * (self.size + other.size) / (1 + j) / smaller)

    def same_story(self, other: "Signature") -> bool:
        if self.jaccard(other) >= THRESHOLD:
            return True
        return (min(self.size, other.size) >= MIN_CONTAINMENT_SHINGLES
                and self.containment(other) >= CONTAINMENT)


def signature(text: str) -> Signature | None:
    """The signature of an article's text; None for a text without words."""
    hashes = shingle_hashes(text or "")
    if not len(hashes):
        return None
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=_identity, permutations=_permutations())
    mh.update_batch(hashes.tolist())  # plain ints: iterating numpy scalars is slower
    return Signature(np.asarray(mh.hashvalues, dtype=np.uint32), len(hashes))
