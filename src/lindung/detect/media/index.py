"""Exact PDQ match index: every bank hash within a Hamming distance of a query, with no misses.

Why this exists
---------------
Matching an upload against a hash bank of known child sexual abuse material is a *range* query
in Hamming space: report every bank hash whose 256-bit PDQ hash differs from the query's in at
most ``max_distance`` bits (31 is the threshold Meta recommends for PDQ). A miss here is a
missed known image, so the index must be exact -- 100% recall against a brute-force scan -- and
it must be fast and small enough for every scan worker to hold a few million hashes in memory.

python-threatexchange's ``PDQIndex`` wraps a faiss ``IndexBinaryMultiHash``; Lindung's index is
plain numpy, several times faster at N = 10^6 (see ``benchmarks/match_pdq.py``) and exact for any
``max_distance`` from 0 to 256.

Algorithm: multi-index hashing
------------------------------
Multi-index hashing (Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with Multi-Index
Hashing", CVPR 2012) splits each 256-bit hash into ``m`` disjoint chunks of about ``b`` bits and
builds one hash table per chunk, keyed by that chunk's value. If two hashes are within distance
``r`` then, writing ``d_i`` for the distance restricted to chunk ``i``, ``sum(d_i) <= r``.

We use the *generalised* pigeonhole principle (Qin et al., "GPH: Similarity Search in Hamming
Space", ICDE 2018): pick per-chunk radii ``t_i >= -1`` with
``sum(t_i + 1) == r + 1``. If every chunk had ``d_i > t_i``, i.e. ``d_i >= t_i + 1``, then
``d >= sum(t_i + 1) = r + 1 > r``. So every true match has at least one chunk with
``d_i <= t_i``, and probing, for each chunk, every table key within ``t_i`` bits of the query's
chunk value finds all of them. A chunk with ``t_i == -1`` is not probed at all, which is how small
radii get away with probing only ``r + 1`` tables. Unlike the classic split (every chunk gets
``floor(r / m)``), the radii may differ, so we choose them greedily to minimise an estimated cost
(probes times per-probe cost plus expected candidates times verification cost).

Candidates found in the tables are verified with an exact popcount over the four 64-bit words
(``np.bitwise_count``), so the index never reports a false positive either. Before that they are
sorted by bank position, which drops duplicates (a hash found through several chunks) and makes
the verification read the hash columns in order rather than at random.

All of it is vectorised: a batch of queries probes every table with one gather, and candidates
are collected with one "ragged" gather, so the Python interpreter does a few dozen numpy calls
per batch whatever the bank size or radius.

When the probes would cost more than reading the whole bank -- large radii (above about 55 bits at
N = 10^6) or tiny banks -- the same query is answered by a blocked brute-force scan instead. The
choice is made from an estimated cost before a batch starts, and re-checked against the real
candidate counts while it runs, so a bank full of near-identical hashes (skewed buckets) cannot
make a query much slower than a scan.

Layout and memory
-----------------
* The hashes are stored as four ``uint64`` column arrays (32 bytes per hash); word ``j`` holds
  hex digits ``16j .. 16j + 15`` read as a big-endian integer, which is also what
  :meth:`PdqIndex.from_array` expects. Hamming distance is the popcount of the XOR of the words.
* Per chunk of width ``w``: ``ids`` (uint32, one per hash, bank positions sorted by chunk value)
  and ``offsets`` (uint32, ``2**w + 1``), a CSR table: bucket ``v`` is
  ``ids[offsets[v]:offsets[v + 1]]``; plus a one-bit-per-bucket occupancy bitmap, small enough
  to stay in cache, so that probes of empty buckets (most of them) skip the offsets read. Chunk
  width is ``b ~ log2(N) + 3`` bits, capped at 23 so that the tables stay small; that gives 12
  chunks for N = 10^6 .. 10^7 and about ``32 + 12 * 4 = 80`` bytes per hash plus ~135 MiB of
  offsets and bitmaps at 10^7 hashes.
* Positions are stored as uint32, so a bank holds at most ``2**32 - 1`` hashes.

Thread safety
-------------
A :class:`PdqIndex` is immutable after construction (its arrays are marked read-only) and
``search`` keeps no per-call state on the instance, so any number of threads may search it at
once. To update a bank, build a new index -- e.g. in a background thread -- and swap the
reference atomically; searches already running keep using the old one. The only shared mutable
state is three module-level ``functools.lru_cache`` caches (flip masks, query plans and probe
patterns, all read-only values), which are safe to use from several threads.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Iterator, Sequence
from typing import Final, Literal, NamedTuple, NoReturn, TypeAlias, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_BANK_SIZE",
    "PDQ_BITS",
    "PdqIndex",
    "PdqMatchArrays",
    "SearchMethod",
    "parse_pdq_hex",
]

PDQ_BITS: Final = 256
"""Length of a PDQ hash in bits."""

PDQ_HEX_DIGITS: Final = PDQ_BITS // 4
_WORDS: Final = PDQ_BITS // 64
_BYTES: Final = PDQ_BITS // 8

MAX_BANK_SIZE: Final = 2**32 - 1
"""Largest number of hashes one index holds: bank positions are stored as uint32."""

SearchMethod: TypeAlias = Literal["auto", "mih", "scan"]
"""``auto`` picks by estimated cost; ``mih`` and ``scan`` force one strategy (for tests and
benchmarks). All three return exactly the same matches."""

Words: TypeAlias = NDArray[np.uint64]
Chunk: TypeAlias = NDArray[np.uint32]
Cols: TypeAlias = tuple[Words, Words, Words, Words]

# Default chunk width is ceil(log2 N) + 3 bits, clamped to [_MIN_CHUNK_BITS, _MAX_CHUNK_BITS].
# Wider chunks mean sparser buckets (fewer candidates to verify) but more probes and bigger
# offsets tables. At N = 10^6, r = 31, 12 chunks (21-22 bits) searched ~1.5x faster than 13 and
# ~2x faster than 14; 11 chunks (23-24 bits) was no faster and took 2.5x the memory. The 23-bit
# cap keeps the offsets of a 10^7-hash bank near 128 MiB.
_MIN_CHUNK_BITS: Final = 12
_MAX_CHUNK_BITS: Final = 23
# Explicit ``chunks`` must keep each chunk at most 24 bits (offsets table <= 64 MiB).
_MIN_CHUNKS: Final = math.ceil(PDQ_BITS / 24)

# Cost model, in nanoseconds, fitted to timings at N = 10^5 .. 3 * 10^6 with numpy 2.4 on a
# 2-vCPU AMD EPYC VM. Probes and candidates are dominated by cache misses (random gathers from
# the offsets tables and the hash columns); the scan streams. Only the ratios matter: they pick
# probing or scanning (crossover near r = 55 at N = 10^6), and a wrong pick costs time, never
# correctness.
_COST_PROBE: Final = 25.0  # per table probe: bitmap test, offsets gather if occupied
_COST_CANDIDATE: Final = 80.0  # per candidate: ragged gather, sort, 4-word popcount check
_COST_SCAN_ROW: Final = 4.0  # per (query, bank hash) pair in the blocked brute-force scan
# While probing, give up and scan when the real cost exceeds the scan estimate by this factor.
_ABORT_FACTOR: Final = 1.5

# Batching keeps temporaries bounded: at most ~_PROBE_BUDGET probes (~30 bytes each) per batch,
# candidates gathered in pieces of at most _CANDIDATE_BUDGET (plus one bucket), and the scan
# works on (_SCAN_QUERIES x _SCAN_ROWS) blocks that fit in cache.
_MAX_BATCH: Final = 512
_PROBE_BUDGET: Final = 1 << 20
_CANDIDATE_BUDGET: Final = 1 << 21
_SCAN_QUERIES: Final = 16
_SCAN_ROWS: Final = 1 << 14
_SCAN_BATCH: Final = 256

_HEX_RE: Final = re.compile(r"[0-9a-fA-F]{64}")


class PdqMatchArrays(NamedTuple):
    """Matches as flat arrays, sorted by query, then distance, then position.

    Row ``k`` says bank hash ``position[k]`` is ``distance[k]`` bits from query ``query[k]``.
    """

    query: NDArray[np.int64]
    position: NDArray[np.int64]
    distance: NDArray[np.int32]


# --------------------------------------------------------------------------------------------
# Parsing


def parse_pdq_hex(hashes: Sequence[str]) -> Words:
    """Parse 64-digit hex PDQ hashes (either case) into an ``(n, 4)`` uint64 array.

    Word ``j`` of a row is hex digits ``16j .. 16j + 15`` read as a big-endian integer, the
    layout :meth:`PdqIndex.from_array` takes. The work is vectorised (one ``str.join`` and one
    ``bytes.fromhex`` for the whole sequence), so millions of hashes parse in about a second;
    only when something is wrong does it walk the items to name the first bad position.

    Raises:
        TypeError: ``hashes`` is a single string or bytes rather than a sequence of them.
        ValueError: an item is not a string of exactly 64 hex digits; the message names its
            position.
    """
    if isinstance(hashes, str | bytes | bytearray):
        raise TypeError("expected a sequence of PDQ hex strings, not a single string")
    n = len(hashes)
    if n == 0:
        return np.empty((0, _WORDS), dtype=np.uint64)
    try:
        joined = "".join(hashes)
    except TypeError:
        _raise_first_invalid(hashes)
    # A total-length check is not enough: a 63-digit item next to a 65-digit one would parse.
    lengths = np.fromiter(map(len, hashes), dtype=np.int64, count=n)
    if len(joined) != n * PDQ_HEX_DIGITS or bool(np.any(lengths != PDQ_HEX_DIGITS)):
        _raise_first_invalid(hashes)
    try:
        raw = bytes.fromhex(joined)
    except ValueError:
        _raise_first_invalid(hashes)
    # fromhex skips ASCII whitespace, so a short result means some item contained whitespace.
    if len(raw) != n * _BYTES:
        _raise_first_invalid(hashes)
    del joined
    return np.frombuffer(raw, dtype=">u8").reshape(n, _WORDS).astype(np.uint64)


def _raise_first_invalid(hashes: Sequence[object]) -> NoReturn:
    for position, item in enumerate(hashes):
        if not isinstance(item, str):
            raise ValueError(
                f"PDQ hash at position {position} is not a string: {type(item).__name__}"
            )
        if _HEX_RE.fullmatch(item) is None:
            shown = item if len(item) <= 80 else item[:77] + "..."
            raise ValueError(
                f"PDQ hash at position {position} is not 64 hex digits "
                f"({len(item)} characters): {shown!r}"
            )
    raise ValueError("invalid PDQ hashes")  # unreachable unless the sequence changed under us


def _coerce_array(array: NDArray[np.generic]) -> Words:
    """Accept ``(n, 4)`` uint64 words or ``(n, 32)`` uint8 bytes; return native ``(n, 4)``."""
    a = np.asarray(array)
    if a.ndim == 2 and a.shape[1] == _BYTES and a.dtype == np.uint8:
        return np.ascontiguousarray(a).view(">u8").reshape(-1, _WORDS).astype(np.uint64)
    if a.ndim == 2 and a.shape[1] == _WORDS and a.dtype.kind == "u" and a.dtype.itemsize == 8:
        return a.astype(np.uint64, copy=False)
    raise ValueError(
        f"expected an (n, 4) uint64 or (n, 32) uint8 array of PDQ hashes, "
        f"got shape {a.shape} dtype {a.dtype}"
    )


def _as_words(hashes: Sequence[str] | NDArray[np.generic]) -> Words:
    if isinstance(hashes, np.ndarray):
        if hashes.dtype.kind in "USO":  # an array of strings: parse like a list
            return parse_pdq_hex(hashes.tolist())
        return _coerce_array(hashes)
    return parse_pdq_hex(hashes)


def _check_distance(max_distance: int) -> int:
    if isinstance(max_distance, bool):
        raise TypeError("max_distance must be an int, not bool")
    r = operator.index(max_distance)
    if not 0 <= r <= PDQ_BITS:
        raise ValueError(f"max_distance must be between 0 and {PDQ_BITS}, got {r}")
    return r


# --------------------------------------------------------------------------------------------
# Chunks, flip masks and query plans


def _chunk_layout(n: int, chunks: int | None) -> tuple[tuple[int, int], ...]:
    """Split the 256 bits into ``chunks`` contiguous ``(start, width)`` runs of near-equal width."""
    if chunks is None:
        bits = min(_MAX_CHUNK_BITS, max(_MIN_CHUNK_BITS, math.ceil(math.log2(max(n, 2))) + 3))
        chunks = math.ceil(PDQ_BITS / bits)
    elif not _MIN_CHUNKS <= chunks <= PDQ_BITS:
        raise ValueError(f"chunks must be between {_MIN_CHUNKS} and {PDQ_BITS}, got {chunks}")
    base, extra = divmod(PDQ_BITS, chunks)
    layout = []
    start = 0
    for i in range(chunks):
        width = base + (1 if i < extra else 0)
        layout.append((start, width))
        start += width
    return tuple(layout)


def _extract(cols: Sequence[Words], start: int, width: int) -> Chunk:
    """Bits ``start .. start + width - 1`` of each hash (bit ``i`` is bit ``i % 64`` of word
    ``i // 64``), as uint32. Any fixed bit numbering works: distance ignores bit order."""
    word, shift = divmod(start, 64)
    value = cols[word] >> np.uint64(shift)
    if shift + width > 64:
        value |= cols[word + 1] << np.uint64(64 - shift)
    value &= np.uint64((1 << width) - 1)
    return value.astype(np.uint32)


@functools.lru_cache(maxsize=64)
def _flip_masks(width: int, radius: int) -> Chunk:
    """All ``width``-bit masks with at most ``radius`` bits set (read-only, cached).

    Built level by level: a mask with k + 1 bits is a k-bit mask plus one bit above its top bit.
    """
    masks = np.zeros(1, dtype=np.uint32)
    top = np.full(1, -1, dtype=np.int16)
    levels = [masks]
    for _ in range(min(radius, width)):
        next_masks: list[Chunk] = []
        next_top: list[NDArray[np.int16]] = []
        for bit in range(width):
            below = top < bit
            next_masks.append(masks[below] | np.uint32(1 << bit))
            next_top.append(np.full(int(np.count_nonzero(below)), bit, dtype=np.int16))
        masks = np.concatenate(next_masks)
        top = np.concatenate(next_top)
        levels.append(masks)
    out = np.concatenate(levels)
    out.setflags(write=False)
    return out


class _Plan(NamedTuple):
    radii: tuple[int, ...]  # per chunk; -1 means "not probed"
    probes: int  # table probes per query
    mih_cost: float  # estimated ns per query when probing
    scan_cost: float  # estimated ns per query when scanning


@functools.lru_cache(maxsize=1024)
def _plan(widths: tuple[int, ...], n: int, r: int) -> _Plan:
    """Choose per-chunk radii with ``sum(t_i + 1) == r + 1`` that minimise the estimated cost.

    Each unit of the ``r + 1`` error budget raises one chunk's radius from ``t`` to ``t + 1``,
    adding ``comb(w, t + 1)`` probes, each costing a probe plus ``n / 2**w`` expected
    candidates. Greedy allocation of the cheapest increment is optimal while the increments
    grow (``t < w / 2``), which covers every radius where probing beats scanning.
    """
    radii = [-1] * len(widths)
    per_probe = [_COST_PROBE + _COST_CANDIDATE * n / (1 << w) for w in widths]
    probes = 0
    cost = 0.0
    for _ in range(r + 1):
        best = -1
        best_increment = math.inf
        for i, w in enumerate(widths):
            if radii[i] < w:
                increment = math.comb(w, radii[i] + 1) * per_probe[i]
                if increment < best_increment:
                    best, best_increment = i, increment
        radii[best] += 1
        probes += math.comb(widths[best], radii[best])
        cost += best_increment
    return _Plan(tuple(radii), probes, cost, _COST_SCAN_ROW * n)


class _Probes(NamedTuple):
    """The probe pattern for one ``(layout, radii)``: how to cut each probed chunk out of a
    query, and one column per table probe. Lets a whole batch probe every table with a few
    numpy calls instead of a loop over chunks (which matters for single-query latency)."""

    # Per probed chunk c: value = ((w[word] >> shift) | ((w[hi_word] << hi_shift) & hi_keep))
    # & mask, where hi_* bring in the bits of chunks that straddle two words.
    word: NDArray[np.intp]
    shift: Words
    hi_word: NDArray[np.intp]
    hi_shift: Words
    hi_keep: Words
    mask: Words
    # Per probe column: which probed chunk it reads, the flip mask to apply, where that chunk's
    # table starts in the concatenated offsets, and which row of ``ids`` it indexes.
    column_chunk: NDArray[np.intp]
    flip: Chunk
    table_base: Chunk
    ids_row: NDArray[np.int64]


@functools.lru_cache(maxsize=16)
def _probes(layout: tuple[tuple[int, int], ...], radii: tuple[int, ...]) -> _Probes:
    """Build (and cache: at most a few MiB each for radii where probing wins) a probe pattern."""
    table_base = np.cumsum([0] + [(1 << w) + 1 for _, w in layout])
    probed = [i for i, t in enumerate(radii) if t >= 0]
    starts = np.array([layout[i][0] for i in probed], dtype=np.int64)
    widths = np.array([layout[i][1] for i in probed], dtype=np.int64)
    word, shift = np.divmod(starts, 64)
    straddles = shift + widths > 64
    flips = [_flip_masks(layout[i][1], radii[i]) for i in probed]
    sizes = [f.size for f in flips]
    probes = _Probes(
        word=word.astype(np.intp),
        shift=shift.astype(np.uint64),
        hi_word=np.minimum(word + 1, _WORDS - 1).astype(np.intp),
        hi_shift=np.where(straddles, 64 - shift, 0).astype(np.uint64),
        hi_keep=np.where(straddles, np.uint64(2**64 - 1), np.uint64(0)).astype(np.uint64),
        mask=((np.uint64(1) << widths.astype(np.uint64)) - np.uint64(1)).astype(np.uint64),
        column_chunk=np.repeat(np.arange(len(probed), dtype=np.intp), sizes),
        flip=np.concatenate(flips) if flips else np.empty(0, dtype=np.uint32),
        table_base=np.repeat(table_base[probed], sizes).astype(np.uint32),
        ids_row=np.repeat(np.array(probed, dtype=np.int64), sizes),
    )
    for array in probes:
        array.setflags(write=False)
    return probes


# --------------------------------------------------------------------------------------------
# The index


class PdqIndex:
    """Exact range-search index over a bank of PDQ hashes (see the module docstring).

    ``PdqIndex(hex_hashes)`` indexes a sequence of 64-digit hex strings; position ``k`` in
    results refers to ``hex_hashes[k]``. Duplicates are allowed and each position is reported.
    :meth:`from_array` builds from numpy arrays without any string handling.

    The index is immutable and safe to search from many threads at once; to change the bank,
    build a new index (in the background if you like) and swap the reference.
    """

    __slots__ = ("_cols", "_ids", "_layout", "_n", "_occupied", "_offsets")

    _n: int
    _cols: Cols
    _layout: tuple[tuple[int, int], ...]
    _ids: Chunk  # (chunks * n,): row c (positions sorted by chunk c's value) at c * n
    _offsets: Chunk  # every chunk's CSR offsets (2**w + 1 each), concatenated
    _occupied: NDArray[np.uint8]  # bit s set iff offsets slot s starts a non-empty bucket

    def __init__(self, hex_hashes: Sequence[str], *, chunks: int | None = None) -> None:
        """Index ``hex_hashes`` (64 hex digits each, either case).

        Args:
            hex_hashes: the bank, in the order its positions should be reported.
            chunks: number of multi-index chunks (11..256); by default about
                ``256 / (log2(N) + 3)``. Only worth changing to tune or test.

        Raises:
            ValueError: a hash is not 64 hex digits (the message names its position), or the
                bank has more than :data:`MAX_BANK_SIZE` hashes.
        """
        self._build(parse_pdq_hex(hex_hashes), chunks)

    @classmethod
    def from_array(cls, hashes: NDArray[np.generic], *, chunks: int | None = None) -> PdqIndex:
        """Index hashes given as an ``(n, 4)`` uint64 array or an ``(n, 32)`` uint8 array.

        A uint8 row is the 32 bytes PDQ prints as hex, in order; a uint64 row holds hex digits
        ``16j .. 16j + 15`` of the hash as the integer in word ``j`` (what
        :func:`parse_pdq_hex` returns). The input is copied; the caller may drop it.
        """
        index = cls.__new__(cls)
        index._build(_coerce_array(hashes), chunks)
        return index

    def _build(self, words: Words, chunks: int | None) -> None:
        n = int(words.shape[0])
        if n > MAX_BANK_SIZE:
            raise ValueError(f"a PdqIndex holds at most {MAX_BANK_SIZE} hashes, got {n}")
        self._n = n
        self._layout = _chunk_layout(n, chunks)
        # Always copies (a column of a one-row array is contiguous, and would otherwise be a view
        # of the caller's array).
        c0, c1, c2, c3 = (_frozen(np.array(words[:, k], dtype=np.uint64)) for k in range(_WORDS))
        self._cols = (c0, c1, c2, c3)
        if n == 0:
            self._ids = _frozen(np.empty(0, dtype=np.uint32))
            self._offsets = _frozen(np.empty(0, dtype=np.uint32))
            self._occupied = _frozen(np.empty(0, dtype=np.uint8))
            return
        ids = np.empty(len(self._layout) * n, dtype=np.uint32)
        offsets = np.empty(sum((1 << w) + 1 for _, w in self._layout), dtype=np.uint32)
        positions = np.arange(n, dtype=np.uint64)
        table = 0
        for c, (start, width) in enumerate(self._layout):
            _bucket(
                _extract(self._cols, start, width),
                width,
                positions,
                ids[c * n : (c + 1) * n],
                offsets[table : table + (1 << width) + 1],
            )
            table += (1 << width) + 1
        self._ids = _frozen(ids)
        self._offsets = _frozen(offsets)
        # One bit per slot (~0.5 MiB per 22-bit chunk, so it stays in cache) lets most probes --
        # about 80% land in empty buckets at N = 10^6 -- skip the cache-missing offsets read.
        self._occupied = _frozen(np.packbits(offsets[1:] > offsets[:-1], bitorder="little"))

    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        return f"PdqIndex(n={self._n}, chunks={len(self._layout)}, nbytes={self.nbytes})"

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays: 32 per hash for the hashes themselves, 4 per hash
        per chunk for the tables, plus per chunk the offsets (``4 * 2**w`` bytes) and occupancy
        bitmap (``2**w / 8`` bytes).

        Shared caches (flip masks, probe patterns; a few MiB in normal use) are not counted."""
        tables = self._ids.nbytes + self._offsets.nbytes + self._occupied.nbytes
        return sum(c.nbytes for c in self._cols) + tables

    # ---------------------------------------------------------------- search

    def search(
        self,
        hex_queries: Sequence[str],
        max_distance: int = 31,
        *,
        method: SearchMethod = "auto",
    ) -> list[list[tuple[int, int]]]:
        """Find, for each query, every bank hash within ``max_distance`` bits.

        Returns one list per query of ``(position, distance)`` pairs, sorted by distance then
        position; an empty list means no match. Exact for every ``max_distance`` in 0..256.

        Raises:
            ValueError: a query is not 64 hex digits, or ``max_distance`` is outside 0..256.
            TypeError: ``max_distance`` is not an int.
        """
        matches = self.search_array(hex_queries, max_distance, method=method)
        n_queries = len(hex_queries)
        if n_queries == 0:
            return []
        ends = np.cumsum(np.bincount(matches.query, minlength=n_queries)).tolist()
        pairs = list(zip(matches.position.tolist(), matches.distance.tolist(), strict=True))
        starts = [0, *ends[:-1]]
        return [pairs[a:b] for a, b in zip(starts, ends, strict=True)]

    def search_array(
        self,
        queries: Sequence[str] | NDArray[np.generic],
        max_distance: int = 31,
        *,
        method: SearchMethod = "auto",
    ) -> PdqMatchArrays:
        """Like :meth:`search`, but return flat arrays and create no per-match Python objects.

        ``queries`` is a sequence of hex strings or an array in a :meth:`from_array` format.
        Queries are processed in internal batches so temporary memory stays bounded (tens of
        MiB); the result itself grows with the number of matches.

        ``method`` is for tests and benchmarks: ``"auto"`` (the default) probes the tables or
        scans the bank, whichever it estimates cheaper; ``"mih"`` always probes (slow and
        memory-hungry for large radii) and ``"scan"`` always scans. All return the same matches.
        """
        r = _check_distance(max_distance)
        if method not in ("auto", "mih", "scan"):
            raise ValueError(f"method must be 'auto', 'mih' or 'scan', got {method!r}")
        q = _as_words(queries)
        n_queries = int(q.shape[0])
        if self._n == 0 or n_queries == 0:
            return _empty_matches()
        plan = _plan(tuple(w for _, w in self._layout), self._n, r)
        use_mih = method == "mih" or (method == "auto" and plan.mih_cost < plan.scan_cost)
        batch = max(1, min(_MAX_BATCH, _PROBE_BUDGET // plan.probes)) if use_mih else _SCAN_BATCH
        parts: list[PdqMatchArrays] = []
        for lo in range(0, n_queries, batch):
            words = q[lo : lo + batch]
            keys = None
            if use_mih:
                budget = math.inf
                if method == "auto":
                    budget = _ABORT_FACTOR * plan.scan_cost * int(words.shape[0])
                keys = self._probe(words, r, _probes(self._layout, plan.radii), budget)
            if keys is None:
                keys = self._scan(words, r)
            parts.append(_unpack(keys, lo))
        if len(parts) == 1:
            return parts[0]
        return PdqMatchArrays(*(np.concatenate(column) for column in zip(*parts, strict=True)))

    def _probe(
        self, words: Words, r: int, probes: _Probes, budget: float
    ) -> NDArray[np.uint64] | None:
        """Multi-index probing for one batch; ``None`` if it would cost more than ``budget`` ns.

        Returns sorted unique keys ``query << 41 | distance << 32 | position`` (query relative
        to the batch), which sort by query, then distance, then position.
        """
        # Chunk values of every query, (batch, probed chunks), then every probe's table slot.
        value = words[:, probes.word] >> probes.shift
        high = words[:, probes.hi_word] << probes.hi_shift
        high &= probes.hi_keep
        value |= high
        value &= probes.mask
        # Probe-major order (all queries' probes of one table together) keeps the random reads
        # of one table's offsets close in time, while they are still in cache.
        slots = np.take(value.astype(np.uint32).T, probes.column_chunk, axis=0)
        del value, high
        slots ^= probes.flip[:, None]
        slots += probes.table_base[:, None]
        slots = slots.ravel()
        # Keep the probes whose bucket is non-empty (a cache-friendly bitmap lookup) ...
        occupied = np.take(self._occupied, slots >> np.uint32(3))
        occupied >>= (slots & np.uint32(7)).astype(np.uint8)
        occupied &= np.uint8(1)
        hit = np.flatnonzero(occupied)
        n_probes = slots.size
        del occupied
        # ... and read offsets[slot] and offsets[slot + 1] back to back for those (one gather
        # of interleaved pairs: the second read hits the cache line the first brought in).
        pairs = np.empty((hit.size, 2), dtype=np.uint32)
        pairs[:, 0] = slots[hit]
        pairs[:, 1] = pairs[:, 0]
        pairs[:, 1] += np.uint32(1)
        del slots
        bounds = np.take(self._offsets, pairs)
        del pairs
        first = bounds[:, 0]
        lens = (bounds[:, 1] - first).astype(np.int64)
        total = int(lens.sum())
        if _COST_PROBE * n_probes + _COST_CANDIDATE * total > budget:
            return None
        if total == 0:
            return np.empty(0, dtype=np.uint64)
        column, owner = np.divmod(hit, words.shape[0])
        starts = first.astype(np.int64)
        starts += probes.ids_row[column] * self._n
        del bounds, first, hit, column
        qcols = _columns(words)
        found: list[NDArray[np.uint64]] = []
        pending: list[NDArray[np.uint64]] = []
        pending_total = 0
        for sl in _pieces(lens, _CANDIDATE_BUDGET):
            pending.append(_gather(self._ids, starts[sl], lens[sl], owner[sl]))
            pending_total += pending[-1].size
            if pending_total >= _CANDIDATE_BUDGET:
                found.append(self._verify(qcols, r, pending))
                pending, pending_total = [], 0
        if pending:
            found.append(self._verify(qcols, r, pending))
        return found[0] if len(found) == 1 else _sorted_unique(np.concatenate(found))

    def _verify(
        self, qcols: Cols, r: int, candidates: list[NDArray[np.uint64]]
    ) -> NDArray[np.uint64]:
        """Keep the candidates (keys ``position << 32 | query``) within ``r`` of their query.

        Sorting first removes duplicates (a hash found through several chunks) and makes the
        four column gathers walk the bank in order, which is ~2x faster than random order once
        a batch has a few hundred thousand candidates. Returns sorted result keys.
        """
        keys = _sorted_unique(np.concatenate(candidates))
        position = (keys >> np.uint64(32)).astype(np.intp)
        query = (keys & np.uint64(0xFFFFFFFF)).astype(np.intp)
        del keys
        distance = _popcount_xor(self._cols[0], position, qcols[0], query)
        for k in range(1, _WORDS):
            distance += _popcount_xor(self._cols[k], position, qcols[k], query)
        ok = np.flatnonzero(distance <= r)
        result = _keys(query[ok], distance[ok], position[ok])
        result.sort()
        return result

    def _scan(self, words: Words, r: int) -> NDArray[np.uint64]:
        """Blocked brute force: distances of (up to 16 queries) x (16384 hashes) at a time.

        Used when probing would cost more than reading the bank. The block buffers are reused
        and kept contiguous because 2-D ``np.nonzero`` is ~20x slower than ``np.flatnonzero``.
        Returns sorted keys like :meth:`_probe`.
        """
        qcols = _columns(words)
        found: list[NDArray[np.uint64]] = []
        n_queries = int(words.shape[0])
        rows = min(_SCAN_ROWS, self._n)
        size = _SCAN_QUERIES * rows
        xor_buf = np.empty(size, dtype=np.uint64)
        bits_buf = np.empty(size, dtype=np.uint8)
        distance_buf = np.empty(size, dtype=np.uint16)
        for q0 in range(0, n_queries, _SCAN_QUERIES):
            qn = min(_SCAN_QUERIES, n_queries - q0)
            qblock = [c[q0 : q0 + qn, None] for c in qcols]
            for b0 in range(0, self._n, rows):
                bn = min(rows, self._n - b0)
                x = xor_buf[: qn * bn].reshape(qn, bn)
                p = bits_buf[: qn * bn].reshape(qn, bn)
                d = distance_buf[: qn * bn].reshape(qn, bn)
                np.bitwise_xor(qblock[0], self._cols[0][None, b0 : b0 + bn], out=x)
                np.bitwise_count(x, out=p)
                np.copyto(d, p)
                for k in range(1, _WORDS):
                    np.bitwise_xor(qblock[k], self._cols[k][None, b0 : b0 + bn], out=x)
                    np.bitwise_count(x, out=p)
                    d += p
                flat = d.ravel()
                hit = np.flatnonzero(flat <= r)
                if hit.size:
                    qi, pi = np.divmod(hit, bn)
                    found.append(_keys(qi + q0, flat[hit], pi + b0))
        if not found:
            return np.empty(0, dtype=np.uint64)
        keys = np.concatenate(found)
        keys.sort()
        return keys


# --------------------------------------------------------------------------------------------
# Helpers


def _bucket(
    values: Chunk, width: int, positions: Words, ids_out: Chunk, offsets_out: Chunk
) -> None:
    """Fill one chunk's CSR table: positions sorted by chunk value, and bucket offsets.

    Sorting ``value << 32 | position`` as uint64 is ~4x faster than ``argsort`` (numpy's SIMD
    sort) and leaves each bucket in position order, so results are deterministic. Counting the
    buckets after sorting makes ``bincount``'s increments sequential, ~2x faster than random.
    """
    key = values.astype(np.uint64)
    del values
    key <<= np.uint64(32)
    key |= positions
    key.sort()
    np.copyto(ids_out, key, casting="unsafe")  # keeps the low 32 bits: the positions
    key >>= np.uint64(32)  # now the sorted chunk values, all < 2**32
    counts = np.bincount(key.view(np.int64), minlength=1 << width)
    del key
    offsets_out[0] = 0
    np.cumsum(counts, out=offsets_out[1:], dtype=np.uint32)


def _gather(
    ids: Chunk, starts: NDArray[np.int64], lens: NDArray[np.int64], owners: NDArray[np.intp]
) -> NDArray[np.uint64]:
    """Candidate keys ``position << 32 | query`` from the buckets
    ``ids[starts[k] : starts[k] + lens[k]]`` probed for query ``owners[k]``.

    A vectorised ragged gather: element ``j`` of the output belongs to bucket ``k`` and sits at
    ``starts[k] + j - (ends[k] - lens[k])`` in ``ids``. ``np.take`` is several times faster
    than fancy indexing here.
    """
    ends = np.cumsum(lens)
    index = np.repeat(starts - (ends - lens), lens)
    index += np.arange(int(ends[-1]), dtype=np.int64)
    keys = np.take(ids, index).astype(np.uint64)
    del index
    keys <<= np.uint64(32)
    keys |= np.repeat(owners, lens).astype(np.uint64)
    return keys


def _sorted_unique(keys: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Sort in place and drop repeats (``np.unique`` is ~20x slower on uint64 in numpy 2.4)."""
    keys.sort()
    if keys.size < 2:
        return keys
    keep = np.empty(keys.size, dtype=np.bool_)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _popcount_xor(
    column: Words, position: NDArray[np.intp], qcolumn: Words, query: NDArray[np.intp]
) -> NDArray[np.uint16]:
    x = np.take(column, position)
    x ^= np.take(qcolumn, query)
    return np.bitwise_count(x).astype(np.uint16)


def _keys(
    query: NDArray[np.integer], distance: NDArray[np.integer], position: NDArray[np.integer]
) -> NDArray[np.uint64]:
    """Pack ``query << 41 | distance << 32 | position`` (distance <= 256 needs 9 bits)."""
    key = query.astype(np.uint64) << np.uint64(41)
    key |= distance.astype(np.uint64) << np.uint64(32)
    key |= position.astype(np.uint64)
    return key


def _unpack(keys: NDArray[np.uint64], first_query: int) -> PdqMatchArrays:
    query = (keys >> np.uint64(41)).astype(np.int64)
    query += first_query
    distance = ((keys >> np.uint64(32)) & np.uint64(0x1FF)).astype(np.int32)
    position = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    return PdqMatchArrays(query, position, distance)


def _pieces(lens: NDArray[np.int64], budget: int) -> Iterator[slice]:
    """Split buckets into consecutive runs holding about ``budget`` candidates (a run always
    holds at least one bucket, so a single huge bucket is gathered on its own)."""
    total = int(lens.sum())
    if total <= budget:
        yield slice(0, lens.size)
        return
    ends = np.cumsum(lens)
    i = 0
    while i < lens.size:
        done = int(ends[i - 1]) if i else 0
        j = max(i + 1, int(np.searchsorted(ends, done + budget, side="right")))
        yield slice(i, j)
        i = j


def _columns(q: Words) -> Cols:
    return (
        np.ascontiguousarray(q[:, 0]),
        np.ascontiguousarray(q[:, 1]),
        np.ascontiguousarray(q[:, 2]),
        np.ascontiguousarray(q[:, 3]),
    )


_A = TypeVar("_A", bound=NDArray[np.generic])


def _frozen(a: _A) -> _A:
    a.setflags(write=False)
    return a


def _empty_matches() -> PdqMatchArrays:
    return PdqMatchArrays(
        np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
    )
