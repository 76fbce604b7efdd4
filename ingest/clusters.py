"""Near-duplicate detection for syndicated stories: MinHash signatures and LSH band keys (pure).

The same wire story reaches many sites with a new headline, a rewritten lead, a footer
added or the end cut off. Its word 3-shingles still overlap heavily, so a MinHash
signature (datasketch's affine32 scheme, 128 permutations, computed here in numpy)
estimates the Jaccard similarity of two texts and locality-sensitive hashing turns
"similar" into "share a band key", which an index lookup can answer. Nothing here
touches the database: storage/clusters.py stores the signatures and band keys and
assigns clusters.

The parameters are part of the archive format: signatures and keys already stored were
made with them. Change them only with a migration that recomputes every signature.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

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
# Words repeat (Zipf), across texts as within one: each distinct word is hashed once per
# process, up to this many, then the cache starts over.
_WORD_CACHE_MAX = 200_000
_word_hashes: dict[str, int] = {}


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch 2.0's affine32 permutation parameters for NUM_PERM and SEED, made the way
    datasketch makes them (tests check the signatures against datasketch's MinHash), so
    neither datasketch nor the scipy it imports (0.6 s) is loaded to sign a text."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def words(text: str) -> list[str]:
    """A text's words, case- and punctuation-insensitive."""
    return _WORD.findall(text.lower())


def _word_hash_array(tokens: list[str]) -> np.ndarray:
    cache = _word_hashes
    missing = set(tokens).difference(cache)
    if missing:
        if len(cache) + len(missing) > _WORD_CACHE_MAX:
            cache.clear()
            missing = set(tokens)
        crc32 = zlib.crc32
        cache.update({t: crc32(t.encode("utf-8")) for t in missing})
    try:
        return np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    except KeyError:  # another thread started the cache over in between
        return np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the text's distinct word 3-shingles.

    Each word is hashed once (crc32: stable across processes, unlike Python's salted
    hash()), and a shingle's hash mixes its three word hashes in numpy: five times
    faster than hashing every joined shingle string, and the same sets come out.
    """
    tokens = words(text)
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    h = _word_hash_array(tokens)
    if len(h) >= SHINGLE_WORDS:
        h = h[:-2] * np.uint64(0x9E3779B1) + h[1:-1] * np.uint64(0x85EBCA77) + h[2:] * np.uint64(0xC2B2AE3D)
    else:
        h = np.array([h.sum()], dtype=np.uint64)
    h ^= h >> np.uint64(29)  # fold the high bits the products pushed up into the low 32
    return np.unique(h & _MASK)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch's affine32 applies before permuting."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The NUM_PERM minimum values of `a * fmix32(h) + b mod 2**32` over the 32-bit hashes:
    datasketch's MinHash(scheme="affine32").update_batch, bit for bit, in one numpy pass."""
    a, b = _permutations()
    h = _fmix32(hashes.astype(np.uint32))
    return (h[:, None] * a + b).min(axis=0)


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
        return band_keys_many([self])[0]

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


def band_keys_many(signatures: list[Signature]) -> list[list[tuple[int, int]]]:
    """Each signature's band_keys: a band's key is the crc32 of its ROWS values' bytes, made
    from one buffer for the whole batch (a batch's 21,000 keys in a tenth of the time)."""
    if not signatures:
        return []
    raw = np.stack([s.hashvalues[:BANDS * ROWS] for s in signatures]).astype("<u4").tobytes()
    crc32, step, wrap = zlib.crc32, ROWS * 4, 1 << 32
    per_signature = BANDS * step
    out = []
    for start in range(0, len(raw), per_signature):
        keys = []
        for band in range(BANDS):
            at = start + band * step
            key = crc32(raw[at:at + step])
            keys.append((band, key - wrap if key >= 1 << 31 else key))  # fits SQLite's 4-byte int
        out.append(keys)
    return out


def signature(text: str) -> Signature | None:
    """The signature of an article's text; None for a text without words."""
    hashes = shingle_hashes(text or "")
    if not len(hashes):
        return None
    return Signature(minhash(hashes), len(hashes))
