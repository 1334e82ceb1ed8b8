"""What propagation compares: an article body as syllable shingles, MinHash band keys and paragraph digests.

Pure functions over text folded as search folds it (archive.vntext.fold), so that a republisher
that writes "hoá" for "hóa", drops a diacritic or changes case still shares every shingle with
the original. Vietnamese words are written as separate syllables, so a shingle is a run of
syllables: long enough that shared boilerplate ("thực hiện nghị quyết", "đồng chí … phát biểu")
makes few shingles, short enough that a light rewrite leaves most of them intact.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache

import numpy as np
from datasketch import MinHash

from archive.vntext import fold

#: Syllables per shingle.
SHINGLE = 5
#: Jaccard similarity at or above which two bodies are near-identical (the same text, lightly edited).
NEAR_JACCARD = 0.5
#: Share of the smaller body found in the larger at or above which one "contains most of the other".
NEAR_CONTAINMENT = 0.8
#: A body giving at least FIGURES_MIN figures (syllables holding a digit: counts, dates, decree
#: numbers) is near another only when at least FIGURES_KEPT of them are in the other too. Reports
#: written to one template share most of their shingles but not their facts: without this, two
#: provinces' briefs of one template were "the same text".
FIGURES_MIN = 4
FIGURES_KEPT = 0.7
#: MinHash permutations: the estimate's error shrinks as 1/sqrt(NUM_PERM).
NUM_PERM = 128
#: LSH bands of the MinHash, and its values per band (candidates only; every pair is then
#: verified exactly). A pair of Jaccard similarity J shares a band with probability
#: 1 - (1 - J**ROWS)**BANDS: 0.48 at 0.3 (a copy cut to a third, also found by its paragraphs),
#: 0.80 at 0.4, 0.96 at 0.5, 0.996 at 0.6; a topic's chance neighbours at 0.08, 0.02. Each band
#: is a row of the index written in a random place of it, most of what a placement writes: 42
#: bands (datasketch's MinHashLSH's choice for a threshold of 0.25) and then 32 found nothing
#: more on the generated pairs than these 24 (bench/README.md, issue 16).
BANDS = 24
ROWS = 3
#: Paragraphs shorter than this (in syllables) are no evidence of reuse: captions, datelines, stock phrases.
PARAGRAPH_MIN = 20
#: Whole paragraphs in common (in syllables) that make two articles a case of reuse: more than one
#: stock sentence standing as a paragraph of its own.
REUSE_MIN = 60
#: Bodies shorter than this (in syllables) are not placed: a few lines match too much by chance.
BODY_MIN = 40
#: Fixed, so that band keys written by one process match those computed by the next.
SEED = 16

_SYLLABLE = re.compile(r"\w+")


def syllables(text: str | None, *, folded: bool = False) -> list[str]:
    """The folded syllables (and numbers) of ``text``, punctuation dropped.

    ``folded``: the text is already folded (the archive's ``text_fold``), so folding it again
    is skipped; folding is idempotent, so the syllables are the same.
    """
    return _SYLLABLE.findall((text or "") if folded else fold(text or ""))


Shingle = tuple[str, ...]


def shingles(words: list[str], size: int = SHINGLE) -> set[Shingle]:
    """Every run of ``size`` consecutive syllables; a text shorter than that is one shingle.

    Tuples, not joined strings: a placement compares a text with every candidate's, and building
    tuples costs a fraction of joining them. MinHash sees them joined (:func:`minhash`).
    """
    if len(words) < size:
        return {tuple(words)} if words else set()
    return set(zip(*(words[i:] for i in range(size)), strict=False))


def body_shingles(text: str | None, *, folded: bool = False) -> set[Shingle]:
    return shingles(syllables(text, folded=folded))


#: How a body's shingle hashes are stored: sorted, unique, 32-bit little-endian.
HASH_DTYPE = np.dtype("<u4")


def word_hashes(words: list[str], size: int = SHINGLE) -> np.ndarray:
    """Each shingle of ``words`` as the 32-bit value MinHash hashes it to (its syllables joined by
    spaces, datasketch's ``sha1_hash32``: the digest's first four bytes, little endian), sorted
    and unique.

    Placement keeps these for every article, so that a candidate is compared without reading and
    tokenising its text again. Two distinct shingles of two bodies share a value by chance about
    once in 2**32 pairs: similarities computed on the values are those of the shingles. Each
    shingle is a slice of the words joined once, not a tuple joined again: hashing its body is
    most of a placement's own CPU.
    """
    if not words:
        return np.zeros(0, dtype=HASH_DTYPE)
    joined = " ".join(words).encode()
    starts = [0]
    for word in words:
        starts.append(starts[-1] + len(word.encode()) + 1)
    if len(words) < size:
        spans = [(0, starts[-1] - 1)]
    else:
        spans = zip(starts[: len(words) - size + 1], [e - 1 for e in starts[size:]], strict=True)
    sha1 = hashlib.sha1
    digests = b"".join(sha1(joined[a:b]).digest()[:4] for a, b in spans)
    return np.unique(np.frombuffer(digests, dtype=HASH_DTYPE))


_DIGIT = re.compile(r"\d")


def figures(words: list[str]) -> np.ndarray:
    """The syllables of a body that hold a digit, as sorted 32-bit values (repeats kept)."""
    blake2b = hashlib.blake2b
    values = [
        int.from_bytes(blake2b(w.encode(), digest_size=4).digest(), "little")
        for w in words
        if _DIGIT.search(w)
    ]
    return np.sort(np.array(values, dtype=HASH_DTYPE))


def figures_agree(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the body giving fewer figures gives at least FIGURES_KEPT of them in the other as
    often; true when it gives fewer than FIGURES_MIN (too few to judge)."""
    small, big = (a, b) if a.size <= b.size else (b, a)
    if small.size < FIGURES_MIN:
        return True
    values_s, counts_s = np.unique(small, return_counts=True)
    values_b, counts_b = np.unique(big, return_counts=True)
    _, i, j = np.intersect1d(values_s, values_b, assume_unique=True, return_indices=True)
    return np.minimum(counts_s[i], counts_b[j]).sum() >= FIGURES_KEPT * small.size


def body_hashes(text: str | None, *, folded: bool = False) -> np.ndarray:
    return word_hashes(syllables(text, folded=folded))


@cache
def _template() -> MinHash:
    # The permutations are the costly part of a MinHash: draw them once, copy per text. The
    # values it is fed are already hashed (word_hashes), so its hash function is int: the
    # same MinHash as datasketch's default sha1_hash32 over the joined shingles.
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)


#: Shingle hashes given to the MinHash at a time: their permuted values (120 x NUM_PERM, 4 or
#: 8 bytes each) stay under glibc's 128 KiB threshold for mapping an allocation of its own.
_HASHED_AT_ONCE = 120


def minhash(hashes: np.ndarray) -> MinHash:
    """The MinHash of a body from its :func:`word_hashes` (stable: band keys written by one
    process must match those of the next).

    Fed a slice at a time (the minimum of minima is the minimum): all at once, a 500-shingle
    body's permuted values (256 KiB) could come from memory that the allocator had just handed
    back to the kernel, zeroed again page by page for every article (bench/README.md, issue 16).
    """
    m = _template().copy()
    values = hashes.tolist()
    for i in range(0, len(values), _HASHED_AT_ONCE):
        m.update_batch(values[i : i + _HASHED_AT_ONCE])
    return m


def band_keys(m: MinHash) -> list[int]:
    """One signed 64-bit key per band (its number mixed in), as SQLite stores integers."""
    raw = np.asarray(m.hashvalues, dtype=np.uint64).tobytes()
    step = 8 * ROWS
    return [
        int.from_bytes(
            hashlib.blake2b(raw[i * step : (i + 1) * step], digest_size=8, person=b"band%04d" % i).digest(),
            "big",
            signed=True,
        )
        for i in range(BANDS)
    ]


def signature(m: MinHash) -> bytes:
    """The MinHash as stored: NUM_PERM values, each below 2**32, packed as 32-bit integers."""
    return np.asarray(m.hashvalues, dtype=np.uint32).tobytes()


def estimate_many(a: bytes, others: list[bytes]) -> np.ndarray:
    """The Jaccard similarity of one body to each of ``others`` estimated from their signatures
    (the share of equal MinHash values; datasketch's ``MinHash.jaccard``), in one array
    comparison: a band key shared by a topic's articles hands a placement dozens of candidates."""
    if not others:
        return np.zeros(0)
    mine = np.frombuffer(a, dtype=np.uint32)
    theirs = np.frombuffer(b"".join(others), dtype=np.uint32).reshape(len(others), len(mine))
    return np.count_nonzero(theirs == mine, axis=1) / len(mine)


def jaccard_needed(size_a: int, sizes: list[int], near_jaccard: float, near_containment: float) -> np.ndarray:
    """For a body of ``size_a`` shingles and each of ``sizes``, the Jaccard similarity at which the
    pair is near-identical: ``near_jaccard``, or less when the smaller body would then hold
    ``near_containment`` of its shingles in the other.

    Sharing S shingles, bodies of A and B have J = S / (A + B - S); the smaller (m) is contained
    to the share c when S = c * m. The more unequal the bodies, the lower that J.
    """
    size_b = np.asarray(sizes, dtype=np.float64)
    shared = near_containment * np.minimum(size_a, size_b)
    union = size_a + size_b - shared
    by_containment = np.divide(shared, union, out=np.full(size_b.shape, near_jaccard), where=shared > 0)
    return np.minimum(near_jaccard, by_containment)


def paragraph_digests(text: str | None, *, folded: bool = False) -> list[tuple[int, int, int]]:
    """(position, digest, syllables) of each paragraph long enough to be evidence of reuse.

    The digest is of the folded syllables, so punctuation, spacing and diacritics do not count.
    """
    found = []
    for position, paragraph in enumerate((text or "").split("\n")):
        words = syllables(paragraph, folded=folded)
        if len(words) < PARAGRAPH_MIN:
            continue
        digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
        found.append((position, int.from_bytes(digest, "big", signed=True), len(words)))
    return found


def common(a: np.ndarray, b: np.ndarray) -> int:
    """How many shingle hashes two bodies share (both sorted and unique)."""
    return np.intersect1d(a, b, assume_unique=True).size if a.size and b.size else 0


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not (a.size and b.size):
        return 0.0
    shared = common(a, b)
    return shared / (a.size + b.size - shared)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """How much of the smaller body is in the other: 1.0 when one text holds all of the other."""
    return common(a, b) / min(a.size, b.size) if a.size and b.size else 0.0
