"""Measure PDQ image hashing and vPDQ video hashing throughput.

Generates benign synthetic media in memory (gradients, shapes, noise; nothing is read from
disk), then times:

* Lindung's ``hash_bytes`` on JPEGs (sniffing, MD5, SHA-256, decode, PDQ), against
  python-threatexchange's ``PdqSignal.hash_from_bytes`` (decode and PDQ only) on the same
  bytes, and checks that both produce the same PDQ hash;
* Lindung's ``hash_video`` on a generated H.264 clip, as decoded frames per second.

Run:  PYTHONPATH=src python benchmarks/hash_images.py [--count 200] [--size 1024] [--json]
Never run by the test suite.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np
from PIL import Image, ImageDraw


def make_image(width: int, height: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = np.zeros((height, width, 3), dtype=np.float32)
    pixels[..., 0] = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    pixels[..., 1] = np.linspace(255, 0, height, dtype=np.float32)[:, None]
    pixels[..., 2] = float(rng.integers(0, 256))
    pixels += rng.normal(0, 6, pixels.shape).astype(np.float32)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(10, width // 2)), y0 + int(rng.integers(10, height // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = draw.ellipse if rng.integers(0, 2) else draw.rectangle
        shape((x0, y0, x1, y1), fill=colour)
    return image


def make_jpegs(count: int, size: int) -> list[bytes]:
    width, height = size, size * 3 // 4
    out = []
    for seed in range(count):
        buffer = io.BytesIO()
        make_image(width, height, seed).save(buffer, "JPEG", quality=90)
        out.append(buffer.getvalue())
    return out


def make_clip(seconds: float, fps: int, width: int, height: int) -> tuple[bytes, int]:
    """An H.264 MP4 whose scene changes every second and drifts within it."""
    buffer = io.BytesIO()
    frames = round(seconds * fps)
    scenes: dict[int, Image.Image] = {}
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        for index in range(frames):
            second = index // fps
            if second not in scenes:
                scenes[second] = make_image(width + fps * 4, height, seed=10_000 + second)
            drift = (index % fps) * 4
            picture = scenes[second].crop((drift, 0, drift + width, height))
            frame = av.VideoFrame.from_ndarray(np.asarray(picture), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue(), frames


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """Shortest wall time of ``repeat`` runs (the least disturbed by other processes)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def interleaved(
    repeat: int, items: list[bytes], first: Callable[[bytes], Any], second: Callable[[bytes], Any]
) -> tuple[float, float, list[Any], list[Any]]:
    """Time two hashers image by image, alternating, keeping each one's best pass.

    Alternating per image means a burst of load from other processes slows both sides
    alike, so the ratio stays meaningful on a shared machine.
    """
    best_first = best_second = float("inf")
    out_first: list[Any] = []
    out_second: list[Any] = []
    for _ in range(repeat):
        total_first = total_second = 0.0
        out_first, out_second = [], []
        for item in items:
            start = time.perf_counter()
            out_first.append(first(item))
            middle = time.perf_counter()
            out_second.append(second(item))
            total_first += middle - start
            total_second += time.perf_counter() - middle
        best_first, best_second = min(best_first, total_first), min(best_second, total_second)
    return best_first, best_second, out_first, out_second


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="images to hash (default 200)")
    parser.add_argument(
        "--size", type=int, default=1024, help="image width in px (4:3, default 1024)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; best is kept")
    parser.add_argument(
        "--video-seconds", type=float, default=20.0, help="clip length (default 20)"
    )
    parser.add_argument("--video-size", default="1280x720", help="clip WxH (default 1280x720)")
    parser.add_argument("--video-fps", type=int, default=30, help="clip frame rate (default 30)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    from threatexchange.signal_type.pdq.signal import PdqSignal

    from lindung.detect.media.hashing import hash_bytes
    from lindung.detect.media.video import hash_video

    images = make_jpegs(args.count, args.size)
    hash_bytes(images[0])  # warm up imports and allocators
    PdqSignal.hash_from_bytes(images[0])

    lindung_s, te_s, ours, theirs = interleaved(
        args.repeat, images, hash_bytes, PdqSignal.hash_from_bytes
    )
    mismatches = sum(
        1 for o, t in zip(ours, theirs, strict=True) if t and (o.pdq is None or o.pdq.hex != t)
    )

    width, height = (int(v) for v in args.video_size.lower().split("x"))
    clip, frame_count = make_clip(args.video_seconds, args.video_fps, width, height)
    video_s, frames = best_of(args.repeat, lambda: hash_video(clip))

    img: dict[str, Any] = {
        "count": args.count,
        "size": f"{args.size}x{args.size * 3 // 4}",
        "mean_jpeg_bytes": round(sum(map(len, images)) / len(images)),
        "lindung_hash_bytes_per_s": round(args.count / lindung_s, 1),
        "threatexchange_pdq_per_s": round(args.count / te_s, 1),
        "ratio_lindung_to_threatexchange": round(te_s / lindung_s, 3),
        "pdq_mismatches": mismatches,
    }
    vid: dict[str, Any] = {
        "seconds": args.video_seconds,
        "size": f"{width}x{height}",
        "fps": args.video_fps,
        "bytes": len(clip),
        "decoded_frames": frame_count,
        "hashed_frames": len(frames),
        "decoded_frames_per_s": round(frame_count / video_s, 1),
        "realtime_factor": round(args.video_seconds / video_s, 1),
    }
    if args.json:
        result = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "images": img,
            "video": vid,
        }
        print(json.dumps(result, indent=2))
        return 0
    lines = [
        f"Images: {img['count']} JPEGs of {img['size']} (mean {img['mean_jpeg_bytes']} bytes)",
        f"  Lindung hash_bytes (sniff, MD5, SHA-256, PDQ): "
        f"{img['lindung_hash_bytes_per_s']:>8} images/s",
        f"  threatexchange PdqSignal (PDQ only):           "
        f"{img['threatexchange_pdq_per_s']:>8} images/s",
        f"  ratio Lindung/threatexchange: {img['ratio_lindung_to_threatexchange']}x, "
        f"PDQ mismatches: {img['pdq_mismatches']}",
        f"Video: {vid['seconds']} s of {vid['size']} at {vid['fps']} fps, H.264, "
        f"{vid['bytes']} bytes",
        f"  hash_video: {vid['decoded_frames_per_s']} decoded frames/s, "
        f"{vid['hashed_frames']} frames hashed, {vid['realtime_factor']}x real time",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
