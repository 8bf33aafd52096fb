"""Pillow work for previews, run on worker threads: image metadata (size after EXIF rotation,
blurhash) and scaled copies. Never upscales; refuses images whose header promises more pixels
than ``MAX_PIXELS`` (a decompression bomb is a few KiB that would decode to gigabytes)."""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import blurhash
from PIL import Image, ImageOps

# 64 megapixels: a 12 MP photo decodes, a 100,000 × 100,000 bomb does not.
MAX_PIXELS = 64_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
MIN_BUCKET = 64
MAX_BUCKET = 4096
BLURHASH_SIDE = 32


class NoPreview(Exception):
    """This file makes no preview (not an image Pillow reads, broken, or too many pixels)."""


@dataclass(frozen=True)
class Metadata:
    width: int
    height: int
    blurhash: str


def _open(path: Path, reduce_to: int | None = None) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                raise NoPreview("too many pixels")
            if reduce_to is not None and image.format == "JPEG":
                # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding: far less work.
                image.draft("RGB", (reduce_to, reduce_to))
            image.load()
    except NoPreview:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise NoPreview(str(exc)) from None
    return ImageOps.exif_transpose(image) or image


def _oriented_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        width, height = image.size
        orientation = image.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def inspect(path: Path) -> Metadata:
    try:
        width, height = _oriented_size(path)
    except Exception as exc:
        raise NoPreview(str(exc)) from None
    image = _open(path, reduce_to=BLURHASH_SIDE * 4)
    small = image.convert("RGB")
    small.thumbnail((BLURHASH_SIDE, BLURHASH_SIDE))
    pixels = [[small.getpixel((x, y)) for x in range(small.width)] for y in range(small.height)]
    return Metadata(width, height, blurhash.encode(pixels, components_x=4, components_y=3))


def bucket(width: int, height: int, x: int, y: int, cover: bool) -> int:
    """The longer side of the preview to make for a request of ``x`` × ``y`` (-1: the original's),
    rounded up to a power of two so that previews are cached in few sizes; never above the original."""
    longest = max(width, height)
    scales = [s for s in (x / width if x > 0 else None, y / height if y > 0 else None) if s is not None]
    scale = 1.0 if not scales else (max(scales) if cover else min(scales))
    wanted = math.ceil(longest * min(scale, 1.0))
    size = MIN_BUCKET
    while size < wanted and size < MAX_BUCKET:
        size *= 2
    return min(size, longest)


def render(path: Path, side: int) -> tuple[bytes, str]:
    """A preview whose longer side is ``side``: JPEG, or PNG for images with transparency."""
    image = _open(path, reduce_to=side)
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA"):
        image.save(out, "PNG", optimize=False)
        return out.getvalue(), "image/png"
    image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue(), "image/jpeg"
