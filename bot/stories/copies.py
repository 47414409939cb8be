"""Near-duplicate texts: MinHash signatures over word shingles, banded for an LSH index.

A signature is NUM_PERM minimum hashes of an article's shingles; two signatures agree in a
position with probability equal to the texts' Jaccard similarity. The signature is cut into
BANDS bands of ROWS rows; each band hashes to one key, and the index (the `article_bands`
table) finds every stored article sharing at least one key with a new one by equality lookups:
the cost of adding an article does not depend on how many are stored. A candidate is a copy
only when its estimated similarity passes the thresholds below (see README, Copies and stories).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.stories.text import shingles

if TYPE_CHECKING:
    import numpy as np

# 42 bands of 3 rows: a pair with Jaccard 0.45 shares a band with probability 0.98, one at
# 0.6 with probability 0.99996, two unrelated texts (Jaccard ≈ 0.005) about 5 in a million.
NUM_PERM = 126
BANDS = 42
ROWS = NUM_PERM // BANDS
SEED = 1
# Stored signatures are only comparable with signatures of the same scheme: fixed, not the
# library's default, so a datasketch upgrade cannot silently change it.
SCHEME = "affine32"

# Tuned on tests/stories/pairs (README: Copies and stories): the generated copies keep ≥ 0.6
# of their shingles in common; two outlets' own reports of one event share quotes and facts but
# stay ≤ 0.15. The threshold sits between, three standard errors of the estimate from either side.
COPY_JACCARD = 0.4
# A copy trimmed from the bottom (a brief of the full wire story) has a low Jaccard but nearly
# all of its shingles inside the longer text.
COPY_CONTAINMENT = 0.8
# Too few shingles to tell a copy from a shared quote: below this, only identical texts match.
MIN_SHINGLES = 25


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    # Generating the permutations is most of the cost of a MinHash object; they depend only
    # on the seed, so every signature shares one pair.
    from datasketch import MinHash

    perms: tuple[np.ndarray, np.ndarray] = MinHash(
        num_perm=NUM_PERM, seed=SEED, scheme=SCHEME
    ).permutations
    return perms


@dataclass(frozen=True, slots=True)
class Signature:
    """A text's MinHash signature and its number of shingles."""

    values: np.ndarray
    shingle_count: int

    def to_bytes(self) -> bytes:
        """The signature as stored (NUM_PERM little-endian 32-bit minimums)."""
        return bytes(self.values.astype("<u4").tobytes())

    @classmethod
    def from_bytes(cls, data: bytes, shingle_count: int) -> Signature:
        """A stored signature."""
        import numpy as np  # on first use: the read-only commands never compare signatures

        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint64), shingle_count)

    def band_keys(self) -> list[int]:
        """One signed 64-bit key per band (band number mixed in, so bands never collide)."""
        keys = []
        raw = self.values.astype("<u4")
        for band in range(BANDS):
            chunk = raw[band * ROWS : (band + 1) * ROWS].tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8, person=band.to_bytes(2, "little"))
            keys.append(int.from_bytes(digest.digest(), "little", signed=True))
        return keys

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        import numpy as np

        return float(np.count_nonzero(self.values == other.values)) / NUM_PERM

    def containment(self, other: Signature) -> float:
        """Estimated share of the smaller text's shingles found in the larger one."""
        j = self.jaccard(other)
        small = min(self.shingle_count, other.shingle_count)
        if small == 0:
            return 0.0
        # |A∩B| = J·|A∪B| and |A∪B| = (|A|+|B|)/(1+J).
        inter = j * (self.shingle_count + other.shingle_count) / (1.0 + j)
        return min(1.0, inter / small)


def signature_of_shingles(items: set[str]) -> Signature:
    """The signature of a set of shingles."""
    # Imported on first use: the datasketch package imports scipy (seconds on a busy machine),
    # which the bot's start-up and the CLI's other commands should not wait for.
    import numpy as np
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)
    if items:
        minhash.update_batch([s.encode("utf-8") for s in items])
    return Signature(np.asarray(minhash.hashvalues, dtype=np.uint64), len(items))


def signature(text: str) -> Signature:
    """The signature of an article's cleaned text (title left out: editors rewrite it)."""
    return signature_of_shingles(shingles(text))


def is_copy(a: Signature, b: Signature) -> bool:
    """Whether two signatures are of one text as syndication edits it."""
    if min(a.shingle_count, b.shingle_count) < MIN_SHINGLES:
        return False
    if a.jaccard(b) >= COPY_JACCARD:
        return True
    return a.containment(b) >= COPY_CONTAINMENT


def copy_score(a: Signature, b: Signature) -> float:
    """How strongly two signatures look like one text (for choosing among candidates)."""
    return max(a.jaccard(b), a.containment(b) * 0.9)
