"""Hash uploaded images and videos: MD5, SHA-256, PDQ and vPDQ, with hard limits on bad input.

Why these hashes
    MD5 and SHA-256 find byte-identical copies and are what NCMEC and most hotlines still
    exchange. PDQ (Meta's perceptual photo hash, via the ``pdqhash`` binding of Meta's C++
    reference) finds re-encoded, resized and lightly edited copies; vPDQ (PDQ per sampled
    video frame, see :mod:`lindung.detect.media.video`) does the same for video. Hashes are
    interoperable with python-threatexchange / Hasher-Matcher-Actioner (HMA) banks.

Compatibility with python-threatexchange
    :func:`pdq_hash_image` produces exactly the hash and quality of threatexchange's
    ``pdq_hasher`` (and so ``PdqSignal``) for every image whose pixels it reads faithfully:
    RGB, RGBA (alpha ignored, not composited), L, LA and I;16 images — that is colour and
    grey JPEG, WebP, and RGB/RGBA/grey PNG, BMP and TIFF. The same pixel array is handed to
    the same ``pdqhash.compute`` call, and the 256-bit vector is written as hex in the same
    bit order.

    For three kinds of image threatexchange hashes something other than the picture, and
    Lindung deliberately does not copy it: it converts them to RGB first, which is how the
    expected hashes for Meta's reference images (``shared/reference/pdq/README.txt``) were
    computed, and how any decoder that hands RGB to Meta's C++ hasher behaves:

    * palette images (mode ``P``: every GIF, many PNGs and BMPs) — threatexchange hashes the
      palette *indices* as if they were brightness, so a GIF never matches the same picture
      saved as JPEG;
    * CMYK JPEGs — threatexchange reads C, M, Y as R, G, B and gets roughly the bitwise
      complement of the true hash;
    * 1-bit images — threatexchange hashes 0/1 values, which gives the right bits but
      quality 0, so ``PdqSignal`` silently drops the hash.

EXIF orientation
    Ignored, as threatexchange does: the hash is of the pixels in stored order (the
    reference hashes for Meta's ``exif-rotn`` test photos are of the stored pixels too). A
    phone photo stored sideways with ``Orientation=6`` therefore hashes as stored, which is
    what threatexchange-based hashers put in shared banks. The 8 EXIF orientations are
    exactly the 8 dihedral transforms, so pass ``dihedral=True`` (or use
    :func:`pdq_dihedral_hashes`) to match an image however it is rotated or mirrored.

Multi-frame images
    Only the first frame is hashed (an animated GIF, WebP or APNG; a multi-page TIFF). This
    is the frame every viewer shows as a thumbnail and what threatexchange hashes.

Type sniffing and decoder attack surface
    The type is always taken from the leading bytes, never from the file name or a client's
    Content-Type, and the matching decoder is then named explicitly: Pillow is told the one
    format to use (so it never tries plugins such as EPS, which would run Ghostscript), and
    FFmpeg is given the demuxer name (so it never probes its way into a playlist demuxer
    such as HLS, which opens further local files or URLs named inside the upload).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image

from lindung.detect.media.errors import MediaError, MediaErrorCode
from lindung.detect.signals import Signal, SignalType

if TYPE_CHECKING:
    from lindung.detect.media.video import VideoFrameHash

__all__ = [
    "DIHEDRAL_NAMES",
    "PDQ_MIN_QUALITY",
    "MediaHashes",
    "MediaLimits",
    "PdqHash",
    "SniffedType",
    "hash_bytes",
    "hash_file",
    "pdq_dihedral_hashes",
    "pdq_hash_image",
    "pdq_hash_rgb_array",
    "sniff_media_type",
]

PDQ_MIN_QUALITY: Final = 50
"""Meta's advice: PDQ hashes with quality below 50 come from flat, featureless images and
collide too easily to act on. threatexchange's ``PdqSignal`` drops them; we keep them and
flag them, so a person can still see them."""

DIHEDRAL_NAMES: Final = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flipx",
    "flipy",
    "flipplus1",
    "flipminus1",
)
"""Order of :func:`pdq_dihedral_hashes`. Names are threatexchange's ``RotationType`` values;
in Pillow terms they are: identity, ``ROTATE_90`` (counter-clockwise), ``ROTATE_180``,
``ROTATE_270``, ``FLIP_TOP_BOTTOM`` (flip about the x axis), ``FLIP_LEFT_RIGHT`` (about the
y axis), ``TRANSPOSE`` (about the main diagonal) and ``TRANSVERSE`` (the anti-diagonal)."""

SNIFF_BYTES: Final = 512
"""Leading bytes used to recognise a type; enough for three MPEG-TS packets (3 x 188)."""

_MIB: Final = 1024 * 1024
_HEX_DIGITS: Final = frozenset("0123456789abcdef")
# Modes whose pixels threatexchange passes to pdqhash unchanged (and correctly). Every other
# mode is converted to RGB first; see the module docstring for why.
_PASSTHROUGH_MODES: Final = frozenset({"RGB", "RGBA", "L"})


# --------------------------------------------------------------------------------------
# PDQ
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A 256-bit PDQ hash as 64 lowercase hex digits, with PDQ's 0-100 quality score."""

    hex: str
    quality: int

    def __post_init__(self) -> None:
        if len(self.hex) != 64 or not _HEX_DIGITS.issuperset(self.hex):
            raise ValueError(f"PDQ hash must be 64 lowercase hex digits, got {self.hex!r}")
        if not 0 <= self.quality <= 100:
            raise ValueError(f"PDQ quality must be 0-100, got {self.quality}")

    @property
    def low_quality(self) -> bool:
        """True when Meta advises not to act on matches of this hash (quality < 50)."""
        return self.quality < PDQ_MIN_QUALITY

    def distance(self, other: PdqHash | str) -> int:
        """Hamming distance in bits (0-256); PDQ's usual match threshold is <= 31."""
        other_hex = other.hex if isinstance(other, PdqHash) else other
        return (int(self.hex, 16) ^ int(other_hex, 16)).bit_count()

    def to_dict(self) -> dict[str, Any]:
        return {"hex": self.hex, "quality": self.quality}


def _vector_to_hex(vector: Any) -> str:
    """pdqhash's 256 0/1 ints, most significant bit first, as threatexchange writes them."""
    bits = np.asarray(vector, dtype=np.uint8)
    return np.packbits(bits).tobytes().hex()


def pdq_hash_rgb_array(array: npt.NDArray[np.uint8]) -> PdqHash:
    """PDQ of an ``(height, width, >=3)`` uint8 array whose first three channels are R, G, B.

    This is the primitive both images and video frames go through, so a still image and
    the same picture as a video frame hash identically.
    """
    if array.ndim != 3 or array.shape[2] < 3 or array.dtype != np.uint8:
        raise ValueError(
            f"expected a (height, width, 3) uint8 array, got {array.shape} {array.dtype}"
        )
    vector, quality = pdqhash.compute(array)
    return PdqHash(_vector_to_hex(vector), int(quality))


def _pdq_input_array(image: Image.Image) -> npt.NDArray[np.uint8]:
    """The array threatexchange would hash, except for modes it misreads (see module doc).

    RGB and RGBA go through as-is (pdqhash reads channels 0-2 only, so alpha is ignored
    exactly as ``convert("RGB")`` would); L is repeated into three channels as
    threatexchange does; everything else, including LA and I;16 which threatexchange
    converts too, goes through ``convert("RGB")``.
    """
    if image.mode not in _PASSTHROUGH_MODES:
        try:
            image = image.convert("RGB")
        except Exception as exc:  # Pillow raises ValueError/OSError for modes it can't convert
            raise MediaError(
                MediaErrorCode.UNSUPPORTED_TYPE,
                f"Images with pixel mode {image.mode!r} are not supported.",
                details={"mode": image.mode},
            ) from exc
    array: npt.NDArray[np.uint8] = np.asarray(image, dtype=np.uint8)
    if array.ndim == 2:
        array = np.stack((array, array, array), axis=2)
    return array


def pdq_hash_image(image: Image.Image) -> PdqHash:
    """PDQ hash and quality of a decoded Pillow image, as threatexchange computes them.

    Hashes the frame the image is currently on, in stored pixel order (EXIF orientation is
    ignored). Raises :class:`MediaError` if the pixels cannot be read.
    """
    array = _pdq_input_array(image)
    try:
        return pdq_hash_rgb_array(array)
    except Exception as exc:
        raise MediaError(MediaErrorCode.CORRUPT_FILE, "The image could not be hashed.") from exc


def pdq_dihedral_hashes(image: Image.Image) -> list[PdqHash]:
    """The PDQ hashes of all 8 rotations and mirror images, in :data:`DIHEDRAL_NAMES` order.

    Uses pdqhash's dihedral API, which derives all 8 from one DCT (cheap: about the cost of
    one hash) instead of re-decoding transformed copies. Element 0 equals
    :func:`pdq_hash_image`. Hashing a transformed copy of the image gives the corresponding
    element exactly for rotate90, flipy and flipplus1, and within some bits for the others
    because PDQ's downsampling is not symmetric under a vertical flip: 6-8 bits on Meta's
    reference photo, up to ~25 on hard-edged synthetic pictures, so still inside the usual
    match threshold of 31. All 8 share one quality.
    """
    array = _pdq_input_array(image)
    try:
        vectors, quality = pdqhash.compute_dihedral(array)
    except Exception as exc:
        raise MediaError(MediaErrorCode.CORRUPT_FILE, "The image could not be hashed.") from exc
    return [PdqHash(_vector_to_hex(vector), int(quality)) for vector in vectors]


# --------------------------------------------------------------------------------------
# Limits and results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Hard limits that keep one hostile upload from exhausting a worker.

    ``max_pixels`` guards against decompression bombs: a 100 KB PNG can declare
    40 000 x 40 000 pixels (1.6 GB decoded); it is checked from the header, before any
    pixel is decoded, for images and for every hashed video frame. ``video_max_seconds``
    and ``video_max_frames`` bound decoding time; a longer video is hashed up to the limit
    and reported with ``truncated=True`` rather than refused, because a partial hash still
    finds known material. ``video_max_frames`` exists because a file can declare an
    absurd frame rate, so the time limit alone does not bound the number of decoded frames.
    """

    max_bytes: int = 200 * _MIB
    max_pixels: int = 50_000_000
    video_max_seconds: float = 3600.0
    video_frames_per_second: float = 1.0
    video_max_frames: int = 432_000  # one hour at 120 frames per second

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "video_max_seconds", "video_max_frames"):
            if not getattr(self, name) > 0:
                raise ValueError(f"MediaLimits.{name} must be positive")
        if not 0 < self.video_frames_per_second < float("inf"):
            raise ValueError("MediaLimits.video_frames_per_second must be positive and finite")


DEFAULT_LIMITS: Final = MediaLimits()


@dataclass(frozen=True, slots=True)
class MediaHashes:
    """Everything Lindung hashes from one upload.

    ``pdq`` is set for images only; ``frames`` (vPDQ) for videos only; ``dihedral`` only
    when asked for. ``low_quality`` is true when no PDQ hash is good enough to act on (the
    image's quality, or every frame's, is below :data:`PDQ_MIN_QUALITY`). ``truncated`` is
    true when a video was only partly hashed (a limit was reached, or decoding failed part
    way) so policy can route it to a person instead of trusting "no match".
    """

    media_type: Literal["image", "video"]
    mime: str
    size: int
    md5: str
    sha256: str
    pdq: PdqHash | None = None
    dihedral: tuple[PdqHash, ...] = ()
    frames: tuple[VideoFrameHash, ...] = ()
    low_quality: bool = False
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with a stable key set (``None``/empty values are kept, not dropped)."""
        return {
            "media_type": self.media_type,
            "mime": self.mime,
            "size": self.size,
            "md5": self.md5,
            "sha256": self.sha256,
            "pdq": self.pdq.to_dict() if self.pdq is not None else None,
            "dihedral": [h.to_dict() for h in self.dihedral],
            "frames": [f.to_dict() for f in self.frames],
            "low_quality": self.low_quality,
            "truncated": self.truncated,
        }

    def to_signals(self) -> tuple[Signal, ...]:
        """The hashes as shared :class:`~lindung.detect.signals.Signal` values for matching.

        The vPDQ signal's value is the vPDQ frame text, Lindung's canonical bank form (the
        same string as ``lindung.detect.bankfile.format_vpdq``); use
        :func:`~lindung.detect.media.video.frames_to_vpdq_json` for HMA's JSON form.
        Dihedral variants are query aids, not signals of this content, so they are left out.
        """
        signals = [Signal(SignalType.MD5, self.md5), Signal(SignalType.SHA256, self.sha256)]
        if self.pdq is not None:
            signals.append(Signal(SignalType.PDQ, self.pdq.hex, self.pdq.quality))
        if self.frames:
            from lindung.detect.media.video import frames_to_vpdq_text

            signals.append(Signal(SignalType.VPDQ, frames_to_vpdq_text(self.frames)))
        return tuple(signals)


# --------------------------------------------------------------------------------------
# Type sniffing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SniffedType:
    """What the leading bytes say a file is, and which decoder to hand it to.

    ``decoder`` is a Pillow format name for images and an FFmpeg demuxer name for videos.
    """

    media_type: Literal["image", "video"]
    mime: str
    decoder: str


# BITMAPCOREHEADER, BITMAPINFOHEADER, v2, v3, OS/2 v2, v4, v5: a real BMP has one of these
# at offset 14, which stops any text that happens to start with "BM" passing as an image.
_BMP_DIB_HEADER_SIZES: Final = frozenset({12, 40, 52, 56, 64, 108, 124})
# ISO-BMFF brands of HEIF/AVIF still images, which share MP4's "ftyp" box.
_HEIF_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
    | {b"avif", b"avis", b"avci"}
)
_QUICKTIME_BOXES: Final = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_ASF_GUID: Final = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")


def _is_mpegts(head: bytes, packet: int, offset: int) -> bool:
    """Sync byte 0x47 at the start of (at least two, all available of the first three) packets."""
    positions = [offset + packet * i for i in range(3)]
    present = [p for p in positions if p < len(head)]
    return len(present) >= 2 and all(head[p] == 0x47 for p in present)


def sniff_media_type(head: bytes) -> SniffedType | None:
    """Recognise an accepted image or video container from its first :data:`SNIFF_BYTES`.

    Returns ``None`` for anything else. Magic numbers only: no decoder runs here.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return SniffedType("image", "image/jpeg", "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return SniffedType("image", "image/png", "PNG")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return SniffedType("image", "image/gif", "GIF")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return SniffedType("image", "image/webp", "WEBP")
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_DIB_HEADER_SIZES:
        return SniffedType("image", "image/bmp", "BMP")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return SniffedType("image", "image/tiff", "TIFF")

    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return None
        if brand == b"qt  ":
            return SniffedType("video", "video/quicktime", "mov")
        if brand.startswith(b"3gp"):
            return SniffedType("video", "video/3gpp", "mov")
        if brand.startswith(b"3g2"):
            return SniffedType("video", "video/3gpp2", "mov")
        return SniffedType("video", "video/mp4", "mov")
    if head[4:8] in _QUICKTIME_BOXES:
        return SniffedType("video", "video/quicktime", "mov")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # The EBML header's DocType says WebM or Matroska; both use FFmpeg's matroska demuxer.
        mime = "video/webm" if b"webm" in head[:64] else "video/x-matroska"
        return SniffedType("video", mime, "matroska")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return SniffedType("video", "video/x-msvideo", "avi")
    if _is_mpegts(head, 188, 0) or _is_mpegts(head, 192, 4):
        return SniffedType("video", "video/mp2t", "mpegts")
    if head.startswith(b"\x00\x00\x01\xba"):
        return SniffedType("video", "video/mpeg", "mpeg")
    if head.startswith(b"FLV\x01"):
        return SniffedType("video", "video/x-flv", "flv")
    if head.startswith(b"OggS"):
        return SniffedType("video", "video/ogg", "ogg")
    if head.startswith(_ASF_GUID):
        return SniffedType("video", "video/x-ms-asf", "asf")
    return None


def _unsupported(head: bytes, details: dict[str, Any]) -> MediaError:
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        message = "HEIF/HEIC/AVIF images are not supported yet; convert them to JPEG or PNG."
    else:
        message = (
            "Unsupported file type: expected a JPEG, PNG, GIF, WebP, BMP or TIFF image, or an "
            "MP4/MOV, WebM/MKV, AVI, MPEG-TS/PS, FLV, Ogg or ASF video."
        )
    return MediaError(MediaErrorCode.UNSUPPORTED_TYPE, message, details=details)


def _sniff_or_raise(head: bytes, details: dict[str, Any]) -> SniffedType:
    sniffed = sniff_media_type(head)
    if sniffed is None:
        raise _unsupported(head, details)
    return sniffed


def _check_size(size: int, limits: MediaLimits, details: dict[str, Any]) -> None:
    if size == 0:
        raise MediaError(MediaErrorCode.EMPTY_FILE, "The file is empty.", details=details)
    if size > limits.max_bytes:
        raise MediaError(
            MediaErrorCode.TOO_LARGE,
            f"The file is {size} bytes; the limit is {limits.max_bytes} bytes.",
            details={**details, "size": size, "max_bytes": limits.max_bytes},
        )


def _check_pixels(width: int, height: int, max_pixels: int, details: dict[str, Any]) -> None:
    if width * height > max_pixels:
        raise MediaError(
            MediaErrorCode.TOO_MANY_PIXELS,
            f"The picture is {width}x{height} pixels; the limit is {max_pixels} pixels.",
            details={**details, "width": width, "height": height, "max_pixels": max_pixels},
        )


# --------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------


def _decode_image(
    source: IO[bytes], sniffed: SniffedType, limits: MediaLimits, details: dict[str, Any]
) -> npt.NDArray[np.uint8]:
    """Decode the first frame, under the pixel limit, into the array PDQ hashes.

    A separate function so the Pillow image is freed before hashing starts: pdqhash then
    reuses that memory for its large float temporaries, which measured ~30% faster per
    image than hashing while the decoded image is still alive.
    """
    try:
        # formats=[...] pins the decoder to the sniffed type: Pillow never tries other plugins.
        with Image.open(source, formats=[sniffed.decoder]) as image:
            # open() has read only the header, so this runs before any pixel is decoded.
            _check_pixels(image.width, image.height, limits.max_pixels, details)
            image.load()
            return _pdq_input_array(image)
    except MediaError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow's own, larger, process-wide limit; reported the same way as ours.
        raise MediaError(
            MediaErrorCode.TOO_MANY_PIXELS,
            "The picture declares too many pixels (decompression-bomb guard).",
            details=details,
        ) from exc
    except Exception as exc:
        raise MediaError(
            MediaErrorCode.CORRUPT_FILE,
            f"The file looks like {sniffed.mime} but could not be decoded "
            "(it may be truncated or damaged).",
            details={**details, "mime": sniffed.mime},
        ) from exc


def _hash_image(
    source: IO[bytes],
    sniffed: SniffedType,
    limits: MediaLimits,
    dihedral: bool,
    details: dict[str, Any],
) -> tuple[PdqHash, tuple[PdqHash, ...]]:
    """PDQ of the first frame and, if asked, its 8 dihedral variants."""
    array = _decode_image(source, sniffed, limits, details)
    try:
        if not dihedral:
            return pdq_hash_rgb_array(array), ()
        # One DCT gives all 8 variants; element 0 is the plain hash.
        vectors, quality = pdqhash.compute_dihedral(array)
        variants = tuple(PdqHash(_vector_to_hex(v), int(quality)) for v in vectors)
        return variants[0], variants
    except Exception as exc:
        raise MediaError(
            MediaErrorCode.CORRUPT_FILE, "The image could not be hashed.", details=details
        ) from exc


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------


def _md5(data: bytes) -> Any:
    # usedforsecurity=False: MD5 here is a content identifier for exchange with hotlines,
    # not a security control, and FIPS-mode OpenSSL refuses MD5 otherwise.
    return hashlib.md5(data, usedforsecurity=False)


def hash_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
    dihedral: bool = False,
) -> MediaHashes:
    """Hash an uploaded image or video held in memory.

    The type is sniffed from ``data``; ``filename`` is never used to decide it and only
    annotates error details. MD5 and SHA-256 are over the raw bytes exactly as received.
    Images get a PDQ hash (plus the 8 dihedral hashes if ``dihedral``); videos get vPDQ
    frame hashes sampled at ``limits.video_frames_per_second`` (``dihedral`` is ignored
    for videos). Any bad input raises :class:`MediaError`.
    """
    details: dict[str, Any] = {"filename": filename} if filename else {}
    _check_size(len(data), limits, details)
    sniffed = _sniff_or_raise(data[:SNIFF_BYTES], details)
    md5 = _md5(data).hexdigest()
    sha256 = hashlib.sha256(data).hexdigest()
    if sniffed.media_type == "image":
        pdq, variants = _hash_image(io.BytesIO(data), sniffed, limits, dihedral, details)
        return MediaHashes(
            media_type="image",
            mime=sniffed.mime,
            size=len(data),
            md5=md5,
            sha256=sha256,
            pdq=pdq,
            dihedral=variants,
            low_quality=pdq.low_quality,
        )
    return _video_hashes(io.BytesIO(data), sniffed, len(data), md5, sha256, limits, details)


def hash_file(
    path: str | os.PathLike[str],
    *,
    limits: MediaLimits = DEFAULT_LIMITS,
    dihedral: bool = False,
) -> MediaHashes:
    """Hash an image or video file; same result as :func:`hash_bytes` on its contents.

    The size limit is checked from ``stat`` before anything is read. Images (bounded by
    ``max_bytes``) are read into memory once; videos are streamed, so a large video is
    never held in memory whole. Both digests and the decoder read through one open file
    handle, so a path swapped mid-way cannot make the digests and the perceptual hash
    describe different files. The file must not be modified while it is hashed.
    """
    file_path = Path(path)
    details: dict[str, Any] = {"filename": file_path.name}
    try:
        info = file_path.stat()
    except OSError as exc:
        raise MediaError(
            MediaErrorCode.UNREADABLE_FILE,
            f"Cannot read {file_path.name!r}: {exc.strerror or exc}.",
            details=details,
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise MediaError(
            MediaErrorCode.UNREADABLE_FILE,
            f"{file_path.name!r} is not a regular file.",
            details=details,
        )
    _check_size(info.st_size, limits, details)
    try:
        handle = file_path.open("rb")
    except OSError as exc:
        raise MediaError(
            MediaErrorCode.UNREADABLE_FILE,
            f"Cannot read {file_path.name!r}: {exc.strerror or exc}.",
            details=details,
        ) from exc
    with handle:
        head = handle.read(SNIFF_BYTES)
        sniffed = _sniff_or_raise(head, details)
        if sniffed.media_type == "image":
            # Read one byte past the limit so a file that grew since stat() is still refused.
            data = head + handle.read(limits.max_bytes + 1 - len(head))
            return hash_bytes(data, filename=file_path.name, limits=limits, dihedral=dihedral)
        md5, sha256 = _md5(b""), hashlib.sha256()
        size = 0
        handle.seek(0)
        while chunk := handle.read(_MIB):
            size += len(chunk)
            if size > limits.max_bytes:
                _check_size(size, limits, details)
            md5.update(chunk)
            sha256.update(chunk)
        _check_size(size, limits, details)
        handle.seek(0)
        return _video_hashes(
            handle, sniffed, size, md5.hexdigest(), sha256.hexdigest(), limits, details
        )


def _video_hashes(
    source: IO[bytes],
    sniffed: SniffedType,
    size: int,
    md5: str,
    sha256: str,
    limits: MediaLimits,
    details: dict[str, Any],
) -> MediaHashes:
    # Imported here because video.py builds on this module's PDQ primitives.
    from lindung.detect.media.video import decode_and_hash_video

    result = decode_and_hash_video(
        source,
        sniffed,
        frames_per_second=limits.video_frames_per_second,
        max_seconds=limits.video_max_seconds,
        max_pixels=limits.max_pixels,
        max_frames=limits.video_max_frames,
        details=details,
    )
    return MediaHashes(
        media_type="video",
        mime=sniffed.mime,
        size=size,
        md5=md5,
        sha256=sha256,
        frames=tuple(result.frames),
        low_quality=not any(f.quality >= PDQ_MIN_QUALITY for f in result.frames),
        truncated=result.truncated,
    )
