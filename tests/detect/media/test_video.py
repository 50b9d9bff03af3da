"""Tests for vPDQ video hashing and matching in lindung.detect.media.video (no Django).

Every clip is generated here with PyAV from synthetic frames: each second shows a new
"scene" (gradient background plus a few large shapes) that drifts slowly within the second.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import io
import json
import random
import sys
import types
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from lindung.detect.media import video as video_module
from lindung.detect.media.errors import MediaError
from lindung.detect.media.hashing import MediaLimits, hash_bytes, hash_file, pdq_hash_rgb_array
from lindung.detect.media.video import (
    VideoFrameHash,
    VideoMatch,
    frames_from_vpdq_json,
    frames_from_vpdq_text,
    frames_to_vpdq_json,
    frames_to_vpdq_text,
    hash_video,
    match_video,
)
from lindung.detect.signals import SignalType

# ---------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=512)
def scene(width: int, height: int, seed: int, drift: int = 0) -> np.ndarray:
    """One benign frame: smooth waves and large shapes, shifted ``drift`` pixels.

    Low-frequency waves give PDQ plenty of structure (quality near 100) that survives
    resizing and re-encoding; sharp detail would not.
    """
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width] / max(width, height)
    pixels = np.zeros((height, width, 3))
    for channel in range(3):
        for _ in range(2):
            angle, cycles, phase = rng.uniform(0, np.pi), rng.uniform(1.5, 4), rng.uniform(0, 6.3)
            wave = np.cos(angle) * (xs + drift / width) + np.sin(angle) * ys
            pixels[..., channel] += 60 * np.sin(2 * np.pi * cycles * wave + phase)
    image = Image.fromarray(np.clip(pixels + 128, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(3):
        x0 = int(rng.integers(0, width * 2 // 3)) + drift
        y0 = int(rng.integers(0, height * 2 // 3))
        x1, y1 = x0 + width // 4, y0 + height // 4
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.integers(0, 2):
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    return np.asarray(image)


def make_clip(
    fmt: str = "mp4",
    codec: str = "libx264",
    *,
    seconds: float = 3,
    rate: Fraction | int = 10,
    size: tuple[int, int] = (160, 120),
    seed: int = 0,
    static: bool = False,
    frames: list[np.ndarray] | None = None,
) -> bytes:
    """Encode a clip in memory; ``frames`` overrides the generated scenes."""
    width, height = size
    if frames is None:
        count = round(seconds * float(rate))
        frames = [
            scene(
                width,
                height,
                seed * 1000 + (0 if static else int(i / float(rate))),
                0 if static else i % int(float(rate)),
            )
            for i in range(count)
        ]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as container:
        stream = cast(av.VideoStream, container.add_stream(codec, rate=rate))
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "crf": "18"}
        elif codec == "libvpx":
            stream.options = {"deadline": "realtime", "cpu-used": "8"}
            stream.bit_rate = 2_000_000
        else:
            stream.bit_rate = 2_000_000
        for array in frames:
            frame = av.VideoFrame.from_ndarray(array, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def reencode_smaller(data: bytes, size: tuple[int, int]) -> bytes:
    """Decode, resize every frame with Pillow, encode as MPEG-4 Part 2 in AVI."""
    with av.open(io.BytesIO(data), mode="r") as container:
        frames = [
            np.asarray(
                Image.fromarray(frame.to_ndarray(format="rgb24")).resize(
                    size, Image.Resampling.BILINEAR
                )
            )
            for frame in container.decode(video=0)
        ]
    return make_clip("avi", "mpeg4", size=size, frames=frames)


def random_hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def flip_bits(hex_value: str, count: int, rng: random.Random) -> str:
    value = int(hex_value, 16)
    for bit in rng.sample(range(256), count):
        value ^= 1 << bit
    return f"{value:064x}"


@pytest.fixture(scope="module")
def clip() -> bytes:
    return make_clip(seconds=4)


@pytest.fixture(scope="module")
def clip_frames(clip: bytes) -> list[VideoFrameHash]:
    return hash_video(clip)


# ---------------------------------------------------------------------------- hashing


def test_hash_generated_clip(clip: bytes, clip_frames: list[VideoFrameHash]) -> None:
    assert [f.frame_number for f in clip_frames] == [0, 10, 20, 30]
    assert [f.timestamp for f in clip_frames] == [0.0, 1.0, 2.0, 3.0]
    assert all(f.quality >= 50 for f in clip_frames)
    assert len({f.pdq for f in clip_frames}) == 4

    result = hash_bytes(clip, filename="clip.mp4")
    assert result.media_type == "video"
    assert result.mime == "video/mp4"
    assert result.size == len(clip)
    assert result.md5 == hashlib.md5(clip).hexdigest()
    assert result.sha256 == hashlib.sha256(clip).hexdigest()
    assert result.pdq is None and result.dihedral == ()
    assert list(result.frames) == clip_frames
    assert not result.low_quality and not result.truncated


def test_frame_is_hashed_like_the_same_still_image() -> None:
    frame = scene(160, 120, seed=42)
    data = make_clip("avi", "ffv1", frames=[frame], rate=1, size=(160, 120))
    (hashed,) = hash_video(data)
    # FFV1 in yuv420p loses only chroma resolution; luma survives exactly, so PDQ is close.
    still = hash_bytes(_png(frame)).pdq
    assert still is not None and still.distance(hashed.pdq) <= 8


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


CONTAINERS = [
    ("mp4", "libx264", "video/mp4"),
    ("mov", "libx264", "video/quicktime"),
    ("webm", "libvpx", "video/webm"),
    ("matroska", "mpeg4", "video/x-matroska"),
    ("avi", "mpeg4", "video/x-msvideo"),
    ("mpegts", "mpeg2video", "video/mp2t"),
    ("mpeg", "mpeg2video", "video/mpeg"),
    ("flv", "flv", "video/x-flv"),
    ("asf", "wmv2", "video/x-ms-asf"),
]


@pytest.mark.parametrize(("fmt", "codec", "mime"), CONTAINERS, ids=[c[0] for c in CONTAINERS])
def test_common_containers(
    fmt: str, codec: str, mime: str, clip_frames: list[VideoFrameHash]
) -> None:
    data = make_clip(fmt, codec, seconds=2)
    result = hash_bytes(data)
    assert result.mime == mime
    assert [f.frame_number for f in result.frames] == [0, 10]
    score = match_video(result.frames, clip_frames)
    assert score.query_match_percent == 100.0


def test_sample_rate_is_configurable(clip: bytes) -> None:
    two_per_second = hash_video(clip, frames_per_second=2)
    assert [f.frame_number for f in two_per_second] == [0, 5, 10, 15, 20, 25, 30, 35]
    assert [f.timestamp for f in two_per_second][:3] == [0.0, 0.5, 1.0]
    every_other_second = hash_video(clip, frames_per_second=0.5)
    assert [f.frame_number for f in every_other_second] == [0, 20]
    with pytest.raises(ValueError):
        hash_video(clip, frames_per_second=0)


def test_frame_selection_matches_vpdq_for_ntsc_rate() -> None:
    """vPDQ samples every int(seconds_per_hash * 29.97) = 29th frame, timestamp n / 29.97."""
    data = make_clip(rate=Fraction(30000, 1001), seconds=3, size=(64, 48))
    frames = hash_video(data, collapse_distance=None)
    assert [f.frame_number for f in frames] == [0, 29, 58, 87]
    assert [f.timestamp for f in frames] == [0.0, 0.968, 1.935, 2.903]


def test_path_input(tmp_path: Path, clip: bytes, clip_frames: list[VideoFrameHash]) -> None:
    path = tmp_path / "clip.bin"
    path.write_bytes(clip)
    assert hash_video(path) == clip_frames
    assert hash_video(str(path)) == clip_frames
    assert hash_file(path) == hash_bytes(clip)


# -------------------------------------------------------------------- collapse frames


def test_static_video_collapses_to_one_frame() -> None:
    # Lossless FFV1: every decoded frame is bit-identical, so every hash is too.
    data = make_clip("matroska", "ffv1", static=True, seconds=3)
    assert len(hash_video(data)) == 1
    every = hash_video(data, collapse_distance=None)
    assert len(every) == 3 and len({f.pdq for f in every}) == 1


def test_lossy_static_video_needs_a_small_collapse_distance() -> None:
    # H.264 decodes a still scene a few bits differently from one second to the next.
    data = make_clip(static=True, seconds=3)
    every = hash_video(data, collapse_distance=None)
    assert len(every) == 3
    assert len(hash_video(data, collapse_distance=8)) == 1


def test_default_collapse_does_not_change_matches(clip_frames: list[VideoFrameHash]) -> None:
    static = make_clip("matroska", "ffv1", static=True, seconds=3)
    collapsed, every = hash_video(static), hash_video(static, collapse_distance=None)
    assert len(collapsed) < len(every)
    lossy = hash_video(make_clip(static=True, seconds=3))
    for other in (clip_frames, every, collapsed, lossy):
        assert match_video(collapsed, other) == match_video(every, other)
        assert match_video(other, collapsed) == match_video(other, every)


def test_collapse_distance_compares_with_last_kept_frame(clip: bytes) -> None:
    assert len(hash_video(clip, collapse_distance=256)) == 1
    with pytest.raises(ValueError):
        hash_video(clip, collapse_distance=-1)


# ------------------------------------------------------------------------ matching


def test_reencoded_resized_video_still_matches(
    clip: bytes, clip_frames: list[VideoFrameHash]
) -> None:
    smaller = reencode_smaller(clip, (120, 90))
    result = hash_bytes(smaller)
    assert result.mime == "video/x-msvideo"
    score = match_video(result.frames, clip_frames)
    assert score.query_match_percent >= 80.0
    assert score.compared_match_percent >= 80.0
    assert score.is_match()


def test_different_video_does_not_match(clip_frames: list[VideoFrameHash]) -> None:
    other = hash_video(make_clip(seconds=4, seed=7))
    score = match_video(other, clip_frames)
    assert score.query_match_percent <= 25.0
    assert not score.is_match()


def test_clip_cut_from_longer_video(clip_frames: list[VideoFrameHash]) -> None:
    score = match_video(clip_frames[1:3], clip_frames)
    assert score == VideoMatch(100.0, 50.0)
    assert score.is_match()
    assert not score.is_match(compared_threshold=60.0)


def test_match_semantics_threshold_quality_and_dedupe() -> None:
    rng = random.Random(1)
    base = random_hex(rng)
    near, far = flip_bits(base, 31, rng), flip_bits(base, 32, rng)
    bank = [VideoFrameHash(0, 0.0, base, 100)]
    assert match_video([VideoFrameHash(0, 0.0, near, 100)], bank).query_match_percent == 100.0
    assert match_video([VideoFrameHash(0, 0.0, far, 100)], bank).query_match_percent == 0.0
    assert match_video(
        [VideoFrameHash(0, 0.0, far, 100)], bank, distance_threshold=32
    ) == VideoMatch(100.0, 100.0)
    # Frames below the quality threshold are ignored on both sides.
    low = [VideoFrameHash(0, 0.0, base, 49), VideoFrameHash(1, 1.0, random_hex(rng), 100)]
    assert match_video(low, bank) == VideoMatch(0.0, 0.0)
    assert match_video(low, bank, quality_threshold=0) == VideoMatch(50.0, 100.0)
    # threatexchange de-duplicates first: a repeat keeps the first frame's quality.
    repeat = [VideoFrameHash(0, 0.0, base, 10), VideoFrameHash(1, 1.0, base, 100)]
    assert match_video(repeat, bank) == VideoMatch(0.0, 0.0)
    # Nothing to compare is 0%, not a ZeroDivisionError.
    assert match_video([], bank) == VideoMatch(0.0, 0.0)
    assert match_video(bank, []) == VideoMatch(0.0, 0.0)


def test_blocked_numpy_matching_equals_brute_force(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(2)
    bank_hex = [random_hex(rng) for _ in range(60)]
    query_hex = [flip_bits(rng.choice(bank_hex), rng.randint(0, 45), rng) for _ in range(40)]
    query_hex += [random_hex(rng) for _ in range(10)]
    query = [VideoFrameHash(i, float(i), h, rng.randint(40, 100)) for i, h in enumerate(query_hex)]
    bank = [VideoFrameHash(i, float(i), h, rng.randint(40, 100)) for i, h in enumerate(bank_hex)]
    expected = _brute_force(query, bank)
    assert match_video(query, bank) == expected
    monkeypatch.setattr(video_module, "_MATCH_BLOCK_WORDS", 4 * len(bank) * 3)  # 3-row blocks
    assert match_video(query, bank) == expected


def _brute_force(query: list[VideoFrameHash], bank: list[VideoFrameHash]) -> VideoMatch:
    def unique_good(frames: list[VideoFrameHash]) -> list[int]:
        seen: dict[str, int] = {}
        for f in frames:
            seen.setdefault(f.pdq, f.quality)
        return [int(h, 16) for h, q in seen.items() if q >= 50]

    q, b = unique_good(query), unique_good(bank)
    q_hits = sum(any((x ^ y).bit_count() <= 31 for y in b) for x in q)
    b_hits = sum(any((x ^ y).bit_count() <= 31 for y in q) for x in b)
    return VideoMatch(q_hits * 100 / len(q), b_hits * 100 / len(b))


# --------------------------------------------------------------------------- limits


def test_max_seconds_truncates(clip: bytes) -> None:
    frames = hash_video(clip, max_seconds=1.5)
    assert [f.timestamp for f in frames] == [0.0, 1.0]
    result = hash_bytes(clip, limits=MediaLimits(video_max_seconds=1.5))
    assert list(result.frames) == frames
    assert result.truncated
    assert not hash_bytes(clip).truncated


def test_max_frames_truncates(clip: bytes) -> None:
    result = hash_bytes(clip, limits=MediaLimits(video_max_frames=15))
    assert [f.frame_number for f in result.frames] == [0, 10]
    assert result.truncated


def test_pixel_limit_applies_to_video(clip: bytes) -> None:
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(clip, limits=MediaLimits(max_pixels=160 * 120 - 1))
    assert excinfo.value.code == "too_many_pixels"


def test_size_limit_applies_to_video(tmp_path: Path, clip: bytes) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(clip)
    limits = MediaLimits(max_bytes=len(clip) - 1)
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(clip, limits=limits)
    assert excinfo.value.code == "too_large"
    with pytest.raises(MediaError) as excinfo:
        hash_file(path, limits=limits)
    assert excinfo.value.code == "too_large"


def test_flat_video_is_low_quality() -> None:
    grey = np.full((120, 160, 3), 128, dtype=np.uint8)
    result = hash_bytes(make_clip(frames=[grey] * 20))
    assert result.frames and result.low_quality


# --------------------------------------------------------------------------- errors


def _audio_only(fmt: str, codec: str) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as container:
        stream = cast(av.AudioStream, container.add_stream(codec, rate=48000))
        samples = (np.sin(np.linspace(0, 800 * np.pi, 48000)) * 8000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="s16", layout="mono")
        frame.sample_rate = 48000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "codec"), [("matroska", "pcm_s16le"), ("mp4", "aac"), ("ogg", "libopus")]
)
def test_audio_only_container_has_no_video_stream(fmt: str, codec: str) -> None:
    data = _audio_only(fmt, codec)
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(data)
    assert excinfo.value.code == "no_video_stream"
    with pytest.raises(MediaError):
        hash_video(data)


def test_truncated_mp4_is_corrupt(clip: bytes) -> None:
    # PyAV's MP4 muxer writes the index (moov) last, so the first half cannot be played.
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(clip[: len(clip) // 2])
    assert excinfo.value.code == "corrupt_file"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x00\x00\x20ftypisom" + bytes(range(256)) * 8,
        b"\x1a\x45\xdf\xa3" + b"\xff" * 500,
        b"RIFF\x00\x10\x00\x00AVI LIST" + b"\x00" * 300,
        b"G" + b"\x00" * 187 + b"G" + b"\x00" * 187 + b"G" + b"\x00" * 200,
    ],
    ids=["mp4", "mkv", "avi", "mpegts"],
)
def test_container_magic_with_garbage_is_corrupt(data: bytes) -> None:
    with pytest.raises(MediaError) as excinfo:
        hash_bytes(data)
    assert excinfo.value.code == "corrupt_file"


def test_corrupted_middle_raises_media_error_or_hashes(clip: bytes) -> None:
    """Damage in the middle of a stream must never leak a PyAV exception."""
    rng = np.random.default_rng(3)
    for trial in range(5):
        damaged = bytearray(clip)
        start = int(rng.integers(64, len(clip) - 256))
        damaged[start : start + 200] = rng.integers(0, 256, 200, dtype=np.uint8).tobytes()
        try:
            result = hash_bytes(bytes(damaged))
        except MediaError:
            continue
        assert result.media_type == "video", trial


def test_decode_error_after_first_frame_keeps_partial_hash(
    clip: bytes, clip_frames: list[VideoFrameHash], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pdq_hash_rgb_array
    calls = {"n": 0}

    def fail_after_two(array: np.ndarray) -> Any:
        calls["n"] += 1
        if calls["n"] > 2:
            raise av.error.InvalidDataError(1094995529, "Invalid data found when processing input")
        return real(array)

    monkeypatch.setattr(video_module, "pdq_hash_rgb_array", fail_after_two)
    result = hash_bytes(clip)
    assert list(result.frames) == clip_frames[:2]
    assert result.truncated


def test_decoder_rejecting_a_packet_skips_it_and_marks_damage() -> None:
    bad = av.error.InvalidDataError(1094995529, "Invalid data found when processing input")

    class FakeStream:
        def decode(self, packet: int) -> list[str]:
            if packet == 2:
                raise bad
            return [f"frame{packet}"]

    fake_container: Any = types.SimpleNamespace(demux=lambda stream: iter(range(5)))
    damage = video_module._DamageCounter()
    fake_stream: Any = FakeStream()
    frames: list[Any] = list(video_module._decode_resiliently(fake_container, fake_stream, damage))
    assert frames == ["frame0", "frame1", "frame3", "frame4"]
    assert damage.packets == 1


def test_cover_art_stream_is_skipped_when_a_real_video_exists() -> None:
    cover: Any = types.SimpleNamespace(disposition=av.stream.Disposition.attached_pic)
    film: Any = types.SimpleNamespace(disposition=av.stream.Disposition.default)
    pick = video_module._pick_video_stream
    assert pick([cover, film]) is film
    assert pick([cover]) is cover


def test_hash_video_rejects_non_video(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as excinfo:
        hash_video(b"")
    assert excinfo.value.code == "empty_file"
    with pytest.raises(MediaError) as excinfo:
        hash_video(_png(scene(32, 32, 1)))
    assert excinfo.value.code == "unsupported_type"
    assert "image" in str(excinfo.value)
    with pytest.raises(MediaError) as excinfo:
        hash_video(b"just some text, not a video at all")
    assert excinfo.value.code == "unsupported_type"
    with pytest.raises(MediaError) as excinfo:
        hash_video(tmp_path / "missing.mp4")
    assert excinfo.value.code == "unreadable_file"


# -------------------------------------------------------------------- serialisation


def test_vpdq_text_roundtrip(clip_frames: list[VideoFrameHash]) -> None:
    text = frames_to_vpdq_text(clip_frames)
    lines = text.split("\n")
    assert len(lines) == len(clip_frames)  # no trailing newline: the canonical bank value
    assert lines[1] == f"10,{clip_frames[1].quality},{clip_frames[1].pdq},1.000"
    assert frames_from_vpdq_text(text) == clip_frames
    assert frames_from_vpdq_text(text + "\n") == clip_frames  # as the C++ tools write it
    assert frames_from_vpdq_text("") == []


def test_vpdq_text_is_the_bank_files_canonical_value(clip_frames: list[VideoFrameHash]) -> None:
    bankfile = pytest.importorskip("lindung.detect.bankfile")
    text = frames_to_vpdq_text(clip_frames)
    parsed = bankfile.parse_vpdq(text)
    assert bankfile.format_vpdq(parsed) == text
    assert [(f.frame_number, f.quality, f.pdq_hex, f.timestamp) for f in parsed] == [
        (f.frame_number, f.quality, f.pdq, f.timestamp) for f in clip_frames
    ]


def test_vpdq_text_is_lenient_where_harmless() -> None:
    pdq = "AB" * 32
    text = f"\n 3 , 90 , {pdq} , 0.1 \r\n\n{pdq.lower()},80,1.5\n"
    assert frames_from_vpdq_text(text) == [
        VideoFrameHash(3, 0.1, pdq.lower(), 90),
        VideoFrameHash(1, 1.5, pdq.lower(), 80),
    ]


GOOD = "0" * 64


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("0,100", "expected 4"),
        (f"0,100,{GOOD},1.0,extra", "expected 4"),
        (f"x,100,{GOOD},1.0", "frame number"),
        (f"0,high,{GOOD},1.0", "quality"),
        (f"0,1_0,{GOOD},1.0", "quality"),
        (f"0,100,{GOOD},0x10", "timestamp"),
        (f"0,100,{GOOD},1_0.5", "timestamp"),
        (f"0,100,{GOOD},inf", "timestamp"),
        (f"0,101,{GOOD},1.0", "quality"),
        (f"0,100,{GOOD},soon", "timestamp"),
        (f"0,100,{GOOD},-1", "timestamp"),
        (f"0,100,{GOOD},nan", "timestamp"),
        (f"-1,100,{GOOD},1.0", "frame number"),
        ("0,100,abc,1.0", "PDQ hash"),
        (f"0,100,{'g' * 64},1.0", "PDQ hash"),
    ],
)
def test_vpdq_text_bad_line_names_line_number(line: str, reason: str) -> None:
    text = f"0,100,{GOOD},0.000\n\n{line}\n"
    with pytest.raises(MediaError) as excinfo:
        frames_from_vpdq_text(text)
    assert issubclass(MediaError, ValueError)
    assert excinfo.value.code == "invalid_hash"
    assert excinfo.value.details["line"] == 3
    assert "line 3" in str(excinfo.value)
    assert reason in str(excinfo.value)


def test_vpdq_json_roundtrip(clip_frames: list[VideoFrameHash]) -> None:
    text = frames_to_vpdq_json(clip_frames)
    items = json.loads(text)
    assert items[1] == f"{clip_frames[1].pdq},{clip_frames[1].quality},1.000"
    # The compact format carries no frame numbers: positions are used on loading.
    loaded = frames_from_vpdq_json(text)
    assert [f.frame_number for f in loaded] == [0, 1, 2, 3]
    assert [(f.pdq, f.quality, f.timestamp) for f in loaded] == [
        (f.pdq, f.quality, f.timestamp) for f in clip_frames
    ]
    assert frames_from_vpdq_json("") == []


def test_vpdq_json_old_object_form() -> None:
    text = json.dumps({"7": {"quality": 88, "hash": GOOD, "timestamp": 0.25}})
    assert frames_from_vpdq_json(text) == [VideoFrameHash(7, 0.25, GOOD, 88)]


@pytest.mark.parametrize(
    "text",
    ["{not json", "42", json.dumps([1]), json.dumps([f"{GOOD},100"]), json.dumps({"1": {}})],
)
def test_vpdq_json_errors(text: str) -> None:
    with pytest.raises(MediaError) as excinfo:
        frames_from_vpdq_json(text)
    assert excinfo.value.code == "invalid_hash"


def test_media_hashes_for_video_serialise(clip: bytes) -> None:
    result = hash_bytes(clip)
    payload = result.to_dict()
    assert payload["pdq"] is None
    assert payload["frames"][1] == {
        "frame_number": 10,
        "timestamp": 1.0,
        "pdq": result.frames[1].pdq,
        "quality": result.frames[1].quality,
    }
    assert json.loads(json.dumps(payload)) == payload
    signals = {s.signal_type: s for s in result.to_signals()}
    assert set(signals) == {SignalType.MD5, SignalType.SHA256, SignalType.VPDQ}
    assert frames_from_vpdq_text(signals[SignalType.VPDQ].value) == list(result.frames)


# ------------------------------------------------- python-threatexchange compatibility


@pytest.fixture(scope="module")
def threatexchange_vpdq() -> Iterator[tuple[Any, Any]]:
    """threatexchange's vPDQ helpers; ``vpdq`` (which does not build here) is stubbed.

    vpdq_util and vpdq_brute_matcher only need the module to exist (one annotation refers
    to ``vpdq.VpdqFeature``); the functions used below are pure Python.
    """
    with pytest.MonkeyPatch.context() as patch:
        if importlib.util.find_spec("vpdq") is None:
            stub = types.ModuleType("vpdq")
            stub.VpdqFeature = object  # type: ignore[attr-defined]
            patch.setitem(sys.modules, "vpdq", stub)
        util = importlib.import_module("threatexchange.extensions.vpdq.vpdq_util")
        brute = importlib.import_module("threatexchange.extensions.vpdq.vpdq_brute_matcher")
        yield util, brute


def test_json_loads_in_threatexchange_and_back(
    threatexchange_vpdq: tuple[Any, Any], clip_frames: list[VideoFrameHash]
) -> None:
    util, _ = threatexchange_vpdq
    theirs = util.json_to_vpdq(frames_to_vpdq_json(clip_frames))
    assert [(f.pdq_hex, f.quality, f.timestamp) for f in theirs] == [
        (f.pdq, f.quality, f.timestamp) for f in clip_frames
    ]
    long_video = [
        VideoFrameHash(i * 30, ts, f.pdq, f.quality)
        for i, (f, ts) in enumerate(zip(clip_frames, [0.0, 1234.5, 99999.125, 7.0], strict=True))
    ]
    back = frames_from_vpdq_json(
        util.vpdq_to_json(util.json_to_vpdq(frames_to_vpdq_json(long_video)))
    )
    # threatexchange writes 3 significant digits ("1.23e+03"); we parse that too.
    assert [f.timestamp for f in back] == [0.0, 1230.0, 100000.0, 7.0]
    assert [f.pdq for f in back] == [f.pdq for f in long_video]


def test_match_equals_threatexchange_brute_matcher(threatexchange_vpdq: tuple[Any, Any]) -> None:
    util, brute = threatexchange_vpdq
    rng = random.Random(4)
    for _ in range(10):
        bank_hex = [random_hex(rng) for _ in range(rng.randint(1, 12))]
        query_hex = [flip_bits(rng.choice(bank_hex), rng.randint(0, 40), rng) for _ in range(10)]
        query_hex += rng.sample(query_hex, 3) + [random_hex(rng) for _ in range(rng.randint(0, 5))]
        query = [
            VideoFrameHash(i, i, h, rng.choice([30, 50, 70, 100])) for i, h in enumerate(query_hex)
        ]
        bank = [
            VideoFrameHash(i, i, h, rng.choice([30, 50, 70, 100])) for i, h in enumerate(bank_hex)
        ]
        ours = match_video(query, bank)

        def compact(frames: list[VideoFrameHash]) -> list[Any]:
            return [util.VpdqCompactFeature(f.pdq, f.quality, f.timestamp) for f in frames]

        try:
            theirs = brute.match_VPDQ_hash_brute(compact(query), compact(bank), 50, 31)
        except ZeroDivisionError:
            assert ours == VideoMatch(0.0, 0.0)
            continue
        assert ours == VideoMatch(theirs.query_match_percent, theirs.compared_match_percent)
