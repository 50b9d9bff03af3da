"""The one exception media hashing raises, with a machine code callers can branch on.

Uploads come from the public and from platforms, so bad input is normal, not exceptional:
an empty upload, a truncated JPEG, a 40 000 x 40 000 PNG built to exhaust memory, a PDF
renamed ``.mp4``. Callers (the scan API, the intake form, the CLI) must be able to turn every
one of these into a clear answer without knowing which decoder failed, so nothing from
Pillow, PyAV/FFmpeg or numpy is allowed to escape: it is wrapped in :class:`MediaError`
with a stable :class:`MediaErrorCode` and a message a person can read. The original
exception stays available as ``__cause__`` for logs.

A low PDQ quality is deliberately *not* an error: the hashes are still computed and
returned, and :attr:`~lindung.detect.media.hashing.MediaHashes.low_quality` is set so policy
can decide (Meta advises not to act on PDQ matches below quality 50).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class MediaErrorCode(StrEnum):
    """Stable machine codes; the API's ``{"error": {"code": ...}}`` uses these verbatim.

    Never rename a value: clients and dashboards branch on them.
    """

    EMPTY_FILE = "empty_file"
    """Zero bytes were supplied."""
    TOO_LARGE = "too_large"
    """More bytes than :attr:`MediaLimits.max_bytes`."""
    UNSUPPORTED_TYPE = "unsupported_type"
    """The content (sniffed from its bytes, never its name) is not an accepted image or video."""
    CORRUPT_FILE = "corrupt_file"
    """The bytes claim a supported type but cannot be decoded (truncated, damaged, forged)."""
    TOO_MANY_PIXELS = "too_many_pixels"
    """Width x height above :attr:`MediaLimits.max_pixels` (decompression-bomb guard)."""
    NO_VIDEO_STREAM = "no_video_stream"
    """A media container that holds no video stream (an audio-only MP4/WebM/Ogg)."""
    UNREADABLE_FILE = "unreadable_file"
    """A path given to ``hash_file`` that is missing, not a regular file, or unreadable."""
    INVALID_HASH = "invalid_hash"
    """A serialized hash (vPDQ text or JSON) that does not parse."""


class MediaError(ValueError):
    """Bad media input, with a stable ``code`` and a human ``message``.

    It subclasses :class:`ValueError` because every cause is a bad value handed in by the
    caller; code that already catches ``ValueError`` keeps working.

    ``details`` carries small, JSON-safe context (a line number, a limit, the sniffed
    type) so the API can fill ``{"error": {"code", "message", "details"}}`` directly.
    """

    code: MediaErrorCode
    message: str
    details: dict[str, Any]

    def __init__(
        self,
        code: MediaErrorCode | str,
        message: str,
        *,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = MediaErrorCode(code)
        self.message = message
        self.details = dict(details or {})

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"MediaError({self.code.value!r}, {self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as ``cls(*args)``; ours needs the code too, so spell it out.
        # Workers send errors across process boundaries, so this has to round-trip.
        return (_rebuild_media_error, (self.code.value, self.message, self.details))

    def to_dict(self) -> dict[str, Any]:
        """The error in the project's one API error shape (the inner object)."""
        return {"code": self.code.value, "message": self.message, "details": dict(self.details)}


def _rebuild_media_error(code: str, message: str, details: dict[str, Any]) -> MediaError:
    return MediaError(code, message, details=details)
