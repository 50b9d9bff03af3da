"""Benign generated media for tests: shapes and gradients, never real images of people."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def shapes_image(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A picture of random coloured shapes: detailed enough for a high PDQ quality."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    w, h = size
    for _ in range(25):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(10, w // 2), y0 + rng.randrange(10, h // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    return img


def encode(img: Image.Image, fmt: str = "PNG", **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def shapes_png(seed: int) -> bytes:
    return encode(shapes_image(seed))


def slightly_changed_jpeg(seed: int) -> bytes:
    """The same picture, resized, blurred a little and re-encoded: a near-duplicate."""
    img = shapes_image(seed).resize((300, 225)).filter(ImageFilter.GaussianBlur(1))
    return encode(img, "JPEG", quality=80)


def rotated_png(seed: int) -> bytes:
    return encode(shapes_image(seed).transpose(Image.Transpose.ROTATE_90))


def flat_png() -> bytes:
    """A single-colour image: PDQ quality 0, the classic source of false matches."""
    return encode(Image.new("RGB", (200, 200), (120, 130, 140)))


def clip(
    seed: int, seconds: int = 4, size: tuple[int, int] = (160, 120), fmt: str = "mp4"
) -> bytes:
    """A short video: one generated picture per second, drifting a little; ``size`` rescales
    the same content, as a re-encode by another service would."""
    import av
    import numpy as np

    rate = 5
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as container:
        stream = container.add_stream("libx264" if fmt == "mp4" else "mpeg4", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for second in range(seconds):
            base = shapes_image(seed * 100 + second, (160, 120))
            for step in range(rate):
                frame = base.transform(base.size, Image.Transform.AFFINE, (1, 0, -step, 0, 1, 0))
                frame = frame.resize(size)
                video_frame = av.VideoFrame.from_ndarray(np.asarray(frame), format="rgb24")
                for packet in stream.encode(video_frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
