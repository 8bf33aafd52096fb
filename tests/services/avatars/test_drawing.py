"""What a generated avatar shows and which emoji a conversation picture accepts."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from causerie.services.avatars import images, rooms


def test_initials_and_colours_follow_nextcloud() -> None:
    assert images.initials("Alice Adams") == "AA"
    assert images.initials("alice") == "A"
    assert images.initials("Jean Paul Sartre") == "JP"  # the first space splits
    assert images.initials("   ") == "?"
    assert len(images.PALETTE) == 18 and images.PALETTE[0] == (182, 70, 157)
    # The same id always gets the same colour, whatever its case; ids spread over the palette.
    assert images.colour_of("Alice") == images.colour_of("alice")
    assert len({images.colour_of(f"user{n}") for n in range(200)}) > 10


def test_a_generated_avatar_is_a_square_png_of_its_colour() -> None:
    drawn = Image.open(io.BytesIO(images.generated("alice", "Alice Adams", 64, dark=False)))
    assert drawn.format == "PNG" and drawn.size == (64, 64)
    assert drawn.convert("RGB").getpixel((1, 1)) == images.colour_of("alice")


@pytest.mark.parametrize("emoji", ["🦄", "❤️", "👩🏽‍💻", "🇫🇷", "1️⃣", "👨‍👩‍👧"])
def test_single_emoji_accepted(emoji: str) -> None:
    assert rooms.is_single_emoji(emoji)


@pytest.mark.parametrize("text", ["", "a", "🦄🦄", "🦄a", "<b>", "🇫", "\u200d", "🦄\u200d", "1"])
def test_anything_else_refused(text: str) -> None:
    assert not rooms.is_single_emoji(text)


def test_emoji_pictures_escape_their_text() -> None:
    assert "<b>" not in rooms.emoji_svg("<b>", "123456")
