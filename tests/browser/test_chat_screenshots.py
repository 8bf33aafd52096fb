"""The README's pictures of the web app, taken from a real conversation between two gallery users."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NARROW, Screenshot, create_room, gallery_password, send_message
from tests.support.client import TalkClient
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]

KICKOFF = (
    "Good morning! The kickoff is at **10:00** in the big meeting room.\n"
    "Agenda:\n- goals for the quarter\n- review of `budget.xlsx`\n- *open questions*"
)


def react(client: TalkClient, token: str, message_id: int, emoji: str) -> None:
    response = client.post(f"apps/spreed/api/v1/reaction/{token}/{message_id}", json={"reaction": emoji})
    assert response.status_code in (200, 201), response.text


def test_screenshots_for_the_readme(
    user_page: UserPage, server: ServerProcess, gallery: dict[str, str], screenshot: Screenshot
) -> None:
    emma = TalkClient(server.base_url, "emma", password=gallery_password("emma"))
    frank = TalkClient(server.base_url, "frank", password=gallery_password("frank"))
    try:
        create_room(emma, "Release notes", room_type=3)
        review = create_room(emma, "Design review", members=["frank"])
        token = create_room(emma, "Project kickoff", members=["frank"])
        first = send_message(emma, token, KICKOFF)
        reply = frank.post(
            f"apps/spreed/api/v1/chat/{token}",
            json={"message": "@emma I will bring the slides. Plan: https://example.com/plan", "replyTo": first["id"]},
        )
        assert reply.status_code == 201, reply.text
        last = send_message(emma, token, "> I will bring the slides\nPerfect, thank you Frank!")
        react(frank, token, first["id"], "👍")
        react(frank, token, first["id"], "🎉")
        react(emma, token, first["id"], "👍")
        react(frank, token, last["id"], "❤️")
        send_message(frank, review, "The new mockups are ready for @emma")
    finally:
        emma.close()
        frank.close()

    wide = user_page("emma", f"/call/{token}")
    expect(wide.locator(".messages .message", has_text="Perfect, thank you Frank!")).to_be_visible()
    expect(wide.locator(".reaction")).to_have_count(3)
    expect(wide.locator(f'.room[data-token="{review}"] .mention-badge')).to_be_visible()
    wide.mouse.move(0, 0)
    screenshot(wide, "chat-wide")

    wide.get_by_role("button", name="New conversation").click()
    dialog = wide.get_by_role("dialog", name="New conversation")
    dialog.get_by_label("Conversation name").fill("Team offsite")
    dialog.get_by_label("Allow guests to join by a public link").check()
    screenshot(wide, "new-conversation-wide")
    wide.keyboard.press("Escape")

    wide.goto("/apps/spreed")
    expect(wide.locator(".room")).to_have_count(3)
    screenshot(wide, "list-wide")

    narrow = user_page("frank", viewport=NARROW)
    expect(narrow.locator(".room")).to_have_count(2)
    screenshot(narrow, "list-narrow")
    narrow.locator(f'.room[data-token="{token}"]').click()
    expect(narrow.locator(".messages .message", has_text="Perfect, thank you Frank!")).to_be_visible()
    expect(narrow.locator(".reaction")).to_have_count(3)
    narrow.mouse.move(0, 0)
    screenshot(narrow, "chat-narrow")

    narrow.get_by_role("button", name="Back to conversations").click()
    narrow.get_by_role("button", name="New conversation").click()
    narrow.get_by_role("dialog", name="New conversation").get_by_label("Conversation name").fill("Lunch")
    expect(narrow).to_have_title(re.compile("Causerie$"))
    screenshot(narrow, "new-conversation-narrow")
