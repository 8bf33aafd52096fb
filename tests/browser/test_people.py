"""Who is in a conversation, as the browser shows it and as moderators change it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import create_room
from tests.support.client import TalkClient

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]


def open_participants(page: Page) -> Locator:
    page.get_by_role("button", name="Participants").click()
    dialog = page.get_by_role("dialog", name="Participants")
    expect(dialog).to_be_visible()
    return dialog


def person(dialog: Locator, actor: str) -> Locator:
    return dialog.locator(f'.participant[data-actor="{actor}"]')


def test_roles_and_presence(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Who is here", members=["bob", "carol"])
    bob_page = user_page("bob", f"/call/{token}")
    expect(bob_page.locator(".room-title")).to_have_text("Who is here")
    alice_page = user_page("alice", f"/call/{token}")
    dialog = open_participants(alice_page)
    expect(person(dialog, "users/alice")).to_contain_text("Alice Adams (you)")
    expect(person(dialog, "users/alice").locator(".role")).to_have_text("Owner")
    expect(person(dialog, "users/bob").get_by_role("img", name="online")).to_be_visible()
    expect(person(dialog, "users/carol").get_by_role("img", name="offline")).to_be_visible()
    # Online people come first.
    expect(dialog.locator(".participant").last).to_have_attribute("data-actor", "users/carol")


def test_promote_demote_and_remove(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Moderation", members=["bob", "carol"])
    alice_page = user_page("alice", f"/call/{token}")
    dialog = open_participants(alice_page)
    dialog.get_by_role("button", name="Promote Bob Brown").click()
    expect(person(dialog, "users/bob").locator(".role")).to_have_text("Moderator")

    bob_page = user_page("bob", f"/call/{token}")
    bob_dialog = open_participants(bob_page)
    expect(bob_dialog.get_by_role("button", name="Remove Carol Clark")).to_be_visible()
    bob_page.keyboard.press("Escape")

    dialog.get_by_role("button", name="Demote Bob Brown").click()
    expect(person(dialog, "users/bob").locator(".role")).to_have_count(0)

    dialog.get_by_role("button", name="Remove Carol Clark").click()
    alice_page.get_by_role("dialog", name="Remove participant").get_by_role("button", name="Remove").click()
    expect(person(dialog, "users/carol")).to_have_count(0)
    expect(alice_page.locator(".system-message", has_text="You removed Carol Clark")).to_have_count(1)


def test_members_see_the_list_without_controls(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Plain member", members=["bob"])
    bob_page = user_page("bob", f"/call/{token}")
    dialog = open_participants(bob_page)
    expect(person(dialog, "users/alice")).to_be_visible()
    expect(dialog.get_by_role("button", name="Remove Alice Adams")).to_have_count(0)
    expect(dialog.get_by_label("Add users or groups")).to_have_count(0)


def test_adding_users_and_groups_found_by_name(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Growing team")
    page = user_page("alice", f"/call/{token}")
    dialog = open_participants(page)
    search = dialog.get_by_label("Add users or groups")
    search.fill("caro")
    dialog.get_by_role("button", name="Carol Clark").click()
    expect(person(dialog, "users/carol")).to_be_visible()
    expect(dialog.get_by_role("status")).to_have_text("Carol Clark was added.")

    search.fill("team")
    group = dialog.locator('.person-option[data-source="groups"]').first
    expect(group).to_be_visible()
    group.click()
    expect(person(dialog, "groups/team").locator(".role")).to_have_text("Group")
    expect(person(dialog, "users/dave")).to_be_visible()
    # Who is in already is not offered again.
    search.fill("carol")
    expect(dialog.locator('.person-option[data-source="groups"]')).to_have_count(0)
    expect(dialog.locator('.person-option[data-id="carol"]')).to_have_count(0)
    expect(page.locator(".system-message", has_text="You added Carol Clark")).to_have_count(1)


def test_starting_a_one_to_one_conversation(user_page: UserPage) -> None:
    page = user_page("dave")
    page.get_by_role("button", name="New conversation").click()
    dialog = page.get_by_role("dialog", name="New conversation")
    dialog.get_by_label("Message a person").fill("bob")
    dialog.get_by_role("button", name="Bob Brown").click()
    expect(dialog).to_have_count(0)
    expect(page.locator(".room-title")).to_have_text("Bob Brown")
    page.get_by_label("Message").fill("Hi Bob, one to one")
    page.get_by_label("Message").press("Enter")

    bob_page = user_page("bob")
    # Other conversations on the shared server mention Dave too: the one-to-one is the one named after him.
    room = bob_page.locator(".room").filter(has=bob_page.locator(".room-name", has_text=re.compile(r"^Dave Davis$")))
    expect(room.locator(".room-preview")).to_have_text("Hi Bob, one to one")
