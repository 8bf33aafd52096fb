"""Chatting in the browser: two users in two browser contexts, history, mentions, unread counters."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import NARROW, Screenshot, create_room, send_message
from tests.support.client import TalkClient

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]


def messages(page: Page) -> Locator:
    return page.locator(".messages .message")


def message(page: Page, text: str) -> Locator:
    """The message whose whole text is ``text``."""
    return messages(page).filter(has=page.locator(".body", has_text=re.compile(f"^{re.escape(text)}$")))


def test_a_message_sent_by_one_user_appears_for_the_other(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Browser chat", members=["bob"])
    alice_page = user_page("alice", f"/call/{token}")
    bob_page = user_page("bob", f"/call/{token}")
    expect(bob_page.locator(".room-title")).to_have_text("Browser chat")

    composer = alice_page.get_by_label("Message")
    composer.fill("Hello Bob, this is Alice")
    composer.press("Enter")
    expect(composer).to_have_value("")

    received = messages(bob_page).filter(has_text="Hello Bob, this is Alice")
    expect(received).to_have_count(1)
    expect(received.locator(".author")).to_have_text("Alice Adams")

    # Bob answers with a reply; Alice sees it with the quoted message.
    received.hover()
    received.get_by_role("button", name="Reply to Alice Adams").click()
    expect(bob_page.locator(".reply-bar")).to_contain_text("Replying to Alice Adams")
    bob_page.get_by_label("Message").fill("Hi Alice!")
    bob_page.get_by_label("Message").press("Enter")
    reply = messages(alice_page).filter(has_text="Hi Alice!")
    expect(reply.locator(".quote")).to_contain_text("Hello Bob, this is Alice")
    expect(reply.locator(".author")).to_have_text("Bob Brown")
    # Shift+Enter writes a new line instead of sending.
    composer.type("line one")
    composer.press("Shift+Enter")
    composer.type("line two")
    expect(composer).to_have_value("line one\nline two")


def test_system_messages_read_as_sentences_with_names(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Sentences", members=["bob"])
    alice_page = user_page("alice", f"/call/{token}")
    expect(alice_page.locator(".system-message", has_text="You created the conversation")).to_have_count(1)
    expect(alice_page.locator(".system-message", has_text="You added Bob Brown")).to_have_count(1)
    bob_page = user_page("bob", f"/call/{token}")
    expect(bob_page.locator(".system-message", has_text="Alice Adams added you")).to_have_count(1)
    expect(bob_page.locator(".system-message", has_text="{")).to_have_count(0)


def test_scrolling_up_loads_older_messages(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Long history")
    for number in range(1, 131):
        send_message(alice, token, f"history message {number}")
    page = user_page("alice", f"/call/{token}")
    expect(message(page, "history message 130")).to_have_count(1)
    expect(message(page, "history message 1")).to_have_count(0)

    scroller = page.locator(".scroller")
    for _ in range(20):
        if message(page, "history message 1").count():
            break
        scroller.evaluate("node => { node.scrollTop = 0; }")
        page.wait_for_timeout(300)
    expect(message(page, "history message 1")).to_have_count(1)
    expect(page.locator(".history-end")).to_be_visible()
    # Every message once, in order.
    texts = messages(page).locator(".body").all_inner_texts()
    assert texts == [f"history message {n}" for n in range(1, 131)]


def test_mention_autocomplete_inserts_the_mention(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Mentions", members=["bob"])
    page = user_page("alice", f"/call/{token}")
    composer = page.get_by_label("Message")
    composer.type("Ping @bo")
    option = page.get_by_role("option").filter(has_text="Bob Brown")
    expect(option).to_be_visible()
    composer.press("Enter")
    expect(composer).to_have_value("Ping @bob ")
    composer.type("please look")
    composer.press("Enter")
    sent = messages(page).filter(has_text="please look")
    expect(sent.locator(".mention")).to_have_text("Bob Brown")

    bob_page = user_page("bob")
    room = bob_page.locator(f'.room[data-token="{token}"]')
    expect(room.locator(".mention-badge")).to_be_visible()


def test_unread_counter_rises_without_reload_and_clears_when_read(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Unread", members=["bob"])
    bob_page = user_page("bob")
    room = bob_page.locator(f'.room[data-token="{token}"]')
    expect(room).to_be_visible()
    send_message(alice, token, "first unread")
    send_message(alice, token, "second unread")
    expect(room.locator(".unread")).to_have_text("2")

    room.click()
    expect(messages(bob_page).filter(has_text="second unread")).to_have_count(1)
    expect(room.locator(".unread")).to_have_count(0)


def test_narrow_window_shows_the_list_or_the_chat(
    user_page: UserPage, alice: TalkClient, screenshot: Screenshot
) -> None:
    token = create_room(alice, "Narrow", members=["bob"])
    send_message(alice, token, "Seen on a phone")
    page = user_page("bob", viewport=NARROW)
    room = page.locator(f'.room[data-token="{token}"]')
    room.click()
    expect(messages(page).filter(has_text="Seen on a phone")).to_be_visible()
    expect(page.locator("#sidebar")).to_be_hidden()

    page.get_by_role("button", name="Back to conversations").click()
    expect(room).to_be_visible()
    expect(page.locator(".chat-view")).to_have_count(0)
