"""Hash-bank files: read and write bank entries in the formats partners already use.

A bank is a named list of hashes. Partners hand banks around as files, so Lindung has to
read what python-threatexchange and Hasher-Matcher-Actioner (HMA) write, and write what
they read, without inventing a format of its own beyond one plain CSV. This module is the
framework-free core of that: bytes in, validated :class:`BankRow` values out, and back.

Import is all-or-nothing. :func:`read_bank_file` checks every row, collects every problem
with its 1-based physical line number, and raises one :class:`BankFileError` if there is
any, so a caller never stores half a file and never has to clean one up.

Formats (:class:`BankFormat`)
-----------------------------
``csv``
    Lindung's own CSV. Header ``signal_type,value,labels,source,provenance,added_by,
    added_at,disabled``; ``signal_type`` and ``value`` are required, the rest optional,
    any other column is kept as metadata. ``labels`` are separated by ``;``; ``added_at``
    is ISO 8601 (a time without an offset is read as UTC); ``disabled`` is
    true/false/1/0/yes/no. A vPDQ value is its multi-line frame text in a quoted field.
    This is the only format that carries every field, so it round-trips exactly.

``threatexchange``
    One ``<signal_type> <signal>`` per line, as matched against python-threatexchange
    1.2.17:

    - ``threatexchange/exchanges/impl/file_api.py``: ``LocalFileSignalExchangeAPI``
      ("local file" exchange) reads this in ``fetch_iter`` (strip, split at the first
      space, skip blank lines; with the collaboration's ``signal_type`` option every line
      is a bare signal) and appends it in ``report_opinion`` (which in 1.2.17 opens the
      file with mode ``"wta"``, which Python refuses, so only the line format is tested).
    - ``threatexchange/cli/hash_cmd.py``: ``threatexchange hash`` prints
      ``print(hasher.get_name(), hash_str)``; with ``--photo-preprocess rotations`` it
      prefixes the rotation name (``ROTATE90 pdq <hash>``), which is read here too and
      kept as ``metadata["rotation"]``.
    - ``threatexchange/cli/dataset_cmd.py``: ``threatexchange dataset -P -S``
      (``_print_stdout`` with ``--print-signals-only``) prints the same lines, or bare
      signals when one ``-s`` type is chosen.
    - ``threatexchange/cli/match_cmd.py``: ``threatexchange match --hashes`` reads bare
      signals, one per line (``_match_hashes``).

    Pass ``signal_type=`` to :func:`read_bank_file` for the bare form. Only the type and
    the signal survive this format; disabled rows are left out when writing, because every
    line of such a file is an active signal to threatexchange.

``threatexchange_csv``
    ``threatexchange dataset -P --csv`` (``DatasetCommand.execute_print_signals`` and
    ``_print_csv`` in ``threatexchange/cli/dataset_cmd.py``): header
    ``signal_type,signal_str,collab,category,tags``, tags separated by spaces, CRLF line
    ends. ``collab`` maps to ``source``, ``tags`` to ``labels`` and ``category``
    (``AggregateSignalOpinionCategory`` name) to ``metadata["opinion_category"]``. The CLI
    prints one line per (signal, collaboration); those lines are merged into one row, the
    categories combined by threatexchange's own rule
    (``AggregateSignalOpinionCategory.aggregate`` in ``threatexchange/exchanges/
    fetch_state.py``). Disabled rows are left out when writing.

``hma``
    HMA 2.0 ("open-media-match") bank content JSON, as matched against
    ``hasher-matcher-actioner/src/OpenMediaMatch/blueprints/curation.py`` and
    ``.../schemas/curation.py`` in facebook/ThreatExchange:

    - ``POST /c/bank/<bank_name>/signal`` takes one content's signals as a JSON object
      keyed by signal type name, ``{"pdq": "<hash>", "video_md5": "<hash>"}``, and
      validates each with the signal type's ``validate_signal_str``.
    - ``GET /c/bank/<bank_name>/content/<id>?include_signals=true`` returns a
      ``BankContentResponse``: ``{"id", "disable_until_ts", "collab_metadata",
      "original_media_uri", "bank": {...}, "signals": {<name>: <signal>}}``.
      ``disable_until_ts`` follows ``BankContentConfig`` in
      ``threatexchange/storage/interfaces.py``: 0 disabled, 1 enabled, otherwise disabled
      until that Unix time.

    The curation API read has no bulk export of a bank's contents (content is fetched
    one id at a time), so a file is either one such object or a JSON array of them;
    signal-only and content objects may be mixed. Reading keeps HMA's ``id``,
    ``original_media_uri`` and a non-0/1 ``disable_until_ts`` as metadata
    (``hma_content_id`` ...) and the ``collab_metadata`` names as ``source``. Writing
    produces an array of content objects, one per row, each with ``disable_until_ts``
    (0/1), ``collab_metadata``, ``original_media_uri``, ``signals`` and a ``"lindung"``
    object holding what HMA has no place for (HMA's response schema has no such key, and
    its POST endpoints take only ``signals``), so Lindung → HMA JSON → Lindung is exact
    apart from vPDQ frame numbers (below). To load a written file into HMA, POST each
    object's ``signals`` to ``/c/bank/<name>/signal``.

Signal types and values
-----------------------
Names follow python-threatexchange's ``SignalType.get_name()``: ``pdq``,
``video_md5``, ``video_sha256`` and ``vpdq`` are written; ``md5`` and ``sha256`` are
also read. Hashes are validated by threatexchange's own ``validate_signal_str``
(``threatexchange/signal_type/pdq/signal.py``, ``md5.py``, ``sha256.py``) after Lindung's
normalisation (surrounding whitespace stripped, hex lowercased), so Lindung accepts what
HMA accepts plus upper-case hex. Lindung's ``md5``/``sha256`` are hashes of any file, but
threatexchange's only MD5/SHA-256 file types are the video ones, so they are exported
under those names; threatexchange tools will apply them to videos only.

A vPDQ value is stored as the frame text the vPDQ C++ tools write
(``outputVPDQFeatureToFile`` in ``vpdq/cpp/io/vpdqio.cpp``): one
``frame_number,quality,pdq_hex,timestamp`` line per frame, timestamp with three decimals.
python-threatexchange instead serialises a vPDQ signal as a JSON list of
``"pdq_hex,quality,timestamp"`` strings (``VpdqCompactFeature`` and ``vpdq_to_json`` in
``threatexchange/extensions/vpdq/vpdq_util.py``); that form is accepted anywhere a vPDQ
value is, and is what the threatexchange and HMA formats write. It has no frame
numbers, so frames read from it are numbered from 0 and original frame numbers do not
survive those formats (vPDQ matching compares hashes and quality, never frame numbers).
The parsing is self-contained because threatexchange's vPDQ module needs the native
``vpdq`` package just to import.

Not implemented: the ``.te`` state files of ``threatexchange fetch``
(``cli/dataset/simple_serialization.py``), which are a cache of ThreatExchange API
indicators rather than something users exchange.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache, partial
from typing import Any, Final, NamedTuple

from lindung.detect.signals import SignalType

__all__ = [
    "DEFAULT_MAX_LINE_LENGTH",
    "DEFAULT_MAX_ROWS",
    "BankFileError",
    "BankFormat",
    "BankRow",
    "RowError",
    "VpdqFrame",
    "detect_format",
    "format_vpdq",
    "parse_vpdq",
    "read_bank_file",
    "signal_type_from_name",
    "threatexchange_name",
    "validate_signal",
    "vpdq_to_threatexchange_json",
    "write_bank_file",
]

DEFAULT_MAX_ROWS: Final = 10_000_000
#: Long enough for a vPDQ hash of a many-hours video on one line (threatexchange format).
DEFAULT_MAX_LINE_LENGTH: Final = 4 * 1024 * 1024
#: How many errors a BankFileError keeps; the rest are only counted.
DEFAULT_MAX_ERRORS: Final = 1000


class BankFormat(StrEnum):
    """The bank file formats Lindung reads and writes; see the module docstring."""

    CSV = "csv"
    THREATEXCHANGE = "threatexchange"
    THREATEXCHANGE_CSV = "threatexchange_csv"
    HMA = "hma"

    @property
    def file_extension(self) -> str:
        """Extension to give an exported file, so the partner's tools recognise it."""
        return _EXTENSIONS[self]

    @property
    def media_type(self) -> str:
        """MIME type for serving an export over HTTP."""
        return _MEDIA_TYPES[self]


_EXTENSIONS: Final = {
    BankFormat.CSV: ".csv",
    BankFormat.THREATEXCHANGE: ".txt",
    BankFormat.THREATEXCHANGE_CSV: ".csv",
    BankFormat.HMA: ".json",
}
_MEDIA_TYPES: Final = {
    BankFormat.CSV: "text/csv",
    BankFormat.THREATEXCHANGE: "text/plain",
    BankFormat.THREATEXCHANGE_CSV: "text/csv",
    BankFormat.HMA: "application/json",
}

# --------------------------------------------------------------------------------------
# Signal types and values
# --------------------------------------------------------------------------------------

# python-threatexchange SignalType.get_name() for each Lindung type (checked by a test
# against the installed package; vpdq's class needs the native vpdq module to import).
_THREATEXCHANGE_NAMES: Final = {
    SignalType.PDQ: "pdq",
    SignalType.MD5: "video_md5",
    SignalType.SHA256: "video_sha256",
    SignalType.VPDQ: "vpdq",
}
_NAME_TO_TYPE: Final = {
    **{st.value: st for st in SignalType},
    **{name: st for st, name in _THREATEXCHANGE_NAMES.items()},
}
_HEX_LENGTHS: Final = {SignalType.PDQ: 64, SignalType.MD5: 32, SignalType.SHA256: 64}
_HEX_RE: Final = re.compile(r"[0-9a-f]*")
_CANONICAL_HEX: Final = {st: re.compile(f"[0-9a-f]{{{n}}}") for st, n in _HEX_LENGTHS.items()}
_PDQ_HEX_RE: Final = re.compile(r"[0-9a-f]{64}")
_INT_RE: Final = re.compile(r"[+-]?[0-9]+")


def threatexchange_name(signal_type: SignalType) -> str:
    """The name python-threatexchange and HMA use for this signal type."""
    return _THREATEXCHANGE_NAMES[SignalType(signal_type)]


def signal_type_from_name(name: str) -> SignalType:
    """Map a Lindung or python-threatexchange signal type name to a :class:`SignalType`.

    Case and surrounding space are ignored. Raises ValueError naming what is supported, so
    a partner file with (say) ``raw_text`` rows is refused with a reason.
    """
    key = name.strip().lower() if isinstance(name, str) else ""
    try:
        return _NAME_TO_TYPE[key]
    except KeyError:
        raise ValueError(
            f"unknown signal type {_show(name)}; Lindung banks hold pdq, md5 (video_md5), "
            "sha256 (video_sha256) and vpdq"
        ) from None


def _coerce_type(signal_type: SignalType | str) -> SignalType:
    if isinstance(signal_type, SignalType):
        return signal_type
    return signal_type_from_name(signal_type)


@cache
def _threatexchange_validators() -> dict[SignalType, Callable[[str], str]]:
    """threatexchange's own validators, imported on first use (the PDQ module pulls in
    pdqhash and numpy, which a CLI that only prints --help should not pay for)."""
    from threatexchange.signal_type.md5 import VideoMD5Signal
    from threatexchange.signal_type.pdq.signal import PdqSignal
    from threatexchange.signal_type.sha256 import VideoSHA256Signal

    return {
        SignalType.PDQ: PdqSignal.validate_signal_str,
        SignalType.MD5: VideoMD5Signal.validate_signal_str,
        SignalType.SHA256: VideoSHA256Signal.validate_signal_str,
    }


def validate_signal(signal_type: SignalType | str, value: str) -> str:
    """Return ``value`` normalised for ``signal_type``, or raise ValueError saying why not.

    pdq, md5 and sha256 become lowercase hex of 64, 32 and 64 digits and must then pass
    python-threatexchange's ``validate_signal_str`` (what HMA runs on every banked hash).
    vpdq becomes canonical frame text (see :func:`parse_vpdq`).
    """
    st = _coerce_type(signal_type)
    if not isinstance(value, str):
        raise ValueError(f"{st} hash must be text, not {type(value).__name__}")
    if st is SignalType.VPDQ:
        return format_vpdq(parse_vpdq(value))
    text = value.strip().lower()
    expected = _HEX_LENGTHS[st]
    if not text:
        raise ValueError(f"{st} hash is empty")
    if not _HEX_RE.fullmatch(text):
        raise ValueError(f"{st} hash must be hexadecimal digits; got {_show(value)}")
    if len(text) != expected:
        raise ValueError(
            f"{st} hash must be {expected} hex digits; got {len(text)} ({_show(value)})"
        )
    try:
        return _threatexchange_validators()[st](text)
    except ValueError as exc:
        raise ValueError(f"{st} hash rejected by python-threatexchange: {exc}") from exc


def _normalise_value(st: SignalType, value: str) -> str:
    """validate_signal with a fast path for values that are already canonical hex, since
    every BankRow checks its value and a bank can hold millions of them."""
    pattern = _CANONICAL_HEX.get(st)
    if pattern is not None and isinstance(value, str) and pattern.fullmatch(value):
        return value
    return validate_signal(st, value)


# --------------------------------------------------------------------------------------
# vPDQ
# --------------------------------------------------------------------------------------


class VpdqFrame(NamedTuple):
    """One frame of a vPDQ hash: a PDQ hash of one sampled video frame."""

    frame_number: int
    quality: int
    pdq_hex: str
    timestamp: float

    def __str__(self) -> str:
        """The vPDQ C++ line: ``frame_number,quality,pdq_hex,timestamp`` (3 decimals)."""
        return f"{self.frame_number},{self.quality},{self.pdq_hex},{self.timestamp:.3f}"


def parse_vpdq(text: str) -> list[VpdqFrame]:
    """Parse a vPDQ hash in either serialisation, checking each frame.

    Accepts the vPDQ C++ frame text (``frame_number,quality,pdq_hex,timestamp`` per line)
    and python-threatexchange's JSON list of ``"pdq_hex,quality,timestamp"`` strings. Each
    frame needs a 64-hex-digit PDQ hash, a quality from 0 to 100 and a finite timestamp
    >= 0: the bounds ``VpdqCompactFeature.assert_valid`` applies. An empty hash is refused
    (threatexchange would accept ``[]``, but it can never match anything).
    """
    if not isinstance(text, str):
        raise ValueError(f"vpdq hash must be text, not {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise ValueError("vpdq hash is empty")
    if stripped.startswith("["):
        return _parse_vpdq_json(stripped)
    frames: list[VpdqFrame] = []
    lines = stripped.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split(",")
        if len(parts) != 4:
            raise ValueError(
                f"vpdq frame line {number} must be frame_number,quality,pdq_hex,timestamp; "
                f"got {_show(line)}"
            )
        frame_s, quality_s, hex_s, time_s = (p.strip() for p in parts)
        if not _INT_RE.fullmatch(frame_s) or int(frame_s) < 0:
            raise ValueError(f"vpdq frame line {number}: bad frame number {_show(frame_s)}")
        frames.append(_vpdq_frame(int(frame_s), quality_s, hex_s, time_s, f"line {number}"))
    if not frames:
        raise ValueError("vpdq hash has no frames")
    return frames


def _parse_vpdq_json(text: str) -> list[VpdqFrame]:
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"vpdq hash looks like JSON but is not valid JSON: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("vpdq JSON must be a list of 'pdq_hex,quality,timestamp' strings")
    if not items:
        raise ValueError("vpdq hash has no frames")
    frames = []
    for index, item in enumerate(items):
        parts = item.split(",")
        if len(parts) != 3:
            raise ValueError(
                f"vpdq frame {index} must be 'pdq_hex,quality,timestamp'; got {_show(item)}"
            )
        hex_s, quality_s, time_s = (p.strip() for p in parts)
        frames.append(_vpdq_frame(index, quality_s, hex_s, time_s, f"frame {index}"))
    return frames


def _vpdq_frame(frame: int, quality_s: str, hex_s: str, time_s: str, where: str) -> VpdqFrame:
    pdq_hex = hex_s.lower()
    if not _PDQ_HEX_RE.fullmatch(pdq_hex):
        raise ValueError(f"vpdq {where}: PDQ hash must be 64 hex digits; got {_show(hex_s)}")
    if not _INT_RE.fullmatch(quality_s) or not 0 <= int(quality_s) <= 100:
        raise ValueError(f"vpdq {where}: quality must be 0-100; got {_show(quality_s)}")
    try:
        timestamp = float(time_s)
    except ValueError:
        raise ValueError(f"vpdq {where}: bad timestamp {_show(time_s)}") from None
    if not math.isfinite(timestamp) or timestamp < 0:
        raise ValueError(f"vpdq {where}: timestamp must be >= 0; got {_show(time_s)}")
    return VpdqFrame(frame, int(quality_s), pdq_hex, timestamp)


def format_vpdq(frames: Iterable[VpdqFrame]) -> str:
    """Canonical vPDQ value: the C++ frame text, one frame per line, no trailing newline."""
    return "\n".join(str(f) for f in frames)


def vpdq_to_threatexchange_json(value: str) -> str:
    """A vPDQ value in python-threatexchange's serialisation (``VPDQSignal`` signal_str).

    Timestamps keep three decimals; threatexchange's own writer keeps three *significant*
    digits (``f"{ts:.3}"``), which its parser reads back either way.
    """
    return json.dumps([f"{f.pdq_hex},{f.quality},{f.timestamp:.3f}" for f in parse_vpdq(value)])


def _threatexchange_value(row: BankRow) -> str:
    if row.signal_type is SignalType.VPDQ:
        return vpdq_to_threatexchange_json(row.value)
    return row.value


# --------------------------------------------------------------------------------------
# Rows and errors
# --------------------------------------------------------------------------------------

_CSV_COLUMNS: Final = (
    "signal_type",
    "value",
    "labels",
    "source",
    "provenance",
    "added_by",
    "added_at",
    "disabled",
)
# Control characters, line/paragraph separators and lone surrogates: never meaningful in
# a label or name, and each breaks some consumer (CSV, terminals, UTF-8 encoders).
_BAD_SINGLE_LINE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# Metadata values may be multi-line notes, but carriage returns are folded into line
# feeds on reading, so they could not round-trip.
_BAD_MULTI_LINE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_MAX_LABEL_LENGTH: Final = 200


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    value = value.strip()
    if _BAD_SINGLE_LINE.search(value):
        raise ValueError(f"{name} contains a control character or line break")
    return value


def _check_label(label: object) -> str:
    text = _check_text("label", label)
    if not text:
        raise ValueError("empty label")
    if ";" in text:
        raise ValueError(f"label {_show(text)} contains ';', the label separator")
    if len(text) > _MAX_LABEL_LENGTH:
        raise ValueError(f"label is longer than {_MAX_LABEL_LENGTH} characters")
    return text


def _labels_are_clean(labels: tuple[object, ...]) -> bool:
    """True if ``labels`` need no normalisation: the common case, checked cheaply."""
    for label in labels:
        if (
            label.__class__ is not str
            or not label
            or label != label.strip()
            or ";" in label
            or len(label) > _MAX_LABEL_LENGTH
        ):
            return False
    return len(set(labels)) == len(labels) and not _BAD_SINGLE_LINE.search(
        "".join(labels)  # type: ignore[arg-type]
    )


def _check_labels(labels: Iterable[object]) -> tuple[str, ...]:
    if isinstance(labels, str):
        raise ValueError("labels must be a sequence of strings, not one string")
    return tuple(dict.fromkeys(_check_label(label) for label in labels))


def _check_metadata_key(key: object) -> str:
    text = _check_text("metadata key", key)
    if not text:
        raise ValueError("empty metadata key (or CSV column name)")
    if text.lower() in _CSV_COLUMNS:
        raise ValueError(f"metadata key {_show(text)} is the name of a bank row field")
    if len(text) > _MAX_LABEL_LENGTH:
        raise ValueError(f"metadata key is longer than {_MAX_LABEL_LENGTH} characters")
    return text


def _check_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(metadata, Mapping):
        raise ValueError(f"metadata must be a mapping, not {type(metadata).__name__}")
    result: dict[str, str] = {}
    if not metadata:
        return result
    for key, value in metadata.items():
        checked = _check_metadata_key(key)
        if not isinstance(value, str):
            raise ValueError(f"metadata {_show(checked)} must be text")
        if _BAD_MULTI_LINE.search(value):
            raise ValueError(f"metadata {_show(checked)} contains a control character")
        if checked in result:
            raise ValueError(f"metadata key {_show(checked)} is given twice")
        if value:  # an empty value is an absent one (a blank CSV cell)
            result[checked] = value
    return result


def _check_added_at(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.__class__ is datetime and value.tzinfo is UTC:
        return value
    if not isinstance(value, datetime):
        raise ValueError(f"added_at must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("added_at must be timezone-aware (UTC)")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class BankRow:
    """One bank entry: a hash and what is known about where it came from.

    Construction validates and normalises every field (hash normalised with
    :func:`validate_signal`, labels stripped and de-duplicated, names stripped,
    ``added_at`` converted to UTC, empty metadata values dropped), so any ``BankRow`` is
    safe to store, index and write in every format. ``metadata`` is excluded from the hash.
    """

    signal_type: SignalType
    value: str
    labels: tuple[str, ...] = ()
    source: str = ""
    provenance: str = ""
    added_by: str = ""
    added_at: datetime | None = None
    disabled: bool = False
    metadata: dict[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # Banks hold millions of rows: only replace a field when normalising changed it.
        st = self.signal_type
        if st.__class__ is not SignalType:
            st = _coerce_type(st)
            object.__setattr__(self, "signal_type", st)
        value = _normalise_value(st, self.value)
        if value != self.value:
            object.__setattr__(self, "value", value)
        labels: Any = self.labels  # callers may pass any iterable; normalised here
        if labels.__class__ is list:
            labels = tuple(labels)
        if labels.__class__ is not tuple or not _labels_are_clean(labels):
            labels = _check_labels(labels)
        if labels is not self.labels:
            object.__setattr__(self, "labels", labels)
        for name in ("source", "provenance", "added_by"):
            text = getattr(self, name)
            if text.__class__ is not str or text:
                checked = _check_text(name, text)
                if checked != text:
                    object.__setattr__(self, name, checked)
        if self.added_at is not None:
            object.__setattr__(self, "added_at", _check_added_at(self.added_at))
        if self.disabled is not True and self.disabled is not False:
            raise ValueError(f"disabled must be a bool, not {type(self.disabled).__name__}")
        # Always a private copy, so the caller's dict cannot change a frozen row.
        object.__setattr__(self, "metadata", _check_metadata(self.metadata))

    @property
    def key(self) -> tuple[SignalType, str]:
        """What makes an entry unique within a bank."""
        return (self.signal_type, self.value)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a bank file. ``line`` is 1-based; 0 means the file as a whole."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line > 0 else "file"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


class BankFileError(ValueError):
    """A bank file was refused; ``errors`` says where and why (nothing was read).

    Keeps up to ``max_errors`` errors (see :func:`read_bank_file`); ``error_count`` is
    the total found. The message lists the first :attr:`MAX_LISTED`.
    """

    MAX_LISTED: Final = 50

    def __init__(self, errors: Iterable[RowError], error_count: int | None = None) -> None:
        self.errors: list[RowError] = list(errors)
        self.error_count: int = max(error_count or 0, len(self.errors))
        super().__init__(self._describe())

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the structured errors when pickled (e.g. back from a worker process).
        return (type(self), (self.errors, self.error_count))

    def _describe(self) -> str:
        count = self.error_count
        head = f"bank file refused: {count} error{'s' if count != 1 else ''}"
        listed = self.errors[: self.MAX_LISTED]
        lines = [head, *(f"  {e}" for e in listed)]
        if count > len(listed):
            lines.append(f"  and {count - len(listed)} more")
        return "\n".join(lines)


class _Errors:
    """Collects row errors up to a cap, counting the rest."""

    def __init__(self, limit: int) -> None:
        self.items: list[RowError] = []
        self.count = 0
        self.limit = limit

    def add(self, line: int, field_name: str | None, message: str) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(RowError(line, field_name, message))

    def fail(self, line: int, field_name: str | None, message: str) -> BankFileError:
        self.add(line, field_name, message)
        return self.error()

    def error(self) -> BankFileError:
        return BankFileError(self.items, self.count)

    def raise_if_any(self) -> None:
        if self.count:
            raise self.error()


def _show(value: object, limit: int = 40) -> str:
    """repr() short enough for an error message, even for a megabyte of junk."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}...({len(str(value))} chars)"


# --------------------------------------------------------------------------------------
# Field parsing shared by the readers
# --------------------------------------------------------------------------------------

_TRUE: Final = frozenset({"true", "1", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f", ""})


def _parse_bool(text: str) -> bool:
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"expected true/false, 1/0 or yes/no; got {_show(text)}")


def _parse_datetime(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"expected an ISO 8601 date-time such as 2024-05-01T12:00:00Z; got {_show(text)}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # Lindung's times are UTC unless they say so
    return parsed.astimezone(UTC)


def _format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


_Where = int | Callable[[], int]
"""A line number, or a function that finds it (HMA JSON finds lines only on error)."""


def _line(where: _Where) -> int:
    return where() if callable(where) else where


def _same_line(where: _Where) -> Callable[[str], int]:
    """A field locator for formats where every field of a row is on one line."""

    def locate(_field: str) -> int:
        return _line(where)

    return locate


@dataclass
class _Raw:
    """A row's fields as read, before validation.

    ``locate`` gives the line of a field (for a cell after a quoted multi-line cell in
    CSV, that is not the line the record starts on); ``names`` gives a field's name in
    the file's own vocabulary, so errors speak the user's language.
    """

    signal_type: Any
    value: Any
    locate: Callable[[str], int]
    labels: Any = ()
    source: Any = ""
    provenance: Any = ""
    added_by: Any = ""
    added_at: Any = None
    disabled: Any = False
    metadata: Any = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)


def _make_row(raw: _Raw, errors: _Errors) -> BankRow | None:
    """A row from ``raw``, or None with every problem in it recorded in ``errors``.

    Tries the happy path first (one BankRow construction validates everything); only a
    row with a problem pays for the field-by-field pass that says exactly what is wrong.
    """
    try:
        st = raw.signal_type
        if st.__class__ is not SignalType:
            st = _NAME_TO_TYPE[st.strip().lower()]
        labels = raw.labels
        if labels.__class__ is str:
            labels = [label for label in labels.split(";") if label.strip()]
        added_at = raw.added_at
        if added_at.__class__ is str:
            added_at = _parse_datetime(added_at)
        disabled = raw.disabled
        if disabled is not True and disabled is not False:
            disabled = _parse_bool(disabled)
        return BankRow(
            st,
            raw.value,
            labels,
            raw.source,
            raw.provenance,
            raw.added_by,
            added_at,
            disabled,
            raw.metadata,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return _build_row(raw, errors)


def _build_row(raw: _Raw, errors: _Errors) -> BankRow | None:
    """Validate every field of ``raw``, recording each problem; a row only if none."""
    before = errors.count

    def check(name: str, func: Callable[[], Any]) -> Any:
        try:
            return func()
        except (ValueError, TypeError) as exc:
            errors.add(raw.locate(name), raw.names.get(name, name), str(exc))
            return None

    def signal_type() -> SignalType:
        if isinstance(raw.signal_type, SignalType):
            return raw.signal_type
        if not isinstance(raw.signal_type, str):
            raise ValueError("signal type must be text")
        return signal_type_from_name(raw.signal_type)

    def labels() -> tuple[str, ...]:
        items = raw.labels.split(";") if isinstance(raw.labels, str) else raw.labels
        return _check_labels(
            label for label in items if not isinstance(label, str) or label.strip()
        )

    def added_at() -> datetime | None:
        if isinstance(raw.added_at, str):
            return _parse_datetime(raw.added_at)
        return _check_added_at(raw.added_at)

    def disabled() -> bool:
        if isinstance(raw.disabled, bool):
            return raw.disabled
        return _parse_bool(str(raw.disabled))

    st: SignalType | None = check("signal_type", signal_type)
    value: str | None = None
    if st is not None:
        known_type = st
        value = check("value", lambda: validate_signal(known_type, raw.value))
    fields: dict[str, Any] = {
        "labels": check("labels", labels),
        "added_at": check("added_at", added_at),
        "disabled": check("disabled", disabled),
        "metadata": check("metadata", lambda: _check_metadata(raw.metadata)),
    }
    for name in ("source", "provenance", "added_by"):
        fields[name] = check(name, partial(_check_text, name, getattr(raw, name)))
    if errors.count == before and st is not None and value is not None:
        try:
            return BankRow(signal_type=st, value=value, **fields)
        except ValueError as exc:  # pragma: no cover - every field was checked above
            errors.add(raw.locate("value"), None, str(exc))
    if errors.count == before:  # pragma: no cover - never drop a row silently
        errors.add(raw.locate("value"), None, "row could not be read")
    return None


class _Rows:
    """Accepted rows, with the file-wide checks: duplicates and the row cap."""

    def __init__(self, errors: _Errors, max_rows: int) -> None:
        self.rows: list[BankRow] = []
        self.first: dict[tuple[SignalType, str], _Where] = {}
        self.errors = errors
        self.max_rows = max_rows
        self.seen = 0

    def count(self, where: _Where) -> None:
        """Count one data row; stop reading at once past the cap (a runaway file)."""
        self.seen += 1
        if self.seen > self.max_rows:
            raise self.errors.fail(
                _line(where), None, f"more than {self.max_rows} rows; split the file"
            )

    def add(self, row: BankRow | None, where: _Where, field_name: str = "value") -> None:
        if row is None:
            return
        first = self.first.get(row.key)
        if first is not None:
            self.errors.add(
                _line(where),
                field_name,
                f"duplicate {row.signal_type} hash; first given on line {_line(first)}",
            )
            return
        self.first[row.key] = where
        self.rows.append(row)


# --------------------------------------------------------------------------------------
# Decoding and format detection
# --------------------------------------------------------------------------------------


def _decode(data: bytes | bytearray | memoryview | str) -> str:
    """UTF-8 text with any BOM removed and every line ending turned into ``\\n``."""
    if isinstance(data, str):
        text = data
    else:
        raw = bytes(data)
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise BankFileError([RowError(0, None, "file is UTF-16; save it as UTF-8")])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            message = (
                f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8"
            )
            raise BankFileError([RowError(line, None, message)]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


_ROTATIONS: Final = frozenset(
    # threatexchange.content_type.content_base.RotationType names
    {
        "ORIGINAL",
        "ROTATE90",
        "ROTATE180",
        "ROTATE270",
        "FLIPX",
        "FLIPY",
        "FLIPPLUS1",
        "FLIPMINUS1",
    }
)


def detect_format(filename: str | None, first_bytes: bytes | str) -> BankFormat:
    """Guess a bank file's format from its start, then from its name.

    The content decides when it can (a JSON bracket, a known CSV header, a known signal
    type at the start of the first line); the extension is the fallback (``.json``,
    ``.csv``, ``.txt``). Raises :class:`BankFileError` when neither tells.
    """
    if isinstance(first_bytes, str):
        head = first_bytes
    else:
        head = bytes(first_bytes).decode("utf-8", errors="ignore")
    head = head.lstrip("\ufeff").lstrip()
    if head.startswith(("[", "{")):
        return BankFormat.HMA
    first_line = head.replace("\r", "\n").split("\n", 1)[0]
    if first_line:
        try:
            columns = {c.strip().lower() for c in next(csv.reader([first_line]))}
        except (csv.Error, StopIteration):
            columns = set()
        # threatexchange's CSV never has "value"; Lindung's may have any extra column.
        if {"signal_type", "value"} <= columns:
            return BankFormat.CSV
        if {"signal_type", "signal_str"} <= columns:
            return BankFormat.THREATEXCHANGE_CSV
        token = first_line.split(None, 1)[0] if first_line.split() else ""
        if token.lower() in _NAME_TO_TYPE or token.upper() in _ROTATIONS:
            return BankFormat.THREATEXCHANGE
    suffix = (filename or "").lower().rsplit(".", 1)[-1] if "." in (filename or "") else ""
    by_suffix = {"json": BankFormat.HMA, "csv": BankFormat.CSV, "txt": BankFormat.THREATEXCHANGE}
    if suffix in by_suffix:
        return by_suffix[suffix]
    if not head:
        raise BankFileError([RowError(0, None, "file is empty")])
    raise BankFileError(
        [
            RowError(
                1,
                None,
                "cannot tell the file format; choose one of "
                + ", ".join(f.value for f in BankFormat),
            )
        ]
    )


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------

_csv_limit_lock = threading.Lock()


def _allow_csv_fields(size: int) -> None:
    """Raise the csv module's process-wide field limit (128 KiB) to ``size``.

    A vPDQ value of a long video is bigger than that. The limit only ever goes up, as
    python-threatexchange does in ``cli/dataset/simple_serialization.py``; the input is
    already in memory, so the limit protects nothing here.
    """
    with _csv_limit_lock:
        if csv.field_size_limit() < size:
            csv.field_size_limit(size)


def _split_lines(text: str, max_line_length: int, errors: _Errors) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(text) > max_line_length and max(map(len, lines), default=0) > max_line_length:
        for number, line in enumerate(lines, 1):
            if len(line) > max_line_length:
                errors.add(
                    number, None, f"line is {len(line)} characters; the limit is {max_line_length}"
                )
        raise errors.error()
    return lines


def read_bank_file(
    data: bytes | bytearray | memoryview | str,
    format: BankFormat | None = None,
    *,
    filename: str | None = None,
    signal_type: SignalType | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> list[BankRow]:
    """Read every row of a bank file, or raise :class:`BankFileError` listing what is wrong.

    ``format`` defaults to :func:`detect_format` (or ``threatexchange`` when
    ``signal_type`` is given: a file of bare hashes of that type, as
    ``threatexchange match --hashes`` reads). Bytes must be UTF-8 (a BOM is ignored);
    line ends may be LF, CRLF or CR. Duplicate hashes within the file are errors. More
    than ``max_rows`` rows, or (in the line-based formats) a line longer than
    ``max_line_length`` characters, stops reading at once.
    """
    text = _decode(data)
    if format is None:
        format = BankFormat.THREATEXCHANGE if signal_type is not None else None
    if format is None:
        format = detect_format(filename, text[:4096])
    format = BankFormat(format)
    if signal_type is not None and format is not BankFormat.THREATEXCHANGE:
        raise ValueError("signal_type= only applies to the threatexchange format")
    errors = _Errors(max_errors)
    rows = _Rows(errors, max_rows)
    if format is BankFormat.HMA:
        _read_hma(text, rows, errors)
    else:
        lines = _split_lines(text, max_line_length, errors)
        if format is BankFormat.THREATEXCHANGE:
            _read_threatexchange(lines, signal_type, rows, errors)
        else:
            _allow_csv_fields(len(text) + 1)
            if format is BankFormat.CSV:
                _read_csv(lines, rows, errors)
            else:
                _read_threatexchange_csv(lines, rows, errors)
    errors.raise_if_any()
    return rows.rows


class _CsvHeader(NamedTuple):
    record: _CsvRecord
    known: dict[str, int]  # the format's own columns, lower-cased
    extra: dict[str, int]  # metadata columns
    unnamed: list[int]  # columns without a name (spreadsheets add them); must stay empty

    def cells(self, record: _CsvRecord, errors: _Errors) -> list[str] | None:
        """The record's cells padded to the header's width, or None (error recorded)."""
        cells, width = record.cells, len(self.record.cells)
        if len(cells) > width:
            errors.add(record.line, None, f"{len(cells)} fields but the header names only {width}")
            return None
        for index in self.unnamed:
            if index < len(cells) and cells[index].strip():
                errors.add(
                    record.line_of(index), None, f"column {index + 1} has a value but no name"
                )
                return None
        # A short row (trailing empty cells left out) means those cells are empty.
        return cells + [""] * (width - len(cells))


class _CsvRecord(NamedTuple):
    line: int  # physical line the record starts on
    cells: list[str]

    def line_of(self, index: int) -> int:
        """Physical line a cell starts on, counting line breaks inside quoted cells."""
        return self.line + sum(c.count("\n") for c in self.cells[:index])


def _csv_records(lines: Sequence[str], errors: _Errors) -> Iterator[_CsvRecord]:
    """CSV records with the physical line each starts on; blank lines are skipped."""
    reader = csv.reader((line + "\n" for line in lines), strict=True)
    consumed = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader cannot resynchronise after broken quoting; report and stop.
            start = consumed + 1
            span = f" (lines {start}-{reader.line_num})" if reader.line_num > start else ""
            hint = "; is a quote left open?" if "end of data" in str(exc) else ""
            raise errors.fail(start, None, f"malformed CSV{span}: {exc}{hint}") from None
        start, consumed = consumed + 1, reader.line_num
        if len(cells) > 1 or (cells and cells[0].strip()):  # else a blank line
            yield _CsvRecord(start, cells)


def _csv_header(
    records: Iterator[_CsvRecord], columns: Sequence[str], required: int, errors: _Errors
) -> _CsvHeader | None:
    """Read the header: the format's ``columns`` (lower-cased; the first ``required`` of
    them must be present) and the metadata columns, by index. None if unusable."""
    example = ",".join(columns)
    header = next(records, None)
    if header is None:
        errors.add(0, None, f"file is empty; expected a header line such as {example!r}")
        return None
    known: dict[str, int] = {}
    extra: dict[str, int] = {}
    unnamed: list[int] = []
    for index, cell in enumerate(header.cells):
        name = cell.strip()
        if not name:
            unnamed.append(index)
            continue
        # The format's own columns match in any case; metadata keys are case-sensitive.
        key = name.lower() if name.lower() in columns else name
        if key in known or key in extra:
            errors.add(header.line, None, f"column {_show(name)} appears twice")
        elif key in columns:
            known[key] = index
        else:
            try:
                extra[_check_metadata_key(name)] = index
            except ValueError as exc:
                errors.add(header.line, None, f"column {index + 1}: {exc}")
    missing = [c for c in columns[:required] if c not in known]
    if missing:
        errors.add(
            header.line,
            None,
            f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"the header must include {', '.join(columns[:required])}",
        )
    if errors.count:
        return None
    return _CsvHeader(header, known, extra, unnamed)


def _record_locator(record: _CsvRecord, known: Mapping[str, int]) -> Callable[[str], int]:
    def locate(name: str) -> int:
        return record.line_of(known[name]) if name in known else record.line

    return locate


def _read_csv(lines: Sequence[str], rows: _Rows, errors: _Errors) -> None:
    records = _csv_records(lines, errors)
    parsed = _csv_header(records, _CSV_COLUMNS, 2, errors)
    if parsed is None:
        return
    known, extra = parsed.known, parsed.extra
    type_at, value_at = known["signal_type"], known["value"]
    labels_at, source_at = known.get("labels"), known.get("source")
    provenance_at, added_by_at = known.get("provenance"), known.get("added_by")
    added_at_at, disabled_at = known.get("added_at"), known.get("disabled")
    extra_items = list(extra.items())
    for record in records:
        rows.count(record.line)
        cells = parsed.cells(record, errors)
        if cells is None:
            continue
        raw = _Raw(
            signal_type=cells[type_at],
            value=cells[value_at],
            locate=_record_locator(record, known),
            labels=cells[labels_at] if labels_at is not None else (),
            source=cells[source_at] if source_at is not None else "",
            provenance=cells[provenance_at] if provenance_at is not None else "",
            added_by=cells[added_by_at] if added_by_at is not None else "",
            added_at=cells[added_at_at] if added_at_at is not None else None,
            disabled=cells[disabled_at] if disabled_at is not None else False,
            metadata={key: cells[i] for key, i in extra_items} if extra_items else {},
        )
        row = _make_row(raw, errors)
        rows.add(row, record.line_of(value_at) if row is not None else 0)


def _read_threatexchange(
    lines: Sequence[str], signal_type: SignalType | None, rows: _Rows, errors: _Errors
) -> None:
    names = {"signal_type": "signal type", "value": "signal"}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text:
            continue
        rows.count(number)
        metadata: dict[str, str] = {}
        type_raw: str | SignalType
        if signal_type is not None:
            type_raw, value = signal_type, text
        else:
            parts = text.split(None, 1)
            if parts[0].upper() in _ROTATIONS and parts[0].lower() not in _NAME_TO_TYPE:
                # `threatexchange hash --photo-preprocess rotations`: "<ROTATION> <type> <hash>"
                metadata["rotation"] = parts[0].upper()
                parts = parts[1].split(None, 1) if len(parts) == 2 else []
            if len(parts) != 2:
                hint = ""
                if _HEX_RE.fullmatch(text.lower()):
                    hint = "; for a file of bare hashes, say which signal type they are"
                errors.add(number, None, f"expected '<signal_type> <signal>'{hint}")
                continue
            type_raw, value = parts
        raw = _Raw(
            signal_type=type_raw,
            value=value,
            locate=_same_line(number),
            metadata=metadata,
            names=names,
        )
        rows.add(_make_row(raw, errors), number, "signal")


# threatexchange.exchanges.fetch_state.AggregateSignalOpinionCategory
_OPINION_CATEGORIES: Final = {
    "NEGATIVE_CLASS": 0,
    "INVESTIGATION_SEED": 1,
    "POSITIVE_CLASS": 2,
    "DISPUTED": 3,
}
_CATEGORY_BY_RANK: Final = {rank: name for name, rank in _OPINION_CATEGORIES.items()}
_THREATEXCHANGE_CSV_COLUMNS: Final = ("signal_type", "signal_str", "collab", "category", "tags")


def _aggregate_category(old: str, new: str) -> str:
    """``AggregateSignalOpinionCategory.aggregate``: highest wins, positive+negative disputed."""
    lo, hi = sorted((_OPINION_CATEGORIES[old], _OPINION_CATEGORIES[new]))
    if lo != hi and lo == _OPINION_CATEGORIES["NEGATIVE_CLASS"]:
        return "DISPUTED"
    return _CATEGORY_BY_RANK[hi]


@dataclass
class _Merged:
    """A threatexchange CSV signal seen for one or more collaborations."""

    line: int
    row: BankRow
    collabs: list[str]


def _read_threatexchange_csv(lines: Sequence[str], rows: _Rows, errors: _Errors) -> None:
    records = _csv_records(lines, errors)
    parsed = _csv_header(records, _THREATEXCHANGE_CSV_COLUMNS, 2, errors)
    if parsed is None:
        return
    known, extra = parsed.known, parsed.extra
    # Lindung names the fields differently; map them so errors point at the right cell.
    columns = {
        "signal_type": known["signal_type"],
        "value": known["signal_str"],
        **({"source": known["collab"]} if "collab" in known else {}),
        **({"labels": known["tags"]} if "tags" in known else {}),
        **({"metadata": known["category"]} if "category" in known else {}),
    }
    names = {"value": "signal_str", "source": "collab", "labels": "tags", "metadata": "category"}
    merged: dict[tuple[SignalType, str], _Merged] = {}
    for record in records:
        rows.count(record.line)
        cells = parsed.cells(record, errors)
        if cells is None:
            continue
        locate = _record_locator(record, columns)
        metadata = {key: cells[i] for key, i in extra.items()}
        category = cells[known["category"]].strip().upper() if "category" in known else ""
        if category and category not in _OPINION_CATEGORIES:
            errors.add(
                locate("metadata"),
                "category",
                f"unknown opinion category {_show(category)}; expected one of "
                + ", ".join(_OPINION_CATEGORIES),
            )
            continue
        if category:
            metadata["opinion_category"] = category
        raw = _Raw(
            signal_type=cells[known["signal_type"]],
            value=cells[known["signal_str"]],
            locate=locate,
            labels=cells[known["tags"]].split() if "tags" in known else (),
            source=cells[known["collab"]] if "collab" in known else "",
            metadata=metadata,
            names=names,
        )
        row = _make_row(raw, errors)
        if row is None:
            continue
        seen = merged.get(row.key)
        if seen is None:
            merged[row.key] = _Merged(locate("value"), row, [row.source])
        elif row.source in seen.collabs:
            errors.add(
                locate("value"),
                "signal_str",
                f"duplicate {row.signal_type} signal for collab {_show(row.source)}; "
                f"first given on line {seen.line}",
            )
        else:
            # `dataset -P --csv` prints a signal once per collaboration: fold them together.
            seen.collabs.append(row.source)
            combined = {**row.metadata, **seen.row.metadata}
            old, new = seen.row.metadata.get("opinion_category"), category
            if old and new:
                combined["opinion_category"] = _aggregate_category(old, new)
            seen.row = BankRow(
                signal_type=row.signal_type,
                value=row.value,
                labels=seen.row.labels + row.labels,
                source="; ".join(c for c in seen.collabs if c),
                metadata=combined,
            )
    for item in merged.values():
        rows.add(item.row, item.line, "signal_str")


# ---- HMA JSON --------------------------------------------------------------------------

_HMA_CONTENT_KEYS: Final = frozenset(
    {"id", "signals", "disable_until_ts", "collab_metadata", "original_media_uri", "bank"}
    | {"lindung"}
)
_LINDUNG_KEYS: Final = frozenset(
    {"labels", "source", "provenance", "added_by", "added_at", "metadata"}
)
_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")

_Path = tuple[str | int, ...]


class _DuplicateKeys(dict[str, Any]):
    """A JSON object in which a key appeared more than once (``json`` keeps the last)."""

    duplicate: str = ""


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = dict(pairs)
    if len(result) == len(pairs):
        return result
    flagged = _DuplicateKeys(result)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            flagged.duplicate = key
            break
        seen.add(key)
    return flagged


class _JsonLines:
    """Finds the line of a value inside already-parsed JSON text, only when asked.

    ``json`` reports no positions for valid documents, so this walks the text along one
    path, skipping sibling values with the C decoder. The top-level array's element
    offsets and the newline offsets are computed once, on the first error, so reporting
    many errors in a big file stays linear.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()
        self._top: list[int] | None = None
        self._newlines: list[int] | None = None

    def _ws(self, index: int) -> int:
        match = _WHITESPACE.match(self.text, index)
        return match.end() if match else index

    def _next_item(self, index: int) -> int:
        index = self._ws(index)
        if index < len(self.text) and self.text[index] == ",":
            index = self._ws(index + 1)
        return index

    def _array_items(self, index: int) -> list[int]:
        starts: list[int] = []
        index = self._ws(index + 1)
        while index < len(self.text) and self.text[index] != "]":
            starts.append(index)
            _, index = self.decoder.raw_decode(self.text, index)
            index = self._next_item(index)
        return starts

    def _member(self, index: int, key: str) -> int | None:
        index = self._ws(index + 1)
        while index < len(self.text) and self.text[index] != "}":
            name, index = self.decoder.raw_decode(self.text, index)
            index = self._ws(self._ws(index) + 1)  # past the ':'
            if name == key:
                return index
            _, index = self.decoder.raw_decode(self.text, index)
            index = self._next_item(index)
        return None

    def offset(self, path: _Path) -> int:
        index = self._ws(0)
        for depth, step in enumerate(path):
            char = self.text[index] if index < len(self.text) else ""
            if char == "[" and isinstance(step, int):
                if depth == 0:
                    if self._top is None:
                        self._top = self._array_items(index)
                    items = self._top
                else:
                    items = self._array_items(index)
                if step >= len(items):
                    break
                index = items[step]
            elif char == "{" and isinstance(step, str):
                found = self._member(index, step)
                if found is None:
                    break
                index = found
            else:
                break
        return index

    def line(self, path: _Path) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, self.offset(path)) + 1

    def at(self, path: _Path) -> Callable[[], int]:
        return lambda: self.line(path)


def _read_hma(text: str, rows: _Rows, errors: _Errors) -> None:
    if not text.strip():
        errors.add(0, None, "file is empty; expected HMA bank content JSON")
        return
    try:
        document = json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        errors.add(exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
        return
    except RecursionError:
        errors.add(0, None, "JSON is nested too deeply")
        return
    json_lines = _JsonLines(text)
    if isinstance(document, list):
        for index, item in enumerate(document):
            _read_hma_item((index,), item, json_lines, rows, errors)
    elif isinstance(document, dict):
        _read_hma_item((), document, json_lines, rows, errors)
    else:
        errors.add(1, None, "expected a JSON object or array of HMA bank content")


def _read_hma_item(
    path: _Path, item: Any, json_lines: _JsonLines, rows: _Rows, errors: _Errors
) -> None:
    if not isinstance(item, dict):
        rows.count(json_lines.at(path))
        errors.add(json_lines.line(path), None, "expected an object of signals or bank content")
        return
    is_content = not _HMA_CONTENT_KEYS.isdisjoint(item)
    signals_path = (*path, "signals") if is_content else path
    signals: Any = item.get("signals") if is_content else item
    base = _Raw(signal_type=None, value=None, locate=_same_line(0))
    ok = True

    def bad(sub: _Path, message: str) -> None:
        nonlocal ok
        ok = False
        errors.add(json_lines.line((*path, *sub)), ".".join(map(str, sub)) or None, message)

    extras = item.get("lindung") if is_content else None
    for container, sub in (
        (item, ()),
        (signals, ("signals",) if is_content else ()),
        (extras, ("lindung",)),
        (extras.get("metadata") if isinstance(extras, dict) else None, ("lindung", "metadata")),
    ):
        if isinstance(container, _DuplicateKeys):
            bad(sub, f"key {_show(container.duplicate)} appears twice")
    if not isinstance(signals, dict) or not signals:
        hint = ""
        if is_content and "signals" not in item:
            hint = " (fetch it from HMA with include_signals=true)"
        bad(("signals",) if is_content else (), f"no signals{hint}")
        rows.count(json_lines.at(path))
        return
    if is_content:
        metadata = _read_hma_content(item, base, bad)
        if extras is not None:
            _read_lindung_extras(extras, base, bad)
        else:
            base.metadata = metadata
    for name, value in signals.items():
        where = json_lines.at((*signals_path, name))
        rows.count(where)
        if not ok:
            continue
        label = f"signals.{name}"
        raw = _Raw(
            signal_type=name,
            value=value,
            locate=_hma_locator(json_lines, path, where, has_extras=extras is not None),
            labels=base.labels,
            source=base.source,
            provenance=base.provenance,
            added_by=base.added_by,
            added_at=base.added_at,
            disabled=base.disabled,
            metadata=base.metadata,
            names={"signal_type": label, "value": label, **_LINDUNG_FIELD_NAMES}
            if extras is not None
            else {"signal_type": label, "value": label},
        )
        if not isinstance(value, str):
            errors.add(where(), label, "signal must be a string")
            continue
        rows.add(_make_row(raw, errors), where, label)


_LINDUNG_FIELD_NAMES: Final = {name: f"lindung.{name}" for name in _LINDUNG_KEYS}


def _hma_locator(
    json_lines: _JsonLines, path: _Path, where: Callable[[], int], *, has_extras: bool
) -> Callable[[str], int]:
    """Line of a field: its place in the "lindung" object if it came from there."""

    def locate(name: str) -> int:
        if has_extras and name in _LINDUNG_KEYS:
            return json_lines.line((*path, "lindung", name))
        return where()

    return locate


def _read_hma_content(
    item: dict[str, Any], base: _Raw, bad: Callable[[_Path, str], None]
) -> dict[str, str]:
    """HMA's own content fields (``BankContentResponse``) into ``base``; metadata back."""
    metadata: dict[str, str] = {}
    content_id = item.get("id")
    if isinstance(content_id, int) and not isinstance(content_id, bool):
        metadata["hma_content_id"] = str(content_id)
    elif isinstance(content_id, str) and content_id.strip():
        metadata["hma_content_id"] = content_id.strip()
    elif content_id is not None:
        bad(("id",), "content id must be an integer")
    disable = item.get("disable_until_ts", 1)  # HMA banks new content enabled
    if isinstance(disable, bool) or not isinstance(disable, int) or disable < 0:
        bad(("disable_until_ts",), "must be 0 (disabled), 1 (enabled) or a Unix time")
    elif disable in (0, 1):
        base.disabled = disable == 0
    else:
        # BankContentConfig.enabled: disabled until that time. Keep the time itself too.
        metadata["hma_disable_until_ts"] = str(disable)
        base.disabled = disable > datetime.now(UTC).timestamp()
    collabs = item.get("collab_metadata") or {}
    if isinstance(collabs, dict):
        base.source = "; ".join(sorted(collabs))
    else:
        bad(("collab_metadata",), "must be an object of collaboration name to keys")
    uri = item.get("original_media_uri")
    if isinstance(uri, str):
        if uri:
            metadata["original_media_uri"] = uri
    elif uri is not None:
        bad(("original_media_uri",), "must be a string or null")
    return metadata


def _read_lindung_extras(extras: Any, base: _Raw, bad: Callable[[_Path, str], None]) -> None:
    """Fill ``base`` from the ``"lindung"`` object that :func:`write_bank_file` adds."""
    if not isinstance(extras, dict):
        bad(("lindung",), "must be an object")
        return
    for key in sorted(set(extras) - _LINDUNG_KEYS):
        bad(("lindung", key), f"unknown key; expected one of {', '.join(sorted(_LINDUNG_KEYS))}")
    labels = extras.get("labels", [])
    if isinstance(labels, list) and all(isinstance(x, str) for x in labels):
        base.labels = labels
    else:
        bad(("lindung", "labels"), "must be a list of strings")
    for name in ("source", "provenance", "added_by"):
        value = extras.get(name, "")
        if isinstance(value, str):
            setattr(base, name, value)
        else:
            bad(("lindung", name), "must be a string")
    added_at = extras.get("added_at")
    if added_at is None or isinstance(added_at, str):
        base.added_at = added_at or ""
    else:
        bad(("lindung", "added_at"), "must be an ISO 8601 string or null")
    metadata = extras.get("metadata", {})
    if isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values()):
        base.metadata = metadata
    else:
        bad(("lindung", "metadata"), "must be an object of strings")


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def write_bank_file(rows: Iterable[BankRow], format: BankFormat) -> str:
    """Serialise rows in ``format``; see the module docstring for what each format keeps.

    The threatexchange formats cannot say "disabled", so disabled rows are left out of
    them rather than exported as active signals. Raises ValueError if a row cannot be
    written faithfully (a label with a space in ``threatexchange_csv``, whose tags are
    space-separated).
    """
    format = BankFormat(format)
    items = list(rows)
    for index, row in enumerate(items):
        if not isinstance(row, BankRow):
            raise TypeError(f"row {index} is {type(row).__name__}, not BankRow")
    if format is BankFormat.CSV:
        return _write_csv(items)
    if format is BankFormat.THREATEXCHANGE:
        return "".join(
            f"{threatexchange_name(r.signal_type)} {_threatexchange_value(r)}\n"
            for r in items
            if not r.disabled
        )
    if format is BankFormat.THREATEXCHANGE_CSV:
        return _write_threatexchange_csv(items)
    return _write_hma(items)


def _write_csv(rows: Sequence[BankRow]) -> str:
    extra = sorted({key for row in rows for key in row.metadata})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*_CSV_COLUMNS, *extra])
    for row in rows:
        writer.writerow(
            [
                row.signal_type.value,
                row.value,
                ";".join(row.labels),
                row.source,
                row.provenance,
                row.added_by,
                _format_datetime(row.added_at),
                "true" if row.disabled else "false",
                *(row.metadata.get(key, "") for key in extra),
            ]
        )
    return out.getvalue()


def _write_threatexchange_csv(rows: Sequence[BankRow]) -> str:
    out = io.StringIO()
    # csv.DictWriter's defaults, as `threatexchange dataset -P --csv` uses them (CRLF).
    writer = csv.DictWriter(out, _THREATEXCHANGE_CSV_COLUMNS)
    writer.writeheader()
    for index, row in enumerate(rows):
        if row.disabled:
            continue
        spaced = [label for label in row.labels if any(c.isspace() for c in label)]
        if spaced:
            raise ValueError(
                f"row {index}: label {_show(spaced[0])} contains a space, which "
                "threatexchange's space-separated tags cannot hold"
            )
        category = row.metadata.get("opinion_category", "POSITIVE_CLASS")
        if category not in _OPINION_CATEGORIES:
            raise ValueError(f"row {index}: unknown opinion_category {_show(category)}")
        writer.writerow(
            {
                "signal_type": threatexchange_name(row.signal_type),
                "signal_str": _threatexchange_value(row),
                "collab": row.source,
                "category": category,
                "tags": " ".join(row.labels),
            }
        )
    return out.getvalue()


def _write_hma(rows: Sequence[BankRow]) -> str:
    contents: list[dict[str, Any]] = []
    for row in rows:
        content: dict[str, Any] = {}
        content_id = row.metadata.get("hma_content_id", "")
        if re.fullmatch(r"[0-9]+", content_id):
            content["id"] = int(content_id)
        content["disable_until_ts"] = 0 if row.disabled else 1
        content["collab_metadata"] = {}
        content["original_media_uri"] = row.metadata.get("original_media_uri")
        content["signals"] = {threatexchange_name(row.signal_type): _threatexchange_value(row)}
        content["lindung"] = {
            "labels": list(row.labels),
            "source": row.source,
            "provenance": row.provenance,
            "added_by": row.added_by,
            "added_at": _format_datetime(row.added_at) or None,
            "metadata": dict(row.metadata),
        }
        contents.append(content)
    return json.dumps(contents, indent=2, ensure_ascii=False) + "\n"
