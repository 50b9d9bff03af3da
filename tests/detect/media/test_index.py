"""Tests for the exact PDQ match index, lindung.detect.media.index (no Django).

The reference for every distance is a pure-Python popcount of the XOR of the two 256-bit
integers, so the index's internal bit layout is checked, not assumed. Larger banks use a numpy
brute force that is itself checked against the pure-Python one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from lindung.detect.media import index as index_module
from lindung.detect.media.index import PdqIndex, PdqMatchArrays, parse_pdq_hex

RADII = (0, 1, 10, 31, 32, 47, 64, 256)
H0 = "f" * 64
H1 = "0123456789abcdef" * 4


# --------------------------------------------------------------------------- helpers


def to_hex(words: NDArray[np.uint64]) -> list[str]:
    """Hex strings for an (n, 4) array in parse_pdq_hex's layout (word j = digits 16j..)."""
    return ["".join(f"{int(w):016x}" for w in row) for row in words]


def random_words(rng: np.random.Generator, n: int) -> NDArray[np.uint64]:
    return rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)


def flip_bits(rng: np.random.Generator, row: NDArray[np.uint64], k: int) -> NDArray[np.uint64]:
    out = row.copy()
    for bit in rng.choice(256, size=k, replace=False):
        out[bit // 64] ^= np.uint64(1 << int(bit % 64))
    return out


def python_distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def python_brute(
    bank: Sequence[str], queries: Sequence[str], r: int
) -> list[list[tuple[int, int]]]:
    out = []
    for q in queries:
        hits = [(p, d) for p, h in enumerate(bank) if (d := python_distance(q, h)) <= r]
        out.append(sorted(hits, key=lambda pd: (pd[1], pd[0])))
    return out


def numpy_distances(bank: NDArray[np.uint64], query: NDArray[np.uint64]) -> NDArray[np.int64]:
    d = np.zeros(len(bank), dtype=np.int64)
    for k in range(4):
        d += np.bitwise_count(bank[:, k] ^ query[k])
    return d


def as_lists(m: PdqMatchArrays, n_queries: int) -> list[list[tuple[int, int]]]:
    out: list[list[tuple[int, int]]] = [[] for _ in range(n_queries)]
    for q, p, d in zip(m.query.tolist(), m.position.tolist(), m.distance.tolist(), strict=True):
        out[q].append((p, d))
    return out


# --------------------------------------------------------------------------- property test


@st.composite
def banks_and_queries(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A random bank (optionally clustered, optionally with duplicates) and queries made by
    flipping 0..40 random bits of bank members, plus one unrelated random query."""
    n = draw(st.integers(1, 160))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        bank = random_words(rng, n)
    else:  # clusters of near-duplicates and exact duplicates: skewed buckets
        centres = random_words(rng, max(1, n // 20))
        bank = np.stack(
            [flip_bits(rng, centres[i % len(centres)], int(rng.integers(0, 12))) for i in range(n)]
        )
    flips = draw(st.lists(st.integers(0, 40), min_size=1, max_size=8))
    queries = [flip_bits(rng, bank[int(rng.integers(n))], k) for k in flips]
    queries.append(random_words(rng, 1)[0])
    return to_hex(bank), to_hex(np.stack(queries))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=banks_and_queries(),
    r=st.sampled_from(RADII),
    method=st.sampled_from(["auto", "mih", "scan"]),
    chunks=st.sampled_from([None, 40, 256]),
)
def test_matches_brute_force_exactly(
    data: tuple[list[str], list[str]], r: int, method: index_module.SearchMethod, chunks: int | None
) -> None:
    bank, queries = data
    index = PdqIndex(bank, chunks=chunks)
    assert index.search(queries, r, method=method) == python_brute(bank, queries, r)


@settings(max_examples=15, deadline=None)
@given(data=banks_and_queries(), r=st.sampled_from((10, 31, 47)))
def test_sixteen_bit_chunks_probe_exactly(data: tuple[list[str], list[str]], r: int) -> None:
    bank, queries = data
    index = PdqIndex(bank, chunks=16)
    assert index.search(queries, r, method="mih") == python_brute(bank, queries, r)


# --------------------------------------------------------------------------- sizes


def test_empty_bank() -> None:
    index = PdqIndex([])
    assert len(index) == 0
    assert index.nbytes == 0
    assert index.search([H0, H1], 31) == [[], []]
    assert index.search([], 31) == []
    m = index.search_array([H0], 256)
    assert m.query.size == m.position.size == m.distance.size == 0
    assert PdqIndex.from_array(np.empty((0, 4), dtype=np.uint64)).search([H1]) == [[]]


def test_no_queries() -> None:
    assert PdqIndex([H0]).search([]) == []


@pytest.mark.parametrize("n", [1, 2, 100])
@pytest.mark.parametrize("method", ["auto", "mih", "scan"])
def test_small_banks(n: int, method: index_module.SearchMethod) -> None:
    rng = np.random.default_rng(n)
    words = random_words(rng, n)
    bank = to_hex(words)
    queries = to_hex(
        np.stack([flip_bits(rng, words[i % n], k) for i, k in enumerate(range(0, 41, 4))])
    )
    index = PdqIndex(bank)
    assert len(index) == n
    for r in RADII:
        assert index.search(queries, r, method=method) == python_brute(bank, queries, r), r


def test_medium_bank_matches_numpy_brute_force() -> None:
    rng = np.random.default_rng(2024)
    n = 200_000
    bank = random_words(rng, n)
    near = np.stack([flip_bits(rng, bank[int(rng.integers(n))], k % 41) for k in range(150)])
    queries = np.concatenate([near, random_words(rng, 30)])
    index = PdqIndex.from_array(bank)
    assert len(index) == n
    # The numpy reference agrees with the pure-Python definition.
    hexes = to_hex(bank[:50])
    qhex = to_hex(queries[:3])
    for q in range(3):
        d = numpy_distances(bank[:50], queries[q])
        assert d.tolist() == [python_distance(qhex[q], h) for h in hexes]
    columns = np.ascontiguousarray(bank.T)
    distances = [numpy_distances(columns.T, q) for q in queries]
    for r in (0, 31, 47, 64):
        got = as_lists(index.search_array(queries, r), len(queries))
        want = []
        for d in distances:
            hits = np.flatnonzero(d <= r)
            order = np.lexsort((hits, d[hits]))
            want.append(list(zip(hits[order].tolist(), d[hits][order].tolist(), strict=True)))
        assert got == want, r
        assert sum(map(len, got)) >= (150 if r >= 40 else 1)


def test_hex_queries_on_a_medium_bank_agree_with_array_queries() -> None:
    rng = np.random.default_rng(7)
    bank = random_words(rng, 50_000)
    queries = np.stack([flip_bits(rng, bank[i], i % 32) for i in range(64)])
    index = PdqIndex(to_hex(bank))
    lists = index.search(to_hex(queries), 31)
    assert lists == as_lists(index.search_array(queries, 31), 64)
    assert all(lists[i][0] == (i, i % 32) for i in range(64))


# --------------------------------------------------------------------------- duplicates, skew


def test_duplicates_are_each_reported() -> None:
    index = PdqIndex([H1, H0, H1, H1.upper()])
    assert index.search([H1], 0) == [[(0, 0), (2, 0), (3, 0)]]
    assert index.search([H0], 0) == [[(1, 0)]]
    assert index.search([H1], 256) == [[(0, 0), (2, 0), (3, 0), (1, python_distance(H1, H0))]]


@pytest.mark.parametrize("method", ["auto", "mih", "scan"])
def test_skewed_bank_of_mostly_duplicates(method: index_module.SearchMethod) -> None:
    # 30k copies of one hash: every probe near it lands in a huge bucket. "auto" plans to probe,
    # sees the real candidate count and falls back to scanning; all methods must agree.
    rng = np.random.default_rng(3)
    common = random_words(rng, 1)
    bank = np.concatenate([np.repeat(common, 30_000, axis=0), random_words(rng, 20_000)])
    queries = np.stack([flip_bits(rng, common[0], k) for k in (0, 5, 31)] + [bank[-1]])
    m = PdqIndex.from_array(bank).search_array(queries, 31, method=method)
    counts = np.bincount(m.query, minlength=4).tolist()
    assert counts == [30_000, 30_000, 30_000, 1]
    assert set(m.distance[m.query == 1].tolist()) == {5}


def test_candidate_pieces_and_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny budgets force many query batches and many gather/verify pieces.
    rng = np.random.default_rng(11)
    words = random_words(rng, 300)
    words[100:140] = words[0]
    bank = to_hex(words)
    queries = to_hex(np.stack([flip_bits(rng, words[i % 300], i % 30) for i in range(40)]))
    want = python_brute(bank, queries, 31)
    index = PdqIndex(bank)
    monkeypatch.setattr(index_module, "_CANDIDATE_BUDGET", 7)
    monkeypatch.setattr(index_module, "_PROBE_BUDGET", 1)
    monkeypatch.setattr(index_module, "_SCAN_BATCH", 3)
    monkeypatch.setattr(index_module, "_SCAN_QUERIES", 2)
    monkeypatch.setattr(index_module, "_SCAN_ROWS", 64)
    assert index.search(queries, 31, method="mih") == want
    assert index.search(queries, 31, method="scan") == want


# --------------------------------------------------------------------------- parsing


def test_uppercase_and_mixed_case_hex() -> None:
    index = PdqIndex([H1.upper(), H0])
    assert index.search([H1, H1.upper(), H1[:32] + H1[32:].upper()], 0) == [[(0, 0)]] * 3
    assert PdqIndex([H1]).search([H1.upper()], 0) == [[(0, 0)]]


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (H1[:-1], "63 characters"),
        (H1 + "0", "65 characters"),
        ("", "0 characters"),
        ("g" + H1[1:], "not 64 hex digits"),
        (H1[:10] + " " + H1[11:], "not 64 hex digits"),
        (H1[:10] + "\u0660" + H1[11:], "not 64 hex digits"),  # an Arabic-Indic digit zero
        ("0x" + H1[2:], "not 64 hex digits"),
        (None, "not a string"),
        (b"0" * 64, "not a string"),
        (12345, "not a string"),
    ],
)
def test_invalid_hex_names_the_position(bad: object, fragment: str) -> None:
    hashes = [H0, H1, H0, bad, H1]
    with pytest.raises(ValueError, match=f"position 3 .*{fragment}|position 3 is {fragment}"):
        PdqIndex(hashes)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="position 3"):
        PdqIndex([H0]).search(hashes)  # type: ignore[arg-type]


def test_lengths_that_only_add_up_are_rejected() -> None:
    # 63 + 65 characters is 128 in total: a joined-string check alone would accept this.
    with pytest.raises(ValueError, match="position 0"):
        parse_pdq_hex([H1[:-1], H1 + "a"])


def test_single_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        PdqIndex(H1)
    with pytest.raises(TypeError):
        PdqIndex([H1]).search(H1)


def test_parse_layout_and_from_array_formats() -> None:
    rng = np.random.default_rng(5)
    raw = rng.integers(0, 256, size=(20, 32), dtype=np.uint8)
    hexes = [bytes(row).hex() for row in raw]
    words = parse_pdq_hex(hexes)
    assert words.shape == (20, 4) and words.dtype == np.uint64
    assert words[0, 0] == int(hexes[0][:16], 16)
    assert words[0, 3] == int(hexes[0][48:], 16)
    assert to_hex(words) == hexes
    queries = [hexes[3], to_hex(flip_bits(rng, words[7], 9)[None, :])[0]]
    want = PdqIndex(hexes).search(queries, 31)
    assert want[0][0] == (3, 0) and want[1][0] == (7, 9)
    assert PdqIndex.from_array(raw).search(queries, 31) == want
    assert PdqIndex.from_array(words).search(queries, 31) == want
    assert PdqIndex.from_array(words.astype(">u8")).search(queries, 31) == want
    by_array = PdqIndex(hexes).search_array(parse_pdq_hex(queries), 31)
    assert as_lists(by_array, 2) == want
    assert as_lists(PdqIndex(hexes).search_array(np.array(queries), 31), 2) == want


def test_from_array_copies_its_input() -> None:
    words = parse_pdq_hex([H1])
    index = PdqIndex.from_array(words)
    words[0, 0] ^= np.uint64(0xFF)
    assert index.search([H1], 0) == [[(0, 0)]]


@pytest.mark.parametrize(
    "array",
    [
        np.zeros((3, 5), dtype=np.uint64),
        np.zeros((3, 4), dtype=np.int64),
        np.zeros((3, 32), dtype=np.int8),
        np.zeros(4, dtype=np.uint64),
    ],
)
def test_from_array_rejects_other_shapes_and_dtypes(array: NDArray[np.generic]) -> None:
    with pytest.raises(ValueError, match="expected an"):
        PdqIndex.from_array(array)


# --------------------------------------------------------------------------- API details


@pytest.mark.parametrize("bad", [-1, 257, 10_000])
def test_max_distance_out_of_range(bad: int) -> None:
    index = PdqIndex([H0])
    with pytest.raises(ValueError, match="max_distance"):
        index.search([H0], bad)
    with pytest.raises(ValueError, match="max_distance"):
        index.search_array([H0], bad)
    with pytest.raises(ValueError, match="max_distance"):
        PdqIndex([]).search([H0], bad)  # validated even when there is nothing to search


@pytest.mark.parametrize("bad", [1.5, "3", None, True])
def test_max_distance_must_be_an_int(bad: object) -> None:
    with pytest.raises(TypeError):
        PdqIndex([H0]).search([H0], bad)  # type: ignore[arg-type]


def test_numpy_integer_max_distance_and_bad_method() -> None:
    assert PdqIndex([H0]).search([H0], np.int64(0)) == [[(0, 0)]]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="method"):
        PdqIndex([H0]).search([H0], method="faiss")  # type: ignore[arg-type]


def test_results_are_sorted_and_array_dtypes() -> None:
    rng = np.random.default_rng(9)
    centre = random_words(rng, 1)[0]
    words = np.stack([flip_bits(rng, centre, k) for k in (9, 3, 9, 0, 3, 30)])
    index = PdqIndex.from_array(words)
    assert index.search(to_hex(centre[None, :]), 31) == [
        [(3, 0), (1, 3), (4, 3), (0, 9), (2, 9), (5, 30)]
    ]
    m = index.search_array(np.stack([centre, centre]), 31)
    assert m.query.dtype == np.dtype(np.int64) and m.position.dtype == np.dtype(np.int64)
    assert m.distance.dtype == np.dtype(np.int32)
    assert m.query.tolist() == [0] * 6 + [1] * 6


def test_len_nbytes_repr_and_read_only_arrays() -> None:
    rng = np.random.default_rng(1)
    index = PdqIndex.from_array(random_words(rng, 1000))
    assert len(index) == 1000
    chunks = len(index._layout)
    offsets = sum((1 << w) + 1 for _, w in index._layout)
    occupancy_bits = offsets - 1
    assert index.nbytes == 1000 * 32 + chunks * 1000 * 4 + offsets * 4 + -(-occupancy_bits // 8)
    assert "n=1000" in repr(index)
    with pytest.raises(ValueError):
        index._cols[0][0] = 1
    with pytest.raises(ValueError):
        index._ids[0] = 1


def test_chunks_argument_is_validated() -> None:
    with pytest.raises(ValueError, match="chunks"):
        PdqIndex([H0], chunks=10)
    with pytest.raises(ValueError, match="chunks"):
        PdqIndex([H0], chunks=257)


def test_concurrent_searches_agree() -> None:
    rng = np.random.default_rng(4)
    words = random_words(rng, 20_000)
    index = PdqIndex.from_array(words)
    queries = np.stack([flip_bits(rng, words[i], i % 40) for i in range(200)])
    want = as_lists(index.search_array(queries, 31), 200)
    results: list[list[list[tuple[int, int]]]] = []

    def work() -> None:
        results.append(as_lists(index.search_array(queries, 31), 200))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [want] * 4
