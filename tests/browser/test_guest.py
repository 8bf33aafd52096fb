"""A guest opens a public conversation's link, gives a name and chats."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OpenPage, create_room
from tests.support.client import TalkClient

pytestmark = pytest.mark.browser


def test_guest_joins_a_public_conversation_by_link(
    open_page: OpenPage, user_page: Callable[..., Page], alice: TalkClient
) -> None:
    token = create_room(alice, "Open house", room_type=3)
    alice_page = user_page("alice", f"/call/{token}")

    guest = open_page()
    guest.goto(f"/call/{token}")
    guest.get_by_label("Your name").fill("Gina Guest")
    guest.get_by_role("button", name="Join conversation").click()
    expect(guest.locator(".room-title")).to_have_text("Open house")
    composer = guest.get_by_label("Message")
    composer.fill("Hello from a guest")
    composer.press("Enter")

    seen = alice_page.locator(".messages .message", has_text="Hello from a guest")
    expect(seen.locator(".author")).to_have_text("Gina Guest")

    alice_page.get_by_label("Message").fill("Welcome Gina")
    alice_page.get_by_label("Message").press("Enter")
    expect(guest.locator(".messages .message", has_text="Welcome Gina")).to_have_count(1)


def test_guest_link_to_a_private_conversation_says_so(open_page: OpenPage, alice: TalkClient) -> None:
    token = create_room(alice, "Members only")
    guest = open_page()
    guest.goto(f"/call/{token}")
    guest.get_by_label("Your name").fill("Mallory")
    guest.get_by_role("button", name="Join conversation").click()
    expect(guest.get_by_role("alert")).to_have_text("This conversation does not exist or is not open to guests.")
