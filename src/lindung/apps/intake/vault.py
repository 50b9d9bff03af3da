"""The evidence vault: every uploaded file is kept encrypted at rest, and tampering is detected.

Why envelope encryption
    Each file gets its own fresh 256-bit *data key*; only that key is encrypted ("wrapped")
    with a long-lived *master key*. Rotating a master key then means re-wrapping a few dozen
    bytes per file (:func:`rewrap`), not re-encrypting terabytes, and deleting one file's
    header destroys the only copy of its data key (crypto-erasure for retention), even when
    the ciphertext survives on a disk or in a backup of the object store.

Why chunked AEAD (AES-256-GCM, the STREAM construction)
    Files can be hundreds of megabytes, and plaintext must never be held in memory whole.
    One GCM message over the whole file could only be verified after the last byte, so the
    reader would hand out unverified plaintext. Instead the content is cut into chunks
    (1 MiB by default), each sealed on its own, so every chunk a reader yields is already
    authenticated. What stops an attacker from re-arranging authentic chunks is what goes
    into each chunk's nonce and associated data:

    * nonce = 8-byte random per-file prefix || 4-byte big-endian chunk index. The data key is
      never reused across files, so the index alone would keep nonces unique; the random
      prefix is defence in depth. The nonce stays at GCM's native 96 bits.
    * associated data = label || object id || 8-byte chunk index || 1-byte "last chunk" flag.
      The index catches swapped, removed and duplicated chunks; the last flag catches a file
      cut off exactly at a chunk boundary, and data appended after the end; the object id
      (and the per-file key) catches chunks or whole blobs moved between objects.

Why the object id is associated data of the wrapped key
    The data key is wrapped with AES-256-GCM under the master key, with the object id and
    every other header field as associated data. A header copied onto another object's row
    (or edited: another chunk size, nonce prefix or key id) then fails to unwrap instead of
    decrypting the wrong blob or silently mis-framing it.

Header format (version 1)
    Everything needed to decrypt one object, apart from the master key and the blob, is one
    short ASCII JSON object (about 190 characters) that the database keeps in a single
    text column next to the hashes. Keys are sorted and there is no whitespace::

        {"cs":1048576,"kid":"k1","np":"<base64, 8 bytes>",
         "oid":"<32 lowercase hex>","v":1,"wk":"<base64, 60 bytes>"}

    ``v``   format version (1).
    ``kid`` id of the master key that wrapped the data key ([A-Za-z0-9_-]{1,32}).
    ``oid`` the object id in the blob store (the header names its object, so it can be
            re-wrapped without anything else, and a mixed-up row is reported as such).
    ``cs``  plaintext chunk size in bytes; every chunk but the last is exactly this long.
    ``np``  the 8-byte random nonce prefix of the file's chunks (standard base64).
    ``wk``  wrapped data key: 12-byte random nonce || AES-256-GCM(master key, data key,
            aad = "lindung-vault/1/data-key" || v || len(kid) || kid || oid || cs || np)
            with its 16-byte tag (standard base64; 60 bytes in all).

Blob format (version 1)
    The stored object is only the sealed chunks one after another: for each chunk its
    ciphertext (as long as its plaintext) followed by the 16-byte GCM tag. All chunks but the
    last carry exactly ``cs`` bytes of plaintext; the last carries 0 to ``cs`` bytes (an empty
    file is one empty last chunk, 16 bytes). The blob holds no key material and nothing in
    clear, so object stores and their backups only ever see ciphertext.

Master keys
    A :class:`Keyring` maps key ids to 32-byte keys; the first listed is current and wraps new
    files, the others only unwrap. ``LINDUNG_VAULT_KEYS="k2:<base64>,k1:<base64>"`` in
    production; without it a key file with one generated key is created in the data
    directory, in the same ``id:base64`` syntax (so an operator can rotate by editing it).

Storage
    :class:`BlobStore` is the small interface a store implements; :class:`LocalBlobStore`
    is the default encrypted directory. An S3-compatible store would map ``put`` onto a
    multipart upload (completed only when the stream ends, aborted on error), ``open`` onto a
    streaming GET and ``delete``/``exists`` onto DELETE/HEAD, using the same object ids.

This module imports nothing from Django: the caller passes keys, folders and limits, so it can
be tested, and used from the CLI, without a configured project.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import struct
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lindung.apps.errors import LindungError, NotFound, PayloadTooLarge
from lindung.config import ConfigError

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FORMAT_VERSION",
    "BlobStore",
    "EvidenceCorrupt",
    "EvidenceHeader",
    "EvidenceNotFound",
    "EvidenceSource",
    "EvidenceTooLarge",
    "EvidenceVault",
    "InvalidObjectId",
    "Keyring",
    "KeyringError",
    "LocalBlobStore",
    "ObjectExists",
    "StoredEvidence",
    "SupportsRead",
    "UnknownMasterKey",
    "VaultError",
    "check_object_id",
    "generate_key_entry",
    "iter_chunks",
    "new_object_id",
    "rewrap",
]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
#: Plaintext bytes per sealed chunk: big enough that the 16-byte tag per chunk is noise
#: (0.0015 %), small enough that a reader or writer holds little in memory.
DEFAULT_CHUNK_SIZE = 1024 * 1024
#: A header naming a larger chunk is refused before any read: it would make us buffer that much.
MAX_CHUNK_SIZE = 64 * 1024 * 1024
#: The chunk index is 4 bytes of the nonce; 2**32 chunks of 1 MiB is 4 PiB, far beyond any file.
MAX_CHUNKS = 2**32
#: read_all is for thumbnails and small attachments, not for video.
DEFAULT_READ_ALL_LIMIT = 64 * 1024 * 1024

KEY_BYTES = 32
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 8
WRAP_NONCE_BYTES = 12
WRAPPED_KEY_BYTES = WRAP_NONCE_BYTES + KEY_BYTES + TAG_BYTES
MAX_HEADER_CHARS = 1024
DEFAULT_KEY_ID = "k1"

_CHUNK_LABEL = b"lindung-vault/1/chunk\x00"
_WRAP_LABEL = b"lindung-vault/1/data-key\x00"
_HEADER_FIELDS = frozenset({"v", "kid", "oid", "cs", "np", "wk"})
_KEY_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_OBJECT_ID_RE = re.compile(r"[0-9a-f]{32}")
_TEMP_PREFIX = ".tmp-"
_KEY_HELP = (
    "expected 'id:base64key[,id:base64key...]' with the current key first; make a key with "
    '`python -c "import base64,os; print(base64.b64encode(os.urandom(32)).decode())"`'
)


# ---------------------------------------------------------------- errors


class VaultError(LindungError):
    """Anything the vault refuses or cannot do; a server-side problem unless a subclass says."""

    status = 500
    code = "vault_error"


class KeyringError(VaultError, ConfigError):
    """The master keys given by the operator are unusable; the message says which entry and why.

    Also a ConfigError, so a bad ``LINDUNG_VAULT_KEYS`` stops start-up with one clear line,
    like every other bad ``LINDUNG_*`` setting. Messages never quote key material.
    """

    code = "vault_keys_invalid"


class InvalidObjectId(VaultError):
    """Not an id this vault hands out; refused before it can reach a file path."""

    status = 400
    code = "invalid_object_id"


class ObjectExists(VaultError):
    """A store was asked to write over an object: evidence is never overwritten."""

    code = "evidence_exists"


class EvidenceNotFound(VaultError, NotFound):
    status = 404
    code = "evidence_not_found"


class EvidenceTooLarge(VaultError, PayloadTooLarge):
    status = 413
    code = "too_large"


class EvidenceCorrupt(VaultError):
    """The object or its header fails verification: altered, truncated, reordered, mixed up
    with another object, or the master key is wrong. Nothing more precise can be said
    safely, because AES-GCM cannot tell a wrong key from altered data."""

    code = "evidence_corrupt"


class UnknownMasterKey(EvidenceCorrupt):
    """The header names a master key the keyring does not hold (removed before re-wrapping?).

    A subclass of EvidenceCorrupt because to the caller it means the same: this object
    cannot be opened; the separate class lets an operator tell configuration from damage.
    """

    code = "vault_key_unknown"


# ---------------------------------------------------------------- object ids


def new_object_id() -> str:
    """A fresh object id: 128 random bits as 32 lowercase hex digits.

    Random rather than content-derived, so an id reveals nothing about the file (a hash would
    let anyone holding a known image confirm it is stored) and two reports of the same file
    stay two objects, each with its own key and retention.
    """
    return secrets.token_hex(16)


def check_object_id(object_id: object) -> str:
    """Return ``object_id`` if it is in the vault's format, else raise InvalidObjectId.

    Every store calls this before building a path or key from an id, so no id can name
    anything outside the store ('../', absolute paths, NULs, odd case or length).
    """
    if not isinstance(object_id, str) or not _OBJECT_ID_RE.fullmatch(object_id):
        raise InvalidObjectId("Not a vault object id (expected 32 lowercase hex digits).")
    return object_id


# ---------------------------------------------------------------- input streams


@runtime_checkable
class SupportsRead(Protocol):
    """A binary file-like object: open files, BytesIO, Django's UploadedFile."""

    def read(self, size: int = -1, /) -> bytes: ...


#: What store_file and BlobStore.put accept: bytes, an iterable of bytes chunks, or a
#: binary file-like object (read in bounded pieces, never whole).
EvidenceSource = bytes | bytearray | memoryview | Iterable[bytes] | SupportsRead


class _Reader:
    """``read(n)`` over any EvidenceSource: up to ``n`` bytes, fewer only at the end.

    Holds at most one pending piece of the source; file-like sources are asked for no more
    than is needed, so a file is never read whole. File-likes are checked first because a
    BytesIO is also iterable (by lines).
    """

    def __init__(self, source: EvidenceSource) -> None:
        self._file: SupportsRead | None = None
        self._iter: Iterator[bytes] | None = None
        self._pending = memoryview(b"")
        if isinstance(source, bytes):
            self._pending = memoryview(source)
        elif isinstance(source, bytearray | memoryview):
            self._pending = memoryview(bytes(source))
        elif isinstance(source, SupportsRead):
            self._file = source
        else:
            self._iter = iter(source)

    def _fetch(self, want: int) -> bool:
        """Refill the pending piece; False at the end of the source."""
        while True:
            piece: bytes | None
            if self._file is not None:
                piece = self._file.read(want)
            elif self._iter is not None:
                piece = next(self._iter, None)
                if piece is None:
                    self._iter = None
                    return False
            else:
                return False
            if not isinstance(piece, bytes | bytearray | memoryview):
                raise TypeError(f"evidence data must be bytes, not {type(piece).__name__}")
            if piece:
                self._pending = memoryview(piece).cast("B")
                return True
            if self._file is not None:
                return False  # read() returning b"" is end of file
            # an iterator may yield an empty piece mid-stream; only exhaustion ends it

    def read(self, n: int) -> bytes:
        parts: list[bytes] = []
        need = n
        while need > 0:
            if not self._pending and not self._fetch(need):
                break
            take = self._pending[:need]
            self._pending = self._pending[len(take) :]
            parts.append(bytes(take))
            need -= len(take)
        return b"".join(parts)


def _frames(reader: _Reader, size: int) -> Iterator[tuple[int, bytes, bool]]:
    """(index, frame, is_last) for consecutive ``size``-byte frames; the last may be shorter
    or empty. One byte of look-ahead decides "last" without holding two frames."""
    index = 0
    current = reader.read(size)
    while True:
        if len(current) == size:
            peek = reader.read(1)
            if peek:
                yield index, current, False
                index += 1
                current = peek + reader.read(size - 1)
                continue
        yield index, current, True
        return


def iter_chunks(source: EvidenceSource, size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
    """The bytes of ``source`` in pieces of at most ``size`` (none for an empty source)."""
    reader = _Reader(source)
    while piece := reader.read(size):
        yield piece


# ---------------------------------------------------------------- master keys


def generate_key_entry(key_id: str = DEFAULT_KEY_ID) -> str:
    """A new ``id:base64key`` entry for LINDUNG_VAULT_KEYS or the key file."""
    if not _KEY_ID_RE.fullmatch(key_id):
        raise KeyringError("Key ids are 1-32 characters from A-Z a-z 0-9 _ -.")
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def _decode_key(text: str) -> bytes | None:
    """Standard or URL-safe base64, padding optional; None if it is not base64 at all."""
    std = text.replace("-", "+").replace("_", "/")
    std += "=" * (-len(std) % 4)
    try:
        return base64.b64decode(std, validate=True)
    except (binascii.Error, ValueError):
        return None


class Keyring:
    """Master keys by id; ``current_id`` wraps new data keys, all of them unwrap.

    Rotation: put a new key first (it becomes current), keep the old ones until every header
    has been re-wrapped with :func:`rewrap`, then drop them. ``repr`` shows ids, never keys.
    """

    __slots__ = ("_current_id", "_keys")

    def __init__(self, keys: Mapping[str, bytes], current_id: str) -> None:
        if not keys:
            raise KeyringError("The vault keyring is empty; it needs at least one master key.")
        for key_id, key in keys.items():
            if not isinstance(key_id, str) or not _KEY_ID_RE.fullmatch(key_id):
                raise KeyringError("Key ids are 1-32 characters from A-Z a-z 0-9 _ -.")
            if not isinstance(key, bytes) or len(key) != KEY_BYTES:
                raise KeyringError(f"Master key {key_id!r} must be exactly {KEY_BYTES} bytes.")
        if current_id not in keys:
            raise KeyringError(f"The current key {current_id!r} is not in the keyring.")
        self._keys = dict(keys)
        self._current_id = current_id

    def __repr__(self) -> str:
        return f"Keyring(current={self._current_id!r}, ids={sorted(self._keys)!r})"

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    @property
    def current_id(self) -> str:
        return self._current_id

    @property
    def current_key(self) -> bytes:
        return self._keys[self._current_id]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def key(self, key_id: str) -> bytes:
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownMasterKey(
                f"Master key {key_id!r} is not configured; was it removed from "
                "LINDUNG_VAULT_KEYS before every header was re-wrapped?",
                details={"key_id": key_id},
            ) from None

    @classmethod
    def parse(cls, text: str, *, source: str = "LINDUNG_VAULT_KEYS") -> Keyring:
        """Parse ``"id1:base64key,id2:base64key"`` (commas or whitespace between entries).

        The first entry is current. Errors name ``source`` and the entry's position, never
        its content, since that may be a key.
        """
        entries = [e for e in re.split(r"[\s,]+", text.strip()) if e]
        if not entries:
            raise KeyringError(f"{source} is empty; {_KEY_HELP}.")
        keys: dict[str, bytes] = {}
        for position, entry in enumerate(entries, start=1):
            where = f"{source}, entry {position}"
            key_id, colon, encoded = entry.partition(":")
            if not colon:
                raise KeyringError(f"{where} has no ':' between key id and key; {_KEY_HELP}.")
            if not _KEY_ID_RE.fullmatch(key_id):
                raise KeyringError(
                    f"{where}: the key id must be 1-32 characters from A-Z a-z 0-9 _ - "
                    f"(the part before ':'); {_KEY_HELP}."
                )
            if key_id in keys:
                raise KeyringError(f"{where}: key id {key_id!r} appears twice.")
            if not encoded:
                raise KeyringError(f"{where}: key {key_id!r} has nothing after ':'.")
            key = _decode_key(encoded)
            if key is None:
                raise KeyringError(f"{where}: key {key_id!r} is not valid base64; {_KEY_HELP}.")
            if len(key) != KEY_BYTES:
                raise KeyringError(
                    f"{where}: key {key_id!r} is {len(key)} bytes after base64 decoding; "
                    f"it must be exactly {KEY_BYTES} (AES-256); {_KEY_HELP}."
                )
            keys[key_id] = key
        return cls(keys, current_id=next(iter(keys)))

    @classmethod
    def from_env_or_file(cls, value: str | None, key_file: Path) -> Keyring:
        """The keys from ``value`` (LINDUNG_VAULT_KEYS) if set, else from ``key_file``.

        The key file is created on first use with one generated key, mode 0600, like the
        generated secret key: a first run works without the operator inventing a key, and
        the key survives restarts. Production sets the variable (and backs the key up: losing
        it loses every stored file). An empty variable counts as unset, as in config.py.
        """
        if value is not None and value.strip():
            return cls.parse(value, source="LINDUNG_VAULT_KEYS")
        try:
            if not key_file.exists():
                _create_key_file(key_file)
            elif key_file.stat().st_mode & 0o077:
                log.warning("The vault key file %s is readable by other users.", key_file)
            text = key_file.read_text(encoding="ascii")
        except (UnicodeDecodeError, OSError) as exc:
            raise KeyringError(
                f"Cannot read or create the vault key file {key_file}: {exc}"
            ) from None
        return cls.parse(text, source=f"vault key file {key_file}")


def _create_key_file(path: Path) -> None:
    """Write a new key file that appears complete or not at all, and never replaces one.

    The key goes into a private temporary file (O_EXCL, 0600) that is then hard-linked to
    the final name: two processes starting together cannot each create a key (the second
    link fails and that process reads the first one's), and no reader sees an empty file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(generate_key_entry(DEFAULT_KEY_ID) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


# ---------------------------------------------------------------- header


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, length: int, name: str) -> bytes:
    if not isinstance(text, str):
        raise EvidenceCorrupt(f"Vault header field {name!r} is not a string.")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EvidenceCorrupt(f"Vault header field {name!r} is not base64.") from None
    if len(raw) != length:
        raise EvidenceCorrupt(f"Vault header field {name!r} must decode to {length} bytes.")
    return raw


@dataclass(frozen=True)
class EvidenceHeader:
    """Everything but the master key and the blob needed to decrypt one object (see module
    docstring for the encoding). Not secret: the data key inside is wrapped."""

    version: int
    key_id: str
    object_id: str
    chunk_size: int
    nonce_prefix: bytes
    wrapped_key: bytes

    def encode(self) -> str:
        fields = {
            "v": self.version,
            "kid": self.key_id,
            "oid": self.object_id,
            "cs": self.chunk_size,
            "np": _b64(self.nonce_prefix),
            "wk": _b64(self.wrapped_key),
        }
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))

    @classmethod
    def decode(cls, header: str | bytes) -> EvidenceHeader:
        """Parse and check a stored header strictly; anything odd is EvidenceCorrupt."""
        if isinstance(header, bytes):
            try:
                header = header.decode("ascii")
            except UnicodeDecodeError:
                raise EvidenceCorrupt("The vault header is not ASCII.") from None
        if not isinstance(header, str) or len(header) > MAX_HEADER_CHARS:
            raise EvidenceCorrupt("The vault header is missing or too long.")
        try:
            fields = json.loads(header)
        except ValueError:
            raise EvidenceCorrupt("The vault header is not JSON.") from None
        if not isinstance(fields, dict) or set(fields) != _HEADER_FIELDS:
            raise EvidenceCorrupt("The vault header does not have the expected fields.")
        version, key_id, object_id, chunk_size = (fields[k] for k in ("v", "kid", "oid", "cs"))
        if type(version) is not int or version != FORMAT_VERSION:
            raise EvidenceCorrupt(f"Unsupported vault header version {version!r}.")
        if not isinstance(key_id, str) or not _KEY_ID_RE.fullmatch(key_id):
            raise EvidenceCorrupt("The vault header has an invalid key id.")
        if not isinstance(object_id, str) or not _OBJECT_ID_RE.fullmatch(object_id):
            raise EvidenceCorrupt("The vault header has an invalid object id.")
        if type(chunk_size) is not int or not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise EvidenceCorrupt("The vault header has an invalid chunk size.")
        return cls(
            version=version,
            key_id=key_id,
            object_id=object_id,
            chunk_size=chunk_size,
            nonce_prefix=_unb64(fields["np"], NONCE_PREFIX_BYTES, "np"),
            wrapped_key=_unb64(fields["wk"], WRAPPED_KEY_BYTES, "wk"),
        )


def _wrap_aad(header: EvidenceHeader) -> bytes:
    """Every header field but the wrapped key itself, length-prefixed where variable."""
    key_id = header.key_id.encode("ascii")
    return b"".join(
        (
            _WRAP_LABEL,
            struct.pack(">BB", header.version, len(key_id)),
            key_id,
            header.object_id.encode("ascii"),
            struct.pack(">I", header.chunk_size),
            header.nonce_prefix,
        )
    )


def _wrap(header: EvidenceHeader, data_key: bytes, master_key: bytes) -> bytes:
    nonce = os.urandom(WRAP_NONCE_BYTES)
    return nonce + AESGCM(master_key).encrypt(nonce, data_key, _wrap_aad(header))


def _unwrap(header: EvidenceHeader, keyring: Keyring) -> bytes:
    master_key = keyring.key(header.key_id)
    nonce, sealed = header.wrapped_key[:WRAP_NONCE_BYTES], header.wrapped_key[WRAP_NONCE_BYTES:]
    try:
        return AESGCM(master_key).decrypt(nonce, sealed, _wrap_aad(header))
    except InvalidTag:
        raise EvidenceCorrupt(
            f"Cannot unwrap the data key of object {header.object_id}: the master key "
            f"{header.key_id!r} is wrong or the header was altered.",
            details={"object_id": header.object_id, "key_id": header.key_id},
        ) from None


def rewrap(header: str | bytes, keyring: Keyring) -> str:
    """The header re-wrapped under the keyring's current key; content is not touched.

    For master key rotation: run over every stored header, save the result, then remove the
    old key. A header already under the current key is returned unchanged (as str), so a
    rotation job can skip rows that did not change and can be re-run safely.
    """
    parsed = EvidenceHeader.decode(header)
    if parsed.key_id == keyring.current_id:
        return header.decode("ascii") if isinstance(header, bytes) else header
    data_key = _unwrap(parsed, keyring)
    moved = replace(parsed, key_id=keyring.current_id, wrapped_key=b"")
    return replace(moved, wrapped_key=_wrap(moved, data_key, keyring.current_key)).encode()


def _chunk_nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _chunk_aad(object_id: str, index: int, last: bool) -> bytes:
    return _CHUNK_LABEL + object_id.encode("ascii") + struct.pack(">QB", index, last)


# ---------------------------------------------------------------- storage


@runtime_checkable
class BlobStore(Protocol):
    """Where sealed evidence blobs live. Stores see only ciphertext and vault object ids.

    Contract for implementations (the local directory now, S3-compatible storage later):

    * ``put`` consumes ``data`` as a stream and makes the object visible under its id only
      once all of it is durably written; if ``data`` raises, nothing is left behind and the
      exception propagates. It refuses to overwrite an existing object.
    * ``open`` raises EvidenceNotFound at once for a missing object, then yields its bytes
      in pieces of any size.
    * every method validates ids with :func:`check_object_id` before using them.
    """

    def put(self, data: EvidenceSource, object_id: str | None = None) -> str:
        """Store ``data`` under ``object_id`` (a new id if None); return the id."""
        ...

    def open(self, object_id: str) -> Iterator[bytes]:
        """The stored bytes as a stream of pieces."""
        ...

    def delete(self, object_id: str) -> bool:
        """Remove the object; False if there was none."""
        ...

    def exists(self, object_id: str) -> bool: ...


def _fsync_dir(path: Path) -> None:
    """Make a rename or new entry in ``path`` durable (a no-op where directories can't be
    opened, e.g. Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """Blobs as files under ``root``: ``root/ab/cd/abcd...`` (two levels of 256 folders keep
    any one directory small), files 0600 and folders 0700, written atomically."""

    def __init__(self, root: Path, *, read_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self.root = Path(root)
        self.read_size = read_size

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def path_for(self, object_id: str) -> Path:
        oid = check_object_id(object_id)
        return self.root / oid[:2] / oid[2:4] / oid

    def _make_dirs(self, shard: Path) -> None:
        if shard.is_dir():
            return
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (shard.parent, shard):
            try:
                folder.mkdir(mode=0o700)
            except FileExistsError:
                continue
            _fsync_dir(folder.parent)

    def put(self, data: EvidenceSource, object_id: str | None = None) -> str:
        """Write to a temporary file beside the target, fsync, then rename into place.

        A reader therefore sees the whole object or none, even after a crash; the temporary
        name starts with a dot and can never be mistaken for an object id.
        """
        oid = new_object_id() if object_id is None else check_object_id(object_id)
        final = self.path_for(oid)
        if final.exists():
            raise ObjectExists(f"Object {oid} already exists; evidence is never overwritten.")
        self._make_dirs(final.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                for piece in iter_chunks(data, self.read_size):
                    fh.write(piece)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        _fsync_dir(final.parent)
        return oid

    def open(self, object_id: str) -> Iterator[bytes]:
        path = self.path_for(object_id)
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            raise EvidenceNotFound(f"No stored evidence object {object_id}.") from None
        return self._read(fh)

    def _read(self, fh: BinaryIO) -> Iterator[bytes]:
        with fh:
            while piece := fh.read(self.read_size):
                yield piece

    def delete(self, object_id: str) -> bool:
        path = self.path_for(object_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True

    def exists(self, object_id: str) -> bool:
        return self.path_for(object_id).is_file()

    def object_ids(self, older_than_seconds: float = 0.0) -> Iterator[str]:
        """Ids of stored objects last written more than ``older_than_seconds`` ago."""
        cutoff = time.time() - older_than_seconds
        for path in self.root.glob("*/*/*"):
            if _OBJECT_ID_RE.fullmatch(path.name):
                with contextlib.suppress(FileNotFoundError):
                    if path.stat().st_mtime <= cutoff:
                        yield path.name

    def remove_stale_temp_files(self, older_than_seconds: float = 24 * 3600) -> int:
        """Remove temporary files a crash left behind (ciphertext only); return how many.

        Only files older than ``older_than_seconds`` go, so uploads in progress are safe.
        """
        cutoff = time.time() - older_than_seconds
        removed = 0
        for tmp in self.root.glob(f"*/*/{_TEMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    removed += 1
        return removed


# ---------------------------------------------------------------- the vault


@dataclass(frozen=True)
class StoredEvidence:
    """What the caller records about a stored file; ``header`` goes in one text column."""

    object_id: str
    sha256: str
    md5: str
    size: int
    key_id: str
    header: str
    format_version: int


class EvidenceVault:
    """Encrypts evidence into a BlobStore and gives it back only if nothing was altered."""

    def __init__(
        self, store: BlobStore, keyring: Keyring, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK_SIZE}")
        self.store = store
        self.keyring = keyring
        self.chunk_size = chunk_size

    def __repr__(self) -> str:
        return f"EvidenceVault({self.store!r}, {self.keyring!r})"

    def store_file(self, source: EvidenceSource, max_bytes: int) -> StoredEvidence:
        """Encrypt and store ``source`` in one pass, hashing the plaintext on the way.

        One pass because uploads are streams that cannot be rewound, and because the hashes
        must describe exactly the bytes that were sealed. More than ``max_bytes`` of
        plaintext aborts with EvidenceTooLarge and leaves no object behind.
        """
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        object_id = new_object_id()
        data_key = AESGCM.generate_key(bit_length=256)
        header = EvidenceHeader(
            version=FORMAT_VERSION,
            key_id=self.keyring.current_id,
            object_id=object_id,
            chunk_size=self.chunk_size,
            nonce_prefix=os.urandom(NONCE_PREFIX_BYTES),
            wrapped_key=b"",
        )
        header = replace(header, wrapped_key=_wrap(header, data_key, self.keyring.current_key))
        sha256 = hashlib.sha256()
        md5 = hashlib.md5(usedforsecurity=False)
        size = 0

        def sealed() -> Iterator[bytes]:
            nonlocal size
            aead = AESGCM(data_key)
            for index, chunk, last in _frames(_Reader(source), self.chunk_size):
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceTooLarge(
                        f"The file is larger than the limit of {max_bytes} bytes.",
                        details={"max_bytes": max_bytes},
                    )
                if index >= MAX_CHUNKS:
                    raise EvidenceTooLarge("The file has too many chunks for the vault format.")
                sha256.update(chunk)
                md5.update(chunk)
                nonce = _chunk_nonce(header.nonce_prefix, index)
                yield aead.encrypt(nonce, chunk, _chunk_aad(object_id, index, last))

        try:
            self.store.put(sealed(), object_id)
        except ObjectExists:
            raise  # someone else's object: never delete it
        except BaseException:
            # Stores promise not to leave partial objects; this covers one that breaks it.
            with contextlib.suppress(Exception):
                self.store.delete(object_id)
            raise
        return StoredEvidence(
            object_id=object_id,
            sha256=sha256.hexdigest(),
            md5=md5.hexdigest(),
            size=size,
            key_id=header.key_id,
            header=header.encode(),
            format_version=FORMAT_VERSION,
        )

    def open_file(
        self, object_id: str, header: str | bytes, *, expected_sha256: str | None = None
    ) -> Iterator[bytes]:
        """The plaintext as a stream of chunks of at most ``chunk_size`` bytes.

        The id, header and data key are checked before this returns, so a wrong key or a
        mixed-up header fails at the call. Each yielded chunk is already authenticated, but
        truncation can only show at the end: treat the content as verified only once the
        iterator is exhausted without EvidenceCorrupt. ``expected_sha256`` (the hash
        recorded at intake) is checked at the end too, for chain of custody.
        """
        check_object_id(object_id)
        parsed = EvidenceHeader.decode(header)
        if parsed.object_id != object_id:
            raise EvidenceCorrupt(
                f"The header given for object {object_id} belongs to another object.",
                details={"object_id": object_id},
            )
        aead = AESGCM(_unwrap(parsed, self.keyring))
        blob = self.store.open(object_id)
        return self._decrypt(parsed, aead, blob, expected_sha256)

    def _decrypt(
        self,
        header: EvidenceHeader,
        aead: AESGCM,
        blob: Iterator[bytes],
        expected_sha256: str | None,
    ) -> Iterator[bytes]:
        object_id = header.object_id
        hasher = hashlib.sha256() if expected_sha256 is not None else None
        try:
            reader = _Reader(blob)
            for index, sealed, last in _frames(reader, header.chunk_size + TAG_BYTES):
                if index >= MAX_CHUNKS or len(sealed) < TAG_BYTES:
                    raise EvidenceCorrupt(
                        f"Evidence object {object_id} is truncated.",
                        details={"object_id": object_id, "chunk": index},
                    )
                nonce = _chunk_nonce(header.nonce_prefix, index)
                try:
                    chunk = aead.decrypt(nonce, sealed, _chunk_aad(object_id, index, last))
                except InvalidTag:
                    raise EvidenceCorrupt(
                        f"Evidence object {object_id} fails verification at chunk {index}: "
                        "it was altered, truncated or reordered.",
                        details={"object_id": object_id, "chunk": index},
                    ) from None
                if hasher is not None:
                    hasher.update(chunk)
                if chunk:
                    yield chunk
            if hasher is not None and hasher.hexdigest() != expected_sha256:
                raise EvidenceCorrupt(
                    f"Evidence object {object_id} does not match its recorded SHA-256.",
                    details={"object_id": object_id},
                )
        finally:
            close = getattr(blob, "close", None)
            if close is not None:
                close()

    def read_all(
        self,
        object_id: str,
        header: str | bytes,
        *,
        max_bytes: int = DEFAULT_READ_ALL_LIMIT,
        expected_sha256: str | None = None,
    ) -> bytes:
        """The whole verified plaintext, for small files; more than ``max_bytes`` is refused
        so a mistaken call on a video cannot exhaust memory."""
        parts: list[bytes] = []
        total = 0
        for chunk in self.open_file(object_id, header, expected_sha256=expected_sha256):
            total += len(chunk)
            if total > max_bytes:
                raise EvidenceTooLarge(
                    f"Evidence object {object_id} is larger than {max_bytes} bytes; stream it.",
                    details={"max_bytes": max_bytes},
                )
            parts.append(chunk)
        return b"".join(parts)

    def delete(self, object_id: str) -> bool:
        """Delete the blob; False if it was already gone.

        For retention the caller must also delete the header row: without the header the
        wrapped data key is gone, so any copy of the blob (backup, disk remnant) becomes
        unreadable, which is the crypto-erasure that deleting a file alone cannot promise.
        """
        return self.store.delete(object_id)
