"""The evidence vault: round trips, tamper detection, key rotation, limits and safe storage."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.apps.errors import LindungError
from lindung.apps.intake.vault import (
    DEFAULT_CHUNK_SIZE,
    FORMAT_VERSION,
    TAG_BYTES,
    BlobStore,
    EvidenceCorrupt,
    EvidenceHeader,
    EvidenceNotFound,
    EvidenceSource,
    EvidenceTooLarge,
    EvidenceVault,
    InvalidObjectId,
    Keyring,
    KeyringError,
    LocalBlobStore,
    ObjectExists,
    StoredEvidence,
    UnknownMasterKey,
    VaultError,
    _create_key_file,
    check_object_id,
    generate_key_entry,
    iter_chunks,
    new_object_id,
    rewrap,
)
from lindung.config import ConfigError

CHUNK = 16  # small chunks so multi-chunk files stay tiny
KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))


def _keyring(**keys: bytes) -> Keyring:
    return Keyring(keys or {"a": KEY_A}, current_id=next(iter(keys or {"a": KEY_A})))


class MemoryBlobStore:
    """A second BlobStore, in memory: proves the protocol is small enough to implement."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, data: EvidenceSource, object_id: str | None = None) -> str:
        oid = new_object_id() if object_id is None else check_object_id(object_id)
        self.blobs[oid] = b"".join(iter_chunks(data, 7))
        return oid

    def open(self, object_id: str) -> Iterator[bytes]:
        blob = self.blobs.get(check_object_id(object_id))
        if blob is None:
            raise EvidenceNotFound("missing")
        return iter([blob[i : i + 5] for i in range(0, len(blob), 5)])

    def delete(self, object_id: str) -> bool:
        return self.blobs.pop(check_object_id(object_id), None) is not None

    def exists(self, object_id: str) -> bool:
        return check_object_id(object_id) in self.blobs


FSYNCS: list[int] = []


@pytest.fixture(autouse=True)
def _recorded_fsync(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Record fsync calls instead of waiting for the disk: keeps the suite fast, and lets
    test_store_put_is_atomic_and_private check that durability is asked for."""
    FSYNCS.clear()
    monkeypatch.setattr(os, "fsync", FSYNCS.append)
    yield FSYNCS


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "vault")


@pytest.fixture
def vault(store: LocalBlobStore) -> EvidenceVault:
    return EvidenceVault(store, _keyring(), chunk_size=CHUNK)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _blob(store: LocalBlobStore, ev: StoredEvidence) -> bytes:
    return store.path_for(ev.object_id).read_bytes()


def _write_blob(store: LocalBlobStore, ev: StoredEvidence, data: bytes) -> None:
    store.path_for(ev.object_id).write_bytes(data)


def _sealed_chunks(blob: bytes, chunk_size: int = CHUNK) -> list[bytes]:
    size = chunk_size + TAG_BYTES
    return [blob[i : i + size] for i in range(0, len(blob), size)]


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 3], ids=str
)
def test_round_trip_and_hashes(vault: EvidenceVault, size: int) -> None:
    data = os.urandom(size)
    ev = vault.store_file(data, max_bytes=10_000)
    assert ev.size == size
    assert ev.sha256 == hashlib.sha256(data).hexdigest()
    assert ev.md5 == hashlib.md5(data).hexdigest()
    assert ev.key_id == "a"
    assert ev.format_version == FORMAT_VERSION
    assert vault.read_all(ev.object_id, ev.header, expected_sha256=ev.sha256) == data
    chunks = list(vault.open_file(ev.object_id, ev.header))
    assert all(0 < len(c) <= CHUNK for c in chunks)
    assert b"".join(chunks) == data


def test_blob_layout_is_sealed_chunks(vault: EvidenceVault, store: LocalBlobStore) -> None:
    for size, expected in [(0, TAG_BYTES), (CHUNK, CHUNK + TAG_BYTES), (CHUNK + 1, CHUNK + 33)]:
        ev = vault.store_file(b"x" * size, max_bytes=1000)
        assert len(_blob(store, ev)) == expected


@pytest.mark.parametrize("size", [0, 1, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE + 1], ids=str)
def test_default_chunk_size_round_trip(store: LocalBlobStore, size: int) -> None:
    vault = EvidenceVault(store, _keyring())
    data = os.urandom(size)
    ev = vault.store_file(io.BytesIO(data), max_bytes=2 * DEFAULT_CHUNK_SIZE)
    assert ev.sha256 == hashlib.sha256(data).hexdigest()
    assert vault.read_all(ev.object_id, ev.header) == data


def test_sources_iterable_filelike_and_odd_pieces(vault: EvidenceVault) -> None:
    data = os.urandom(100)
    pieces = [data[:3], b"", data[3:50], b"", data[50:], b""]
    sources: list[EvidenceSource] = [data, bytearray(data), iter(pieces), pieces, io.BytesIO(data)]
    for source in sources:
        ev = vault.store_file(source, max_bytes=100)
        assert vault.read_all(ev.object_id, ev.header) == data


def test_non_bytes_chunks_are_refused(vault: EvidenceVault, store: LocalBlobStore) -> None:
    with pytest.raises(TypeError):
        vault.store_file(["text"], max_bytes=100)  # type: ignore[list-item]
    assert _files(store.root) == []


def test_file_like_is_read_in_bounded_pieces(vault: EvidenceVault) -> None:
    class Recorder(io.BytesIO):
        sizes: list[int] = []

        def read(self, size: int | None = -1, /) -> bytes:
            self.sizes.append(-1 if size is None else size)
            return super().read(size)

    source = Recorder(os.urandom(10 * CHUNK))
    vault.store_file(source, max_bytes=1000)
    assert source.sizes and all(0 < s <= CHUNK for s in source.sizes)


def test_plaintext_never_in_blob(vault: EvidenceVault, store: LocalBlobStore) -> None:
    marker = b"CONFIDENTIAL-VICTIM-NAME-"
    ev = vault.store_file(marker * 20, max_bytes=10_000)
    blob = _blob(store, ev)
    assert marker[:8] not in blob
    assert ev.sha256.encode() not in blob and ev.header.encode() not in blob


def test_memory_store_satisfies_protocol() -> None:
    mem = MemoryBlobStore()
    assert isinstance(mem, BlobStore)
    vault = EvidenceVault(mem, _keyring(), chunk_size=CHUNK)
    data = os.urandom(70)
    ev = vault.store_file(data, max_bytes=100)
    assert vault.read_all(ev.object_id, ev.header) == data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=300),
    chunk_size=st.integers(min_value=1, max_value=48),
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=6),
)
def test_round_trip_property(data: bytes, chunk_size: int, cuts: list[int]) -> None:
    edges = sorted({0, len(data), *(c for c in cuts if c <= len(data))})
    pieces = [data[a:b] for a, b in itertools.pairwise(edges)]
    vault = EvidenceVault(MemoryBlobStore(), _keyring(), chunk_size=chunk_size)
    ev = vault.store_file(iter(pieces), max_bytes=len(data))
    assert ev.size == len(data)
    assert ev.sha256 == hashlib.sha256(data).hexdigest()
    assert ev.md5 == hashlib.md5(data).hexdigest()
    chunks = list(vault.open_file(ev.object_id, ev.header, expected_sha256=ev.sha256))
    assert b"".join(chunks) == data
    assert all(len(c) <= chunk_size for c in chunks)


@settings(max_examples=10, deadline=None)
@given(data=st.binary(max_size=200), chunk_size=st.integers(min_value=1, max_value=40))
def test_round_trip_property_on_disk(data: bytes, chunk_size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalBlobStore(Path(tmp), read_size=13)
        vault = EvidenceVault(store, _keyring(), chunk_size=chunk_size)
        ev = vault.store_file(io.BytesIO(data), max_bytes=len(data))
        assert vault.read_all(ev.object_id, ev.header) == data


# ---------------------------------------------------------------- tamper detection


def _stored(vault: EvidenceVault, chunks: int = 4) -> StoredEvidence:
    return vault.store_file(os.urandom(chunks * CHUNK - 5), max_bytes=10_000)


@pytest.mark.parametrize("chunk", [0, 1, 2, 3])
@pytest.mark.parametrize("where", ["start", "middle", "tag"])
def test_flipped_byte_in_each_chunk(
    vault: EvidenceVault, store: LocalBlobStore, chunk: int, where: str
) -> None:
    ev = _stored(vault)
    blob = bytearray(_blob(store, ev))
    start = chunk * (CHUNK + TAG_BYTES)
    length = len(_sealed_chunks(bytes(blob))[chunk])
    offset = {"start": 0, "middle": length // 2, "tag": length - 1}[where]
    blob[start + offset] ^= 0x01
    _write_blob(store, ev, bytes(blob))
    with pytest.raises(EvidenceCorrupt, match=f"chunk {chunk}"):
        vault.read_all(ev.object_id, ev.header)


def test_earlier_chunks_stream_before_failure(vault: EvidenceVault, store: LocalBlobStore) -> None:
    ev = _stored(vault)
    blob = bytearray(_blob(store, ev))
    blob[-1] ^= 0x80
    _write_blob(store, ev, bytes(blob))
    stream = vault.open_file(ev.object_id, ev.header)
    assert len(next(stream)) == CHUNK  # authenticated chunk, handed out
    with pytest.raises(EvidenceCorrupt):
        list(stream)


@pytest.mark.parametrize("keep", [0, 1, 2, 3])
def test_truncation_at_chunk_boundary(
    vault: EvidenceVault, store: LocalBlobStore, keep: int
) -> None:
    ev = _stored(vault)
    _write_blob(store, ev, b"".join(_sealed_chunks(_blob(store, ev))[:keep]))
    with pytest.raises(EvidenceCorrupt):
        vault.read_all(ev.object_id, ev.header)


def test_truncation_inside_a_chunk_and_appended_data(
    vault: EvidenceVault, store: LocalBlobStore
) -> None:
    ev = _stored(vault)
    blob = _blob(store, ev)
    for altered in (blob[:-1], blob[: CHUNK + TAG_BYTES + 3], blob + b"\x00", blob + blob[:32]):
        _write_blob(store, ev, altered)
        with pytest.raises(EvidenceCorrupt):
            vault.read_all(ev.object_id, ev.header)


@pytest.mark.parametrize("removed", [0, 1, 2, 3])
def test_chunk_removed(vault: EvidenceVault, store: LocalBlobStore, removed: int) -> None:
    ev = _stored(vault)
    chunks = _sealed_chunks(_blob(store, ev))
    del chunks[removed]
    _write_blob(store, ev, b"".join(chunks))
    with pytest.raises(EvidenceCorrupt):
        vault.read_all(ev.object_id, ev.header)


@pytest.mark.parametrize(("i", "j"), [(0, 1), (1, 2), (0, 2)])
def test_chunks_swapped_or_duplicated(
    vault: EvidenceVault, store: LocalBlobStore, i: int, j: int
) -> None:
    ev = _stored(vault)
    original = _sealed_chunks(_blob(store, ev))
    swapped = list(original)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    duplicated = list(original)
    duplicated[j] = original[i]
    for chunks in (swapped, duplicated):
        _write_blob(store, ev, b"".join(chunks))
        with pytest.raises(EvidenceCorrupt):
            vault.read_all(ev.object_id, ev.header)


def test_chunk_or_blob_from_another_object(vault: EvidenceVault, store: LocalBlobStore) -> None:
    first, second = _stored(vault), _stored(vault)
    mixed = _sealed_chunks(_blob(store, first))
    mixed[1] = _sealed_chunks(_blob(store, second))[1]
    _write_blob(store, first, b"".join(mixed))
    with pytest.raises(EvidenceCorrupt):
        vault.read_all(first.object_id, first.header)
    _write_blob(store, first, _blob(store, second))
    with pytest.raises(EvidenceCorrupt):
        vault.read_all(first.object_id, first.header)


def test_header_from_another_object(vault: EvidenceVault) -> None:
    first, second = _stored(vault), _stored(vault)
    with pytest.raises(EvidenceCorrupt, match="another object"):
        vault.open_file(first.object_id, second.header)
    # Editing the other header's object id does not help: the id is bound to the wrapped key.
    forged = json.loads(second.header)
    forged["oid"] = first.object_id
    with pytest.raises(EvidenceCorrupt, match="unwrap"):
        vault.open_file(first.object_id, json.dumps(forged))


@pytest.mark.parametrize(
    ("field", "value"),
    [("cs", CHUNK * 2), ("cs", CHUNK - 1), ("np", base64.b64encode(b"\x00" * 8).decode())],
)
def test_edited_header_fields_fail_to_unwrap(
    vault: EvidenceVault, field: str, value: object
) -> None:
    ev = _stored(vault)
    header = json.loads(ev.header)
    header[field] = value
    with pytest.raises(EvidenceCorrupt, match="unwrap"):
        vault.open_file(ev.object_id, json.dumps(header))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "not json",
        "[]",
        "{}",
        '{"v":1}',
        "x" * 5000,
        b"\xff\xfe",
    ],
)
def test_malformed_headers(vault: EvidenceVault, header: str | bytes) -> None:
    ev = _stored(vault)
    with pytest.raises(EvidenceCorrupt):
        vault.open_file(ev.object_id, header)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("v", 2),
        ("v", True),
        ("v", "1"),
        ("kid", "bad id"),
        ("oid", "../../etc"),
        ("cs", 0),
        ("cs", 2**40),
        ("cs", 1.5),
        ("np", "!!"),
        ("np", base64.b64encode(b"short").decode()),
        ("wk", base64.b64encode(b"\x00" * 59).decode()),
        ("wk", 7),
        ("extra", 1),
    ],
)
def test_header_fields_are_validated(vault: EvidenceVault, field: str, value: object) -> None:
    ev = _stored(vault)
    header = json.loads(ev.header)
    header[field] = value
    with pytest.raises(EvidenceCorrupt):
        vault.open_file(ev.object_id, json.dumps(header))


def test_wrong_master_key(store: LocalBlobStore) -> None:
    ev = EvidenceVault(store, _keyring(a=KEY_A), chunk_size=CHUNK).store_file(b"x", 10)
    impostor = EvidenceVault(store, _keyring(a=KEY_B), chunk_size=CHUNK)
    with pytest.raises(EvidenceCorrupt, match="wrong or the header was altered"):
        impostor.open_file(ev.object_id, ev.header)


def test_unknown_key_id(store: LocalBlobStore) -> None:
    ev = EvidenceVault(store, _keyring(a=KEY_A), chunk_size=CHUNK).store_file(b"x", 10)
    other = EvidenceVault(store, _keyring(b=KEY_B), chunk_size=CHUNK)
    with pytest.raises(UnknownMasterKey, match="'a' is not configured") as info:
        other.open_file(ev.object_id, ev.header)
    assert isinstance(info.value, EvidenceCorrupt)


def test_expected_sha256_mismatch(vault: EvidenceVault) -> None:
    ev = _stored(vault)
    with pytest.raises(EvidenceCorrupt, match="SHA-256"):
        vault.read_all(ev.object_id, ev.header, expected_sha256="0" * 64)


def test_errors_render_in_the_api_shape(vault: EvidenceVault) -> None:
    ev = _stored(vault)
    with pytest.raises(LindungError) as info:
        vault.open_file(new_object_id(), ev.header)
    assert info.value.as_dict()["error"]["code"] == "evidence_corrupt"


# ---------------------------------------------------------------- key rotation


def test_rotation_rewrap_then_drop_old_key(store: LocalBlobStore) -> None:
    old_ring = Keyring({"a": KEY_A}, current_id="a")
    old = EvidenceVault(store, old_ring, chunk_size=CHUNK).store_file(b"old file", 100)

    both = Keyring({"b": KEY_B, "a": KEY_A}, current_id="b")
    rotating = EvidenceVault(store, both, chunk_size=CHUNK)
    assert rotating.read_all(old.object_id, old.header) == b"old file"
    new = rotating.store_file(b"new file", 100)
    assert new.key_id == "b"

    rewrapped = rewrap(old.header, both)
    assert EvidenceHeader.decode(rewrapped).key_id == "b"
    assert rewrap(rewrapped, both) == rewrapped  # already current: unchanged
    assert rewrap(new.header.encode(), both) == new.header

    only_new = EvidenceVault(store, Keyring({"b": KEY_B}, current_id="b"), chunk_size=CHUNK)
    assert only_new.read_all(old.object_id, rewrapped) == b"old file"
    assert only_new.read_all(new.object_id, new.header) == b"new file"
    with pytest.raises(UnknownMasterKey):
        only_new.open_file(old.object_id, old.header)


def test_rewrap_refuses_tampered_header(vault: EvidenceVault) -> None:
    ev = _stored(vault)
    header = json.loads(ev.header)
    header["cs"] = CHUNK + 1
    with pytest.raises(EvidenceCorrupt):
        rewrap(json.dumps(header), Keyring({"b": KEY_B, "a": KEY_A}, current_id="b"))


# ---------------------------------------------------------------- limits and atomic writes


@pytest.mark.parametrize("source_kind", ["bytes", "iter", "file"])
def test_too_large_aborts_and_leaves_nothing(
    vault: EvidenceVault, store: LocalBlobStore, source_kind: str
) -> None:
    data = os.urandom(5 * CHUNK)
    sources: dict[str, EvidenceSource] = {
        "bytes": data,
        "iter": iter([data[:7], data[7:]]),
        "file": io.BytesIO(data),
    }
    source = sources[source_kind]
    with pytest.raises(EvidenceTooLarge, match="limit of 50 bytes") as info:
        vault.store_file(source, max_bytes=50)
    assert info.value.status == 413
    assert _files(store.root) == []


def test_exactly_max_bytes_is_accepted(vault: EvidenceVault) -> None:
    assert vault.store_file(b"x" * 50, max_bytes=50).size == 50
    with pytest.raises(ValueError, match="must not be negative"):
        vault.store_file(b"", max_bytes=-1)  # a programming error, reported before any work


def test_failing_input_leaves_nothing(vault: EvidenceVault, store: LocalBlobStore) -> None:
    def broken() -> Iterable[bytes]:
        yield os.urandom(3 * CHUNK)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        vault.store_file(broken(), max_bytes=10_000)
    assert _files(store.root) == []


def test_store_put_is_atomic_and_private(store: LocalBlobStore) -> None:
    def broken() -> Iterable[bytes]:
        yield b"partial"
        raise RuntimeError("boom")

    oid = new_object_id()
    with pytest.raises(RuntimeError):
        store.put(broken(), oid)
    assert not store.exists(oid)
    assert _files(store.root) == []

    FSYNCS.clear()
    oid = store.put([b"abc", b"def"])
    assert len(FSYNCS) >= 2  # the file before the rename, the folder after it
    path = store.path_for(oid)
    assert path.parent.parent.parent == store.root
    assert path.parent.name == oid[2:4] and path.parent.parent.name == oid[:2]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert b"".join(store.open(oid)) == b"abcdef"
    with pytest.raises(ObjectExists, match="never overwritten"):
        store.put(b"other", oid)
    assert b"".join(store.open(oid)) == b"abcdef"


def test_delete_and_missing_objects(vault: EvidenceVault, store: LocalBlobStore) -> None:
    ev = _stored(vault)
    assert store.exists(ev.object_id)
    assert vault.delete(ev.object_id) is True
    assert vault.delete(ev.object_id) is False
    assert not store.exists(ev.object_id)
    with pytest.raises(EvidenceNotFound) as info:
        vault.open_file(ev.object_id, ev.header)
    assert info.value.status == 404


def test_stale_temp_files_are_swept(store: LocalBlobStore) -> None:
    oid = store.put(b"data")
    tmp = store.path_for(oid).parent / ".tmp-crashed"
    tmp.write_bytes(b"ciphertext")
    assert store.remove_stale_temp_files(older_than_seconds=3600) == 0
    os.utime(tmp, (0, 0))
    assert store.remove_stale_temp_files(older_than_seconds=3600) == 1
    assert store.exists(oid) and not tmp.exists()


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "../../../etc/passwd",
        "/etc/passwd",
        "0" * 31,
        "0" * 33,
        "A" * 32,
        "g" * 32,
        "0" * 31 + "\n",
        "0" * 30 + "/x",
        "..",
        None,
        123,
    ],
)
def test_invalid_object_ids_are_refused(
    vault: EvidenceVault, store: LocalBlobStore, bad: object
) -> None:
    ev = _stored(vault)
    calls: list[Callable[[], object]] = [
        lambda: store.path_for(bad),  # type: ignore[arg-type]
        lambda: store.put(b"x", bad),  # type: ignore[arg-type]
        lambda: store.open(bad),  # type: ignore[arg-type]
        lambda: store.delete(bad),  # type: ignore[arg-type]
        lambda: store.exists(bad),  # type: ignore[arg-type]
        lambda: vault.open_file(bad, ev.header),  # type: ignore[arg-type]
    ]
    if bad is not None:  # put(x, None) means "pick an id"
        for call in calls:
            with pytest.raises(InvalidObjectId):
                call()
    assert len(_files(store.root)) == 1


def test_object_ids_are_random_hex() -> None:
    ids = {new_object_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(check_object_id(i) == i for i in ids)


# ---------------------------------------------------------------- keyring parsing and key file


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_parse_keys_first_is_current() -> None:
    ring = Keyring.parse(f" k2:{_b64(KEY_B)} ,\n k1:{_b64(KEY_A).rstrip('=')}\n")
    assert ring.current_id == "k2" and ring.current_key == KEY_B
    assert ring.ids == ("k2", "k1") and ring.key("k1") == KEY_A
    assert "k1" in ring and "k3" not in ring
    urlsafe = base64.urlsafe_b64encode(b"\xfb" * 32).decode()
    assert Keyring.parse(f"u_1-x:{urlsafe}").current_key == b"\xfb" * 32


def test_keyring_repr_hides_keys() -> None:
    ring = Keyring({"a": KEY_A}, current_id="a")
    assert _b64(KEY_A) not in repr(ring) and str(KEY_A) not in repr(ring)
    assert "a" in repr(ring)


SECRET16 = _b64(b"s" * 16)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("  ,  ", "is empty"),
        (_b64(KEY_A), "entry 1 has no ':'"),
        (f"k1:{_b64(KEY_A)},{_b64(KEY_B)}", "entry 2 has no ':'"),
        (f":{_b64(KEY_A)}", "entry 1: the key id must be 1-32 characters"),
        (f"bad.id:{_b64(KEY_A)}", "key id must be"),
        (f"{'k' * 33}:{_b64(KEY_A)}", "key id must be"),
        (f"ünï:{_b64(KEY_A)}", "key id must be"),
        ("k1:", "has nothing after ':'"),
        ("k1:not*base64!", "is not valid base64"),
        (f"k1:{SECRET16}", "is 16 bytes after base64 decoding; it must be exactly 32"),
        (f"k1:{_b64(b'x' * 33)}", "is 33 bytes"),
        (f"k1:{_b64(KEY_A)},k1:{_b64(KEY_B)}", "entry 2: key id 'k1' appears twice"),
    ],
)
def test_malformed_vault_keys(tmp_path: Path, text: str, message: str) -> None:
    if text.strip():
        with pytest.raises(KeyringError, match=message) as info:
            Keyring.from_env_or_file(text, tmp_path / "unused")
        assert not (tmp_path / "unused").exists()
    else:  # an empty variable means "use the key file", so parse() directly
        with pytest.raises(KeyringError, match=message) as info:
            Keyring.parse(text)
    error = info.value
    assert "LINDUNG_VAULT_KEYS" in error.message
    for secret in (_b64(KEY_A), _b64(KEY_B), SECRET16):
        assert secret not in error.message  # key material is never echoed
    assert isinstance(error, VaultError) and isinstance(error, ConfigError)


def test_empty_value_with_unwritable_key_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(KeyringError, match="vault key file"):
        Keyring.from_env_or_file("", blocker / "vault_keys")


def test_keyring_constructor_validates() -> None:
    with pytest.raises(KeyringError, match="empty"):
        Keyring({}, current_id="a")
    with pytest.raises(KeyringError, match="exactly 32 bytes"):
        Keyring({"a": b"short"}, current_id="a")
    with pytest.raises(KeyringError, match="not in the keyring"):
        Keyring({"a": KEY_A}, current_id="b")
    with pytest.raises(KeyringError, match="Key ids"):
        Keyring({"a b": KEY_A}, current_id="a b")


def test_key_file_created_0600_and_reused(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "vault_keys"
    first = Keyring.from_env_or_file(None, key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.ids == ("k1",) and len(first.current_key) == 32
    assert [p.name for p in key_file.parent.iterdir()] == ["vault_keys"]  # no temp left
    again = Keyring.from_env_or_file("  ", key_file)
    assert again.current_key == first.current_key
    # An explicit value wins and leaves the file alone.
    explicit = Keyring.from_env_or_file(f"prod:{_b64(KEY_B)}", tmp_path / "other")
    assert explicit.current_id == "prod" and not (tmp_path / "other").exists()


def test_key_file_creation_never_replaces_an_existing_key(tmp_path: Path) -> None:
    """Two processes starting together: the one that loses the race keeps the winner's key."""
    key_file = tmp_path / "vault_keys"
    winner = Keyring.from_env_or_file(None, key_file)
    _create_key_file(key_file)  # the loser's attempt
    assert Keyring.from_env_or_file(None, key_file).current_key == winner.current_key
    assert [p.name for p in tmp_path.iterdir()] == ["vault_keys"]


def test_key_file_rotation_by_editing(tmp_path: Path) -> None:
    key_file = tmp_path / "vault_keys"
    store = LocalBlobStore(tmp_path / "blobs")
    ring = Keyring.from_env_or_file(None, key_file)
    ev = EvidenceVault(store, ring).store_file(b"evidence", 100)
    key_file.write_text(generate_key_entry("k2") + "," + key_file.read_text())
    rotated = Keyring.from_env_or_file(None, key_file)
    assert rotated.current_id == "k2"
    assert EvidenceVault(store, rotated).read_all(ev.object_id, ev.header) == b"evidence"


def test_malformed_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "vault_keys"
    key_file.write_text("")
    with pytest.raises(KeyringError, match=r"vault key file .* is empty"):
        Keyring.from_env_or_file(None, key_file)


def test_generate_key_entry() -> None:
    ring = Keyring.parse(generate_key_entry("new-1"))
    assert ring.current_id == "new-1" and len(ring.current_key) == 32
    assert generate_key_entry() != generate_key_entry()
    with pytest.raises(KeyringError):
        generate_key_entry("no spaces")


def test_header_is_compact_json(vault: EvidenceVault) -> None:
    ev = _stored(vault)
    assert ev.header.isascii() and len(ev.header) < 250
    fields = json.loads(ev.header)
    assert set(fields) == {"v", "kid", "oid", "cs", "np", "wk"}
    assert fields["oid"] == ev.object_id and fields["kid"] == "a" and fields["cs"] == CHUNK
    decoded = EvidenceHeader.decode(ev.header)
    assert decoded.encode() == ev.header
    with pytest.raises(AttributeError):
        ev.size = 0  # type: ignore[misc]
