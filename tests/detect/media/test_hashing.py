"""Tests for image hashing in lindung.detect.media.hashing (no Django).

All media is generated here (gradients, shapes, seeded noise); the only files read from disk
are Meta's published PDQ reference images, when present.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from threatexchange.content_type.photo import PhotoContent
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file
from threatexchange.signal_type.pdq.signal import PdqSignal

from lindung.detect.media.errors import MediaError, MediaErrorCode
from lindung.detect.media.hashing import (
    DIHEDRAL_NAMES,
    PDQ_MIN_QUALITY,
    MediaHashes,
    MediaLimits,
    PdqHash,
    hash_bytes,
    hash_file,
    pdq_dihedral_hashes,
    pdq_hash_image,
    sniff_media_type,
)
from lindung.detect.signals import SignalType

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "pdq"

# ---------------------------------------------------------------------------- helpers


def picture(width: int = 320, height: int = 240, seed: int = 0) -> Image.Image:
    """A benign synthetic picture: two gradients and a few large shapes."""
    rng = np.random.default_rng(seed)
    pixels = np.zeros((height, width, 3), dtype=np.float64)
    pixels[..., 0] = np.linspace(0, 255, width)[None, :]
    pixels[..., 1] = np.linspace(255, 0, height)[:, None]
    pixels[..., 2] = rng.integers(0, 256)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x0, y0 = int(rng.integers(0, width // 2)), int(rng.integers(0, height // 2))
        x1 = x0 + int(rng.integers(width // 6, width // 2))
        y1 = y0 + int(rng.integers(height // 6, height // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.integers(0, 2):
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    return image


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    if fmt == "GIF" and image.mode == "RGB":
        image = to_palette(image)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def to_palette(image: Image.Image) -> Image.Image:
    """Palette version; Pillow's default median cut takes ~0.3 s on a gradient, octree ~1 ms."""
    return image.quantize(256, method=Image.Quantize.FASTOCTREE)


def with_png_size(png: bytes, width: int, height: int) -> bytes:
    """The same PNG with a forged IHDR size (and a valid CRC): a decompression-bomb header."""
    assert png[12:16] == b"IHDR"
    ihdr = struct.pack(">II", width, height) + png[24:29]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return png[:16] + ihdr + crc + png[33:]


def error_code(excinfo: pytest.ExceptionInfo[MediaError]) -> str:
    return str(excinfo.value.code)


# ------------------------------------------------------------------- accepted formats

FORMATS = [
    ("JPEG", "image/jpeg", {"quality": 92}),
    ("PNG", "image/png", {}),
    ("GIF", "image/gif", {}),
    ("WEBP", "image/webp", {"quality": 90}),
    ("BMP", "image/bmp", {}),
    ("TIFF", "image/tiff", {}),
]


@pytest.mark.parametrize(("fmt", "mime", "params"), FORMATS, ids=[f[0] for f in FORMATS])
def test_every_accepted_image_format_is_hashed(
    fmt: str, mime: str, params: dict[str, object]
) -> None:
    image = picture()
    data = encode(image, fmt, **params)
    result = hash_bytes(data)
    assert result.media_type == "image"
    assert result.mime == mime
    assert result.size == len(data)
    assert result.md5 == hashlib.md5(data).hexdigest()
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.pdq is not None and result.pdq.quality >= PDQ_MIN_QUALITY
    assert not result.low_quality
    assert result.frames == () and result.dihedral == ()
    # Lossy or palette encoding moves the hash a few bits, far inside the match threshold.
    assert result.pdq.distance(pdq_hash_image(image)) <= 16


def test_type_is_sniffed_from_content_not_filename() -> None:
    data = encode(picture(), "PNG")
    result = hash_bytes(data, filename="holiday.jpg")
    assert result.mime == "image/png"
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(b"%PDF-1.7\n" + b"x" * 100, filename="photo.jpg")
    assert error_code(excinfo) == "unsupported_type"
    assert excinfo.value.details["filename"] == "photo.jpg"


# ------------------------------------------------------- threatexchange compatibility

TE_CASES = [
    ("JPEG", "RGB"),
    ("JPEG", "L"),
    ("PNG", "RGB"),
    ("PNG", "RGBA"),
    ("PNG", "L"),
    ("PNG", "LA"),
    ("PNG", "I;16"),
    ("WEBP", "RGB"),
    ("WEBP", "RGBA"),
    ("BMP", "RGB"),
    ("TIFF", "RGB"),
    ("TIFF", "RGBA"),
]


@pytest.mark.parametrize(("fmt", "mode"), TE_CASES, ids=[f"{f}-{m}" for f, m in TE_CASES])
def test_identical_to_threatexchange(tmp_path: Path, fmt: str, mode: str) -> None:
    image = picture(seed=3)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(image.size))
    elif mode == "I;16":
        image = Image.fromarray(np.asarray(image.convert("L"), dtype=np.uint16) * 200)
        assert image.mode == "I;16"
    else:
        image = image.convert(mode)
    path = tmp_path / f"picture.{fmt.lower()}"
    image.save(path, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    ours = hash_file(path).pdq
    assert ours is not None
    assert (ours.hex, ours.quality) == pdq_from_file(path)
    if ours.quality >= PdqSignal.QUALITY_THRESHOLD:
        assert PdqSignal.hash_from_file(path) == ours.hex


@pytest.mark.parametrize("kind", ["GIF", "PNG-P", "PNG-1", "JPEG-CMYK"])
def test_modes_threatexchange_misreads_hash_the_visible_picture(kind: str) -> None:
    """Palette, 1-bit and CMYK images hash as the picture they show (documented divergence).

    threatexchange hashes palette indices / raw CMY channels / 0-1 values for these, so
    its hash of a GIF does not match the same picture as a JPEG. Ours does.
    """
    image = picture(seed=4)
    if kind == "GIF":
        data = encode(image, "GIF")
    elif kind == "PNG-P":
        data = encode(to_palette(image), "PNG")
    elif kind == "PNG-1":
        image = image.convert("L").point(lambda v: 255 if v > 127 else 0)
        data = encode(image.convert("1"), "PNG")
    else:
        data = encode(image.convert("CMYK"), "JPEG", quality=95)
    result = hash_bytes(data)
    assert result.pdq is not None
    assert result.pdq.quality >= PDQ_MIN_QUALITY
    assert result.pdq.distance(pdq_hash_image(image.convert("RGB"))) <= 16
    with Image.open(io.BytesIO(data)) as decoded:
        assert result.pdq == pdq_hash_image(decoded.convert("RGB"))


def test_exif_orientation_is_ignored_like_threatexchange(tmp_path: Path) -> None:
    image = picture(seed=5)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    path = tmp_path / "sideways.jpg"
    image.save(path, "JPEG", exif=exif.tobytes())
    result = hash_file(path)
    assert result.pdq is not None
    assert (result.pdq.hex, result.pdq.quality) == pdq_from_file(path)
    with Image.open(path) as stored:
        assert result.pdq == pdq_hash_image(stored)


# --------------------------------------------------------------------------- dihedral

# Pillow transform -> index in DIHEDRAL_NAMES.
TRANSFORMS = {
    Image.Transpose.ROTATE_90: 1,
    Image.Transpose.ROTATE_180: 2,
    Image.Transpose.ROTATE_270: 3,
    Image.Transpose.FLIP_TOP_BOTTOM: 4,
    Image.Transpose.FLIP_LEFT_RIGHT: 5,
    Image.Transpose.TRANSPOSE: 6,
    Image.Transpose.TRANSVERSE: 7,
}


def test_dihedral_hashes_cover_every_rotation_and_flip() -> None:
    image = picture(seed=6)
    variants = pdq_dihedral_hashes(image)
    assert len(variants) == len(DIHEDRAL_NAMES) == 8
    assert variants[0] == pdq_hash_image(image)
    assert len({v.hex for v in variants}) == 8
    for transform, index in TRANSFORMS.items():
        transformed = pdq_hash_image(image.transpose(transform))
        distances = [transformed.distance(v) for v in variants]
        assert distances.index(min(distances)) == index, DIHEDRAL_NAMES[index]
        # Exact for some transforms; PDQ's downsampling is not symmetric under the others,
        # which costs up to ~25 bits on hard-edged synthetic pictures (6-8 on photos).
        assert distances[index] <= 31, DIHEDRAL_NAMES[index]


def test_hash_bytes_dihedral_only_on_request() -> None:
    data = encode(picture(seed=7), "PNG")
    plain = hash_bytes(data)
    assert plain.dihedral == ()
    with_variants = hash_bytes(data, dihedral=True)
    assert with_variants.pdq == plain.pdq
    assert len(with_variants.dihedral) == 8
    assert with_variants.dihedral[0] == plain.pdq
    rotated = hash_bytes(encode(picture(seed=7).transpose(Image.Transpose.ROTATE_90), "PNG"))
    assert rotated.pdq is not None
    assert min(rotated.pdq.distance(v) for v in with_variants.dihedral) <= 16
    assert rotated.pdq.distance(plain.pdq) > 31


# ------------------------------------------------------------------------ low quality


def test_flat_image_is_flagged_low_quality_not_rejected() -> None:
    result = hash_bytes(encode(Image.new("RGB", (200, 150), (120, 130, 140)), "PNG"))
    assert result.pdq is not None
    assert result.pdq.quality < PDQ_MIN_QUALITY
    assert result.pdq.low_quality and result.low_quality


def test_tiny_image_is_low_quality() -> None:
    result = hash_bytes(encode(picture(4, 4), "PNG"))
    assert result.low_quality


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [("GIF", "image/gif"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("MPO", "image/jpeg")],
    ids=["gif", "apng", "animated-webp", "mpo"],
)
def test_multi_frame_images_hash_first_frame(fmt: str, mime: str) -> None:
    first, second = picture(seed=8), picture(seed=9)
    extra = to_palette(second) if fmt == "GIF" else second
    data = encode(first, fmt, save_all=True, append_images=[extra], duration=100)
    with Image.open(io.BytesIO(data)) as multi:
        assert getattr(multi, "n_frames", 1) == 2
    result = hash_bytes(data)
    assert result.mime == mime
    assert result.pdq is not None
    assert result.pdq.distance(pdq_hash_image(first)) <= 16
    assert result.pdq.distance(pdq_hash_image(second)) > 31


# ----------------------------------------------------------------------------- errors


def test_empty_file() -> None:
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(b"")
    assert error_code(excinfo) == "empty_file"


def test_oversize_file() -> None:
    data = encode(picture(), "PNG")
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(data, limits=MediaLimits(max_bytes=len(data) - 1))
    assert error_code(excinfo) == "too_large"
    assert excinfo.value.details["max_bytes"] == len(data) - 1
    assert hash_bytes(data, limits=MediaLimits(max_bytes=len(data))).size == len(data)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"])
def test_truncated_image_is_corrupt(fmt: str) -> None:
    data = encode(picture(), fmt)
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(data[: len(data) // 3])
    assert error_code(excinfo) == "corrupt_file"
    assert isinstance(excinfo.value.__cause__, Exception)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
        b"GIF89a" + b"\xff" * 50,
        b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x01" * 40,
        b"II*\x00" + b"\x07" * 64,
    ],
    ids=["jpeg", "png", "gif", "webp", "tiff"],
)
@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about damaged TIFF tags
def test_magic_number_with_garbage_is_corrupt(data: bytes) -> None:
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(data)
    assert error_code(excinfo) == "corrupt_file"


@pytest.mark.parametrize(
    "data",
    [
        b"hello, world\n" * 20,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"PK\x03\x04" + b"\x00" * 60,
        b"BM not really a bitmap, just text" * 3,
        b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40,
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40,
        bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)),
    ],
    ids=["text", "pdf", "zip", "bm-text", "wav", "heic", "random"],
)
def test_unknown_type_is_unsupported(data: bytes) -> None:
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(data)
    assert error_code(excinfo) == "unsupported_type"


def test_heic_gets_a_specific_message() -> None:
    with pytest.raises(MediaError, match="HEIF"):
        hash_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40)


def test_decompression_bomb_refused_from_header() -> None:
    png = encode(picture(64, 64), "PNG")
    # 8000 x 8000 = 64 Mpx: above our 50 Mpx default, below Pillow's own warning limit.
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(with_png_size(png, 8000, 8000))
    assert error_code(excinfo) == "too_many_pixels"
    assert excinfo.value.details["width"] == 8000
    # 40 000 x 40 000 trips Pillow's own (process-wide) guard first; same code either way.
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(with_png_size(png, 40_000, 40_000), limits=MediaLimits(max_pixels=10**10))
    assert error_code(excinfo) == "too_many_pixels"


def test_pixel_limit_is_configurable() -> None:
    data = encode(picture(100, 100), "PNG")
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(data, limits=MediaLimits(max_pixels=9_999))
    assert error_code(excinfo) == "too_many_pixels"
    assert hash_bytes(data, limits=MediaLimits(max_pixels=10_000)).pdq is not None


_FUZZ_SEEDS = [encode(picture(48, 40, seed=11), fmt) for fmt, _, _ in FORMATS]


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about damaged TIFF tags
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_FUZZ_SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.integers(1, 10_000),
)
def test_damaged_images_raise_only_media_error(
    seed: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(seed[: max(1, min(cut, len(seed)))])
    for position, value in edits:
        data[position % len(data)] = value
    try:
        result = hash_bytes(bytes(data), limits=MediaLimits(max_pixels=2_000_000))
    except MediaError as exc:
        assert exc.code in MediaErrorCode
    else:
        assert isinstance(result, MediaHashes)


# -------------------------------------------------------------------------- hash_file


def test_hash_file_equals_hash_bytes(tmp_path: Path) -> None:
    data = encode(picture(seed=12), "JPEG")
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    assert hash_file(path, dihedral=True) == hash_bytes(data, dihedral=True)


def test_hash_file_size_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(encode(picture(), "PNG"))
    with pytest.raises(MediaError) as excinfo:
        hash_file(path, limits=MediaLimits(max_bytes=10))
    assert error_code(excinfo) == "too_large"
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(MediaError) as excinfo:
        hash_file(empty)
    assert error_code(excinfo) == "empty_file"


@pytest.mark.parametrize("name", ["missing.jpg", "."])
def test_hash_file_unreadable(tmp_path: Path, name: str) -> None:
    with pytest.raises(MediaError) as excinfo:
        hash_file(tmp_path / name)
    assert error_code(excinfo) == "unreadable_file"


# ---------------------------------------------------------------------- types, output


def test_sniffing_table() -> None:
    assert sniff_media_type(b"\xff\xd8\xff\xdb") is not None
    assert sniff_media_type(b"") is None
    assert sniff_media_type(b"\x00\x00\x00\x20ftypisom") == sniff_media_type(
        b"\x00\x00\x00\x1cftypmp42"
    )
    sniffed = sniff_media_type(b"\x00\x00\x00\x14ftypqt  ")
    assert sniffed is not None and sniffed.mime == "video/quicktime"


def test_media_error_shape_and_pickling() -> None:
    error = MediaError("corrupt_file", "Broken.", details={"line": 3})
    assert issubclass(MediaError, ValueError)
    assert error.code is MediaErrorCode.CORRUPT_FILE
    assert str(error) == "Broken."
    assert error.to_dict() == {"code": "corrupt_file", "message": "Broken.", "details": {"line": 3}}
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.code, clone.message, clone.details) == (error.code, error.message, error.details)
    with pytest.raises(ValueError):
        MediaError("not_a_code", "x")


def test_to_dict_is_json_with_stable_keys() -> None:
    result = hash_bytes(encode(picture(seed=13), "PNG"), dihedral=True)
    payload = result.to_dict()
    assert list(payload) == [
        "media_type",
        "mime",
        "size",
        "md5",
        "sha256",
        "pdq",
        "dihedral",
        "frames",
        "low_quality",
        "truncated",
    ]
    assert result.pdq is not None
    assert payload["pdq"] == {"hex": result.pdq.hex, "quality": result.pdq.quality}
    assert len(payload["dihedral"]) == 8
    assert json.loads(json.dumps(payload)) == payload


def test_to_signals() -> None:
    result = hash_bytes(encode(picture(seed=14), "PNG"))
    signals = {s.signal_type: s for s in result.to_signals()}
    assert set(signals) == {SignalType.MD5, SignalType.SHA256, SignalType.PDQ}
    assert result.pdq is not None
    assert signals[SignalType.PDQ].value == result.pdq.hex
    assert signals[SignalType.PDQ].quality == result.pdq.quality


def test_value_types_validate() -> None:
    with pytest.raises(ValueError):
        PdqHash("ABC", 100)
    with pytest.raises(ValueError):
        PdqHash("0" * 64, 101)
    with pytest.raises(ValueError):
        MediaLimits(max_bytes=0)
    with pytest.raises(ValueError):
        MediaLimits(video_frames_per_second=float("inf"))
    assert PdqHash("0" * 64, 0).distance("f" * 64) == 256


# ------------------------------------------------- Meta's reference images (optional)


def _reference_table() -> list[tuple[str, str, int]]:
    readme = REFERENCE / "README.txt"
    if not readme.is_file():
        return []
    rows = []
    pattern = re.compile(r"^(pdq/data/\S+\.(?:jpg|png|webp|tiff)) \|.*\| ([0-9a-f]{64}) \| q=(\d+)")
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = pattern.match(line)
        if match:
            rows.append((match.group(1), match.group(2), int(match.group(3))))
    return rows


_REFERENCE_ROWS = _reference_table()


def _require_reference() -> None:
    if not _REFERENCE_ROWS:
        pytest.skip(f"Meta's PDQ reference data is not available at {REFERENCE}")


def _reference_params() -> list[object]:
    if not _REFERENCE_ROWS:
        reason = f"Meta's PDQ reference data is not available at {REFERENCE}"
        return [pytest.param("", "", 0, id="absent", marks=pytest.mark.skip(reason=reason))]
    return [
        pytest.param(*row, id=row[0].rsplit("/", 1)[-1], marks=_reference_marks(row[0]))
        for row in _REFERENCE_ROWS
    ]


# Always run: every pixel mode, the small and low-quality files, and one copy of the bridge.
# The rest (the 1600x1004 bridge edits and rotations, and four 12 Mpx EXIF photos) are slow.
_FAST_BRIDGE = {"aaa-orig.jpg", "shrink-a-lot.jpg", "square-128x128.jpg", "square-256x256.jpg"}


def _reference_marks(relative: str) -> list[pytest.MarkDecorator]:
    name = relative.rsplit("/", 1)[-1]
    slow = "/exif-rotn/" in relative or "/dih/" in relative
    slow = slow or ("/bridge-mods/" in relative and name not in _FAST_BRIDGE)
    return [pytest.mark.slow] if slow else []


@pytest.mark.parametrize(("relative", "expected", "quality"), _reference_params())
def test_meta_reference_images(relative: str, expected: str, quality: int) -> None:
    """Identical to pdqhash 0.2.8 on Meta's reference images (README.txt's table).

    The table converts non-RGB/L modes with convert("RGB"), which is what Lindung does.
    exif-rotn/*.jpg are 4032x3024 phone photos with EXIF rotations: the expected hashes
    are of the stored pixels, confirming orientation is ignored.
    """
    path = REFERENCE / relative
    if not path.is_file():
        pytest.skip(f"{relative} is listed but absent from {REFERENCE}")
    result = hash_file(path)
    assert result.pdq == PdqHash(expected, quality)
    assert result.low_quality == (quality < PDQ_MIN_QUALITY)


THREATEXCHANGE_RESOURCES = {
    "LA.png": ("accb6d39648035f8125c8ce6ba65007de7b54c67a2d93ef7b8f33b0611306715", 100),
    "I16.png": ("de2ef0e99ecdfc1d248a0eb055f023d1d61e79c3920cbb55d561c02accab1763", 36),
    "rgb.jpeg": ("fb4eed46cb8a6c78819ca06b756c541f7b07ef6d02c82fccd00f862166272cda", 100),
    "sample-b.jpg": ("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", 100),
}
_TE_DIR = REFERENCE / "python-threatexchange/threatexchange/tests/hashing/resources"


@pytest.mark.parametrize("name", sorted(THREATEXCHANGE_RESOURCES))
def test_threatexchange_test_resources(name: str) -> None:
    path = _TE_DIR / name
    if not path.is_file():
        pytest.skip(f"threatexchange test resource {name} not available under {REFERENCE}")
    assert hash_file(path).pdq == PdqHash(*THREATEXCHANGE_RESOURCES[name])


@pytest.mark.slow
def test_dihedral_against_meta_transformed_files() -> None:
    """Meta's dih/bridge-N files are the original rotated/flipped and re-saved as JPEG."""
    _require_reference()
    folder = REFERENCE / "pdq/data/reg-test-input/dih"
    names = [
        "bridge-1-original.jpg",
        "bridge-2-rotate-90.jpg",
        "bridge-3-rotate-180.jpg",
        "bridge-4-rotate-270.jpg",
        "bridge-5-flipx.jpg",
        "bridge-6-flipy.jpg",
        "bridge-7-flip-plus-1.jpg",
        "bridge-8-flip-minus-1.jpg",
    ]
    if not all((folder / n).is_file() for n in names):
        pytest.skip(f"dih reference images not available under {folder}")
    variants = hash_file(folder / names[0], dihedral=True).dihedral
    for index, name in enumerate(names):
        stored = hash_file(folder / name).pdq
        assert stored is not None
        distances = [stored.distance(v) for v in variants]
        assert distances.index(min(distances)) == index, name
        assert distances[index] <= 16, name


def test_threatexchange_cli_rotations_of_la_png() -> None:
    """Each of threatexchange's re-encoded rotations of LA.png hashes to its CLI's value.

    (LA.png is pure noise, so its rotations are not near pdqhash's dihedral variants: noise
    has no stable low-frequency structure. The dihedral order is checked on a real picture
    in test_dihedral_order_agrees_with_threatexchange_rotation_types.)
    """
    path = _TE_DIR / "LA.png"
    if not path.is_file():
        pytest.skip(f"threatexchange test resource LA.png not available under {REFERENCE}")
    expected = {
        "original": "accb6d39648035f8125c8ce6ba65007de7b54c67a2d93ef7b8f33b0611306715",
        "rotate90": "1f70cbbc77edc5f9524faa1b18f3b76cd0a04a833e20f645d229d0acc8499c56",
        "rotate180": "31ddf2513558de0ae56e4a8c8930cadde2ee084df3aed0a75fa512ea0e41e197",
        "rotate270": "c79931968e880f4b97196df4d5ea0fb489b99e2c10af0dceacf572809b815ea5",
        "flipx": "aaca8605440c4a6735dbbf59b947df92e7bf161807e9cd88baf04579523098ab",
        "flipy": "559f78de2530abbdc663b131ed78f10072c4bb13f3acd6017d0e69150e413e5a",
        "flipplus1": "86a860c1f2bd1a1ec65cf4d10ab55087b4b89f7857da59bbd9200fd5845cc3f9",
        "flipminus1": "5bb15db9e8a1f03c174a380a55aeaa2985bde9c60abce301bde48df918b5c15b",
    }
    rotations = PhotoContent.all_simple_rotations(path.read_bytes())
    for rotation, data in rotations.items():
        result = hash_bytes(data)
        assert result.pdq is not None
        assert result.pdq.hex == expected[rotation.value], rotation.value


def test_dihedral_order_agrees_with_threatexchange_rotation_types() -> None:
    """Our DIHEDRAL_NAMES are threatexchange's RotationType values, in pdqhash's order."""
    data = encode(picture(seed=15), "PNG")
    variants = hash_bytes(data, dihedral=True).dihedral
    rotations = PhotoContent.all_simple_rotations(data)
    assert [r.value for r in rotations] == list(DIHEDRAL_NAMES)
    for index, (rotation, rotated) in enumerate(rotations.items()):
        stored = hash_bytes(rotated).pdq
        assert stored is not None
        distances = [stored.distance(v) for v in variants]
        assert distances.index(min(distances)) == index, rotation.value
        assert distances[index] <= 31, rotation.value
