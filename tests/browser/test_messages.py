"""Working with messages in the browser: edit, delete, react, copy a link, where unread ones begin."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import create_room, send_message
from tests.support.client import TalkClient

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]


def message(page: Page, text: str) -> Locator:
    return page.locator(".messages .message").filter(has=page.locator(".body", has_text=re.compile(re.escape(text))))


def test_editing_a_message_changes_it_for_everyone(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Editing", members=["bob"])
    send_message(alice, token, "Meeting at 10")
    alice_page = user_page("alice", f"/call/{token}")
    bob_page = user_page("bob", f"/call/{token}")
    expect(message(bob_page, "Meeting at 10")).to_have_count(1)

    own = message(alice_page, "Meeting at 10")
    own.hover()
    own.get_by_role("button", name="Edit", exact=True).click()
    composer = alice_page.get_by_label("Message")
    expect(composer).to_have_value("Meeting at 10")
    composer.fill("Meeting at **11**")
    composer.press("Enter")

    edited = message(bob_page, "Meeting at 11")
    expect(edited.locator("strong")).to_have_text("11")
    expect(edited.locator(".edited")).to_have_text("(edited)")
    expect(message(bob_page, "Meeting at 10")).to_have_count(0)
    # Bob cannot edit or delete Alice's message.
    expect(edited.get_by_role("button", name="Edit", exact=True)).to_have_count(0)
    expect(edited.get_by_role("button", name="Delete", exact=True)).to_have_count(0)


def test_escape_cancels_editing(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Edit cancel")
    send_message(alice, token, "Keep me")
    page = user_page("alice", f"/call/{token}")
    own = message(page, "Keep me")
    own.hover()
    own.get_by_role("button", name="Edit", exact=True).click()
    composer = page.get_by_label("Message")
    composer.fill("Changed my mind")
    composer.press("Escape")
    expect(composer).to_have_value("")
    expect(page.locator(".reply-bar")).to_be_hidden()
    expect(message(page, "Keep me")).to_have_count(1)


def test_deleting_a_message_after_confirming(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Deleting", members=["bob"])
    send_message(alice, token, "Oops, wrong room")
    alice_page = user_page("alice", f"/call/{token}")
    bob_page = user_page("bob", f"/call/{token}")
    expect(message(bob_page, "Oops, wrong room")).to_have_count(1)

    own = message(alice_page, "Oops, wrong room")
    own.hover()
    own.get_by_role("button", name="Delete", exact=True).click()
    dialog = alice_page.get_by_role("dialog", name="Delete message")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(message(alice_page, "Oops, wrong room")).to_have_count(1)

    own.hover()
    own.get_by_role("button", name="Delete", exact=True).click()
    alice_page.get_by_role("dialog", name="Delete message").get_by_role("button", name="Delete").click()
    expect(message(bob_page, "Oops, wrong room")).to_have_count(0)
    expect(bob_page.locator(".message .body.deleted")).to_have_count(1)
    expect(alice_page.locator(".message .body.deleted")).to_have_count(1)


def test_a_reaction_shows_for_the_other_user(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Reactions", members=["bob"])
    send_message(alice, token, "We shipped it")
    alice_page = user_page("alice", f"/call/{token}")
    bob_page = user_page("bob", f"/call/{token}")

    target = message(bob_page, "We shipped it")
    target.hover()
    target.get_by_role("button", name="React to Alice Adams").click()
    picker = bob_page.get_by_role("dialog", name="Choose a reaction")
    expect(picker.get_by_role("button")).to_have_count(16)
    picker.get_by_role("button", name="React with 🎉").click()
    expect(picker).to_have_count(0)
    expect(target.get_by_role("button", name="🎉 1")).to_have_attribute("aria-pressed", "true")

    seen = message(alice_page, "We shipped it").get_by_role("button", name="🎉 1")
    expect(seen).to_have_attribute("aria-pressed", "false")
    # Alice adds hers by clicking the counter; Bob then takes his back.
    seen.click()
    expect(target.get_by_role("button", name="🎉 2")).to_be_visible()
    target.get_by_role("button", name="🎉 2").click()
    expect(message(alice_page, "We shipped it").get_by_role("button", name="🎉 1")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_escape_closes_the_emoji_picker(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Picker")
    send_message(alice, token, "Pick nothing")
    page = user_page("alice", f"/call/{token}")
    target = message(page, "Pick nothing")
    target.hover()
    react = target.get_by_role("button", name="React to Alice Adams")
    react.click()
    expect(page.get_by_role("dialog", name="Choose a reaction")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Choose a reaction")).to_have_count(0)
    expect(react).to_be_focused()


def test_copy_link_opens_the_message(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Links", members=["bob"])
    sent = send_message(alice, token, "Look at this one")
    for number in range(60):
        send_message(alice, token, f"filler {number}")
    page = user_page("alice", f"/call/{token}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    last = message(page, "filler 59")
    last.hover()
    last.get_by_role("button", name="Copy link: Alice Adams").click()
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.endswith(f"/call/{token}#message_{sent['id'] + 60}")

    bob_page = user_page("bob", f"/call/{token}")
    bob_page.goto(f"/call/{token}#message_{sent['id']}")
    linked = bob_page.locator(f'.message[data-id="{sent["id"]}"]')
    expect(linked).to_have_class(re.compile("highlight"))
    expect(linked).to_be_in_viewport()


def test_unread_divider_marks_where_new_messages_begin(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Divider", members=["bob"])
    send_message(alice, token, "already read")
    bob_page = user_page("bob", f"/call/{token}")
    expect(message(bob_page, "already read")).to_have_count(1)
    room_item = bob_page.locator(".room.active")
    expect(room_item.locator(".unread")).to_have_count(0)
    bob_page.goto("/apps/spreed")
    room = bob_page.locator(f'.room[data-token="{token}"]')
    expect(room).to_be_visible()
    send_message(alice, token, "new one")
    send_message(alice, token, "new two")
    expect(room.locator(".unread")).to_have_text("2")
    room.click()
    divider = bob_page.locator(".unread-divider")
    expect(divider).to_have_text("Unread messages")
    following = bob_page.locator(".unread-divider + .message .body")
    expect(following).to_have_text("new one")
    expect(bob_page.locator(".day-separator").first).to_have_text("Today")


def test_day_separators_between_days(user_page: UserPage) -> None:
    page = user_page("alice")
    labels = page.evaluate(
        """async () => {
          const { decorate } = await import('/static/timeline.js');
          const list = document.createElement('ol');
          const day = 86400;
          const now = Math.floor(Date.now() / 1000);
          const at = [now - 40 * day, now - 40 * day + 60, now - day, now];
          at.forEach((ts, index) => {
            const item = document.createElement('li');
            item.className = 'message';
            item.dataset.id = String(index + 1);
            item.dataset.ts = String(ts);
            list.append(item);
          });
          decorate(list, 0);
          decorate(list, 0);
          return [...list.children].map((node) => node.className === 'message' ? '*' : node.textContent);
        }"""
    )
    assert labels[0] not in ("*", "Today", "Yesterday")
    assert labels[1:] == ["*", "*", "Yesterday", "*", "Today", "*"]


def test_editing_keeps_mentions_as_typed(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Edit mentions", members=["bob"])
    send_message(alice, token, "@bob have a look at **this**")
    page = user_page("alice", f"/call/{token}")
    own = message(page, "have a look")
    expect(own.locator(".mention")).to_have_text("Bob Brown")
    own.hover()
    own.get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_label("Message")).to_have_value("@bob have a look at **this**")
