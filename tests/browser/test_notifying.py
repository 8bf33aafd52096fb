"""Being told about new messages while the page is open: the title's counter and browser notifications."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import create_room, send_message
from tests.support.client import TalkClient

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]

# Records what the page shows through the real Notification API.
RECORD = """
(() => {
  const Real = window.Notification;
  window.__shown = [];
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__shown.push({ title, body: options && options.body });
    }
  };
})();
"""


def shown(page: Page) -> list[dict[str, str]]:
    return list(page.evaluate("() => window.__shown"))


def wait_shown(page: Page, title: str, body: str) -> None:
    page.wait_for_function(
        "([title, body]) => window.__shown.some((n) => n.title === title && n.body === body)", arg=[title, body]
    )


def unread_in_title(page: Page) -> int:
    match = re.match(r"^\((\d+)\) ", page.title())
    return int(match.group(1)) if match else 0


def test_title_counts_conversations_with_unread_messages(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Title counter", members=["bob"])
    page = user_page("bob")
    room = page.locator(f'.room[data-token="{token}"]')
    room.click()
    expect(page).to_have_title(re.compile(r"Title counter · Causerie$"))
    page.goto("/apps/spreed")
    expect(room).to_be_visible()
    before = unread_in_title(page)
    send_message(alice, token, "count me")
    expect(page).to_have_title(re.compile(rf"^\({before + 1}\) Causerie$"))
    room.click()
    expect(page.locator(".messages .message", has_text="count me")).to_have_count(1)
    expect(page).to_have_title(re.compile(rf"^{re.escape(f'({before}) ') if before else ''}Title counter · Causerie$"))


def test_mentions_and_one_to_one_messages_notify(user_page: UserPage, alice: TalkClient) -> None:
    group = create_room(alice, "Notify group", members=["bob"])
    direct = create_room(alice, "", room_type=1, invite="bob")
    page = user_page("bob")
    page.context.grant_permissions(["notifications"])
    page.add_init_script(RECORD)
    page.reload()
    page.get_by_role("button", name="Notifications off").click()
    expect(page.get_by_role("button", name="Notifications on")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f'.room[data-token="{direct}"]')).to_be_visible()

    send_message(alice, group, "nothing for bob in particular")
    send_message(alice, direct, "psst, Bob")
    wait_shown(page, "Alice Adams", "psst, Bob")
    send_message(alice, group, "@bob please look")
    wait_shown(page, "Notify group", "Alice Adams: Bob Brown please look")
    assert all("in particular" not in note["body"] for note in shown(page))

    # Off stays off, also after a reload.
    page.get_by_role("button", name="Notifications on").click()
    page.reload()
    expect(page.get_by_role("button", name="Notifications off")).to_have_attribute("aria-pressed", "false")
    send_message(alice, direct, "unheard")
    expect(page.locator(f'.room[data-token="{direct}"] .room-preview')).to_have_text("unheard")
    assert shown(page) == []
