"""Conversations made and changed in the browser: creating, settings, guests' link, leaving, browsing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import OpenPage, create_room, send_message
from tests.support.client import TalkClient, data

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]


def room_item(page: Page, token: str) -> Locator:
    return page.locator(f'.room[data-token="{token}"]')


def open_settings(page: Page) -> Locator:
    page.get_by_role("button", name="Conversation settings").click()
    dialog = page.get_by_role("dialog", name="Conversation settings")
    expect(dialog).to_be_visible()
    return dialog


def room_state(client: TalkClient, token: str) -> dict[str, object]:
    return dict(data(client.get(f"apps/spreed/api/v4/room/{token}")))


def test_creating_a_group_conversation(user_page: UserPage) -> None:
    page = user_page("alice")
    new = page.get_by_role("button", name="New conversation")
    new.click()
    dialog = page.get_by_role("dialog", name="New conversation")
    dialog.get_by_role("button", name="Create conversation").click()
    expect(dialog.get_by_role("alert")).to_have_text("Please give the conversation a name.")
    dialog.get_by_label("Conversation name").fill("Team <b>lunch</b>")
    dialog.get_by_role("button", name="Create conversation").click()
    expect(dialog).to_have_count(0)
    expect(page.locator(".room-title")).to_have_text("Team <b>lunch</b>")
    expect(page).to_have_url(re.compile(r"/call/[A-Za-z0-9]+$"))
    expect(page.locator(".room.active .room-name")).to_have_text("Team <b>lunch</b>")
    expect(page.locator(".system-message", has_text="You created the conversation")).to_have_count(1)


def test_escape_closes_a_dialog_and_gives_focus_back(user_page: UserPage) -> None:
    page = user_page("alice")
    new = page.get_by_role("button", name="New conversation")
    new.click()
    dialog = page.get_by_role("dialog", name="New conversation")
    expect(dialog.get_by_label("Conversation name")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(new).to_be_focused()


def test_public_conversation_with_password_lets_a_guest_in(user_page: UserPage, open_page: OpenPage) -> None:
    page = user_page("alice")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="New conversation").click()
    dialog = page.get_by_role("dialog", name="New conversation")
    dialog.get_by_label("Conversation name").fill("Open day")
    dialog.get_by_label("Allow guests to join by a public link").check()
    dialog.get_by_label("Password (optional)").fill("open-sesame-42")
    dialog.get_by_role("button", name="Create conversation").click()
    expect(page.locator(".room-title")).to_have_text("Open day")

    settings = open_settings(page)
    expect(settings.get_by_label("Allow guests (public link)")).to_be_checked()
    link = settings.get_by_label("Public link", exact=True)
    url = link.input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/call/[A-Za-z0-9]+", url), url
    settings.get_by_role("button", name="Copy link").click()
    expect(settings.get_by_role("status")).to_have_text("Link copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    expect(settings.get_by_text("Guests need a password to join.")).to_be_visible()

    guest = open_page()
    guest.goto(url)
    guest.get_by_label("Your name").fill("Gus Guest")
    guest.get_by_role("button", name="Join conversation").click()
    expect(guest.get_by_role("alert")).to_have_text("This conversation has a password.")
    guest.get_by_label("Conversation password").fill("open-sesame-42")
    guest.get_by_role("button", name="Join conversation").click()
    expect(guest.locator(".room-title")).to_have_text("Open day")

    # Making it private again takes the link away.
    settings.get_by_label("Allow guests (public link)").uncheck()
    expect(settings.get_by_label("Public link", exact=True)).to_have_count(0)


def test_note_to_self(user_page: UserPage) -> None:
    page = user_page("bob")
    page.get_by_role("button", name="New conversation").click()
    page.get_by_role("dialog", name="New conversation").get_by_role("button", name="Note to self").click()
    expect(page.locator(".room-title")).to_have_text("Note to self")
    page.get_by_label("Message").fill("buy milk")
    page.get_by_label("Message").press("Enter")
    expect(page.locator(".messages .message", has_text="buy milk")).to_have_count(1)


def test_rename_and_description_reach_the_other_user(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Old name", members=["bob"])
    alice_page = user_page("alice", f"/call/{token}")
    bob_page = user_page("bob")
    expect(room_item(bob_page, token).locator(".room-name")).to_have_text("Old name")

    settings = open_settings(alice_page)
    settings.get_by_label("Name", exact=True).fill("New name")
    settings.get_by_label("Description").fill("Where we plan things")
    settings.get_by_role("button", name="Save name and description").click()
    expect(alice_page.locator(".room-title")).to_have_text("New name")
    expect(room_item(bob_page, token).locator(".room-name")).to_have_text("New name")
    assert room_state(alice, token)["description"] == "Where we plan things"

    # Bob is no moderator: his settings hold only his own choices.
    room_item(bob_page, token).click()
    bob_settings = open_settings(bob_page)
    expect(bob_settings.get_by_label("Favorite")).to_be_visible()
    expect(bob_settings.get_by_label("Name", exact=True)).to_have_count(0)
    expect(bob_settings.get_by_role("button", name="Delete conversation")).to_have_count(0)


def test_favorite_archive_and_notification_level(user_page: UserPage, bob: TalkClient, alice: TalkClient) -> None:
    token = create_room(alice, "Personal choices", members=["bob"])
    page = user_page("bob", f"/call/{token}")
    settings = open_settings(page)
    settings.get_by_label("Favorite").check()
    expect(room_item(page, token).get_by_label("Favorite")).to_be_visible()
    expect(page.locator(".room").first).to_have_attribute("data-token", token)

    settings.get_by_label("Notifications").select_option(label="Off")
    expect(settings.get_by_label("Notifications")).to_have_value("3")
    assert room_state(bob, token)["notificationLevel"] == 3

    settings.get_by_label("Archived").check()
    page.keyboard.press("Escape")
    expect(room_item(page, token)).to_have_count(0)
    page.get_by_role("button", name="Archived").click()
    expect(room_item(page, token)).to_be_visible()
    page.get_by_role("button", name="Back to conversations").click()
    expect(room_item(page, token)).to_have_count(0)


def test_lobby_and_read_only_as_the_member_sees_them(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Strict room", members=["bob"])
    alice_page = user_page("alice", f"/call/{token}")
    bob_page = user_page("bob", f"/call/{token}")
    expect(bob_page.get_by_label("Message")).to_be_visible()

    settings = open_settings(alice_page)
    settings.get_by_label("Read-only: nobody can write").check()
    expect(bob_page.get_by_label("Message")).to_be_hidden()
    settings.get_by_label("Read-only: nobody can write").uncheck()
    expect(bob_page.get_by_label("Message")).to_be_visible()

    settings.get_by_label("Lobby: only moderators until they open it").check()
    assert room_state(alice, token)["lobbyState"] == 1
    again = user_page("bob", f"/call/{token}")
    expect(again.get_by_role("alert")).to_have_text("You are waiting in the lobby.")


def test_leaving_and_deleting(user_page: UserPage, alice: TalkClient) -> None:
    leave_token = create_room(alice, "To leave", members=["bob"])
    delete_token = create_room(alice, "To delete", members=["bob"])
    bob_page = user_page("bob", f"/call/{leave_token}")
    expect(room_item(bob_page, delete_token)).to_be_visible()

    settings = open_settings(bob_page)
    settings.get_by_role("button", name="Leave conversation").click()
    bob_page.get_by_role("dialog", name="Leave conversation").get_by_role("button", name="Leave").click()
    expect(room_item(bob_page, leave_token)).to_have_count(0)
    expect(bob_page.locator(".chat-view")).to_have_count(0)

    alice_page = user_page("alice", f"/call/{delete_token}")
    alice_settings = open_settings(alice_page)
    alice_settings.get_by_role("button", name="Delete conversation").click()
    alice_page.get_by_role("dialog", name="Delete conversation").get_by_role("button", name="Delete").click()
    expect(room_item(alice_page, delete_token)).to_have_count(0)
    expect(room_item(bob_page, delete_token)).to_have_count(0)


def test_searching_the_list(user_page: UserPage, alice: TalkClient) -> None:
    first = create_room(alice, "Zebra crossing", members=["bob"])
    second = create_room(alice, "Yak shaving", members=["bob"])
    page = user_page("bob")
    expect(room_item(page, first)).to_be_visible()
    search = page.get_by_label("Search conversations")
    search.fill("zebra")
    expect(room_item(page, first)).to_be_visible()
    expect(room_item(page, second)).to_have_count(0)
    search.fill("nothing like this")
    expect(page.get_by_text("No conversation matches.")).to_be_visible()
    search.press("Escape")
    expect(room_item(page, second)).to_be_visible()


def test_browsing_and_joining_an_open_conversation(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Book club")
    send_message(alice, token, "Welcome, readers")
    alice_page = user_page("alice", f"/call/{token}")
    settings = open_settings(alice_page)
    settings.get_by_label("Open to everyone on this server (listed)").check()
    expect(settings.get_by_label("Open to everyone on this server (listed)")).to_be_checked()

    bob_page = user_page("bob")
    expect(room_item(bob_page, token)).to_have_count(0)
    bob_page.get_by_role("button", name="Browse open conversations").click()
    browse = bob_page.get_by_role("dialog", name="Open conversations")
    browse.get_by_label("Search open conversations").fill("book")
    browse.get_by_role("button", name="Join Book club").click()
    expect(bob_page.locator(".room-title")).to_have_text("Book club")
    expect(bob_page.locator(".messages .message", has_text="Welcome, readers")).to_have_count(1)
    expect(room_item(bob_page, token)).to_be_visible()
