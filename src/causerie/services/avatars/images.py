"""Pillow work for avatars, on worker threads: uploads checked by decoding them and stored
re-encoded, pictures scaled to the sizes clients ask for, and generated avatars (initials on a
colour derived from an id, as Nextcloud draws them)."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

from causerie.services.errors import BadRequest

# Nextcloud refuses avatar uploads above 20 MiB.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An upload whose header promises more pixels is refused before it is decoded: a few KiB of PNG can
# claim a 100,000 × 100,000 picture (a decompression bomb).
MAX_PIXELS = 50_000_000
# What is kept of an upload: clients ask for 64 and 512.
STORED_SIDE = 512
SIZES = (64, 512)
PNG = "image/png"
JPEG = "image/jpeg"
_FORMATS = {"PNG": PNG, "JPEG": JPEG}


class InvalidImage(BadRequest):
    """An upload that is no usable picture; the message is Nextcloud's."""


@dataclass(frozen=True)
class Picture:
    mime: str
    data: bytes


def served_size(size: int) -> int:
    """Nextcloud serves 64 for 64 and less, 512 for anything larger."""
    return 64 if size <= 64 else 512


def _looks_like_svg(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg"))


def decode_upload(data: bytes, *, square: bool) -> Picture:
    """The upload checked by decoding it and re-encoded (metadata and anything appended to the
    file left behind), at most ``STORED_SIDE`` square. ``square``: refuse other shapes (Talk's rule
    for conversation pictures); otherwise the centre square is kept."""
    if not data:
        raise InvalidImage(message="No image file provided")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidImage(message="File is too big")
    if _looks_like_svg(data):
        raise InvalidImage(message="Unknown filetype")
    image: Image.Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            mime = _FORMATS.get(image.format or "")
            if mime is None:
                raise InvalidImage(message="Unknown filetype")
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                raise InvalidImage(message="Invalid image")
            image.load()
    except InvalidImage:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage(message="Invalid image") from None
    image = ImageOps.exif_transpose(image) or image
    if image.width != image.height:
        if square:
            raise InvalidImage(message="Avatar image is not square")
        image = ImageOps.fit(image, (min(image.size),) * 2)
    if image.width > STORED_SIDE:
        image = image.resize((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    return Picture(mime, _encode(image, mime))


def _encode(image: Image.Image, mime: str) -> bytes:
    out = io.BytesIO()
    if mime == JPEG:
        image.convert("RGB").save(out, "JPEG", quality=90)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=False)
    return out.getvalue()


def scaled(picture: Picture, size: int) -> bytes:
    """A stored picture at ``size`` (never upscaled)."""
    image = Image.open(io.BytesIO(picture.data))
    if image.width <= size:
        return picture.data
    image.load()
    return _encode(image.resize((size, size), Image.Resampling.LANCZOS), picture.mime)


# --- generated avatars -------------------------------------------------------------------------

_RED = (182, 70, 157)
_YELLOW = (221, 203, 85)
_BLUE = (0, 130, 201)
_STEPS = 6


def _mix(steps: int, start: tuple[int, int, int], end: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    step = [(end[i] - start[i]) / steps for i in range(3)]
    return [tuple(int(start[i] + step[i] * n) for i in range(3)) for n in range(steps)]  # type: ignore[misc]


# Nextcloud's palette: six steps from red to yellow, yellow to blue and blue to red.
PALETTE = [*_mix(_STEPS, _RED, _YELLOW), *_mix(_STEPS, _YELLOW, _BLUE), *_mix(_STEPS, _BLUE, _RED)]


def colour_of(key: str) -> tuple[int, int, int]:
    """Nextcloud's choice: the sum of the hex digits of md5(key) picks a colour of the palette."""
    digest = hashlib.md5(key.lower().encode(), usedforsecurity=False).hexdigest()
    return PALETTE[sum(int(c, 16) for c in digest) % len(PALETTE)]


def initials(name: str) -> str:
    """The first letter of the name and of what follows its first space, upper-cased."""
    parts = name.strip().split(" ", 1)
    letters = "".join(part.strip()[:1] for part in parts if part.strip())
    return letters.upper() or "?"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def generated(key: str, name: str, size: int, dark: bool) -> bytes:
    """A PNG of ``name``'s initials on the colour of ``key`` (dark: a darker ground, light letters)."""
    colour = colour_of(key)
    if dark:
        ground = tuple(int(c * 0.45) for c in colour)
        ink = tuple(int(c + (255 - c) * 0.75) for c in colour)
    else:
        ground = colour
        ink = (255, 255, 255)
    image = Image.new("RGB", (size, size), ground)
    draw = ImageDraw.Draw(image)
    text = initials(name)
    font = _font(int(size * (0.42 if len(text) > 1 else 0.5)))
    draw.text((size / 2, size / 2), text, fill=ink, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
