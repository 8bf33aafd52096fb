"""The Admin page: users, groups and Talk's settings, as an administrator sees them."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.client import TalkClient
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]


@pytest.fixture
def admin_group(server: ServerProcess) -> None:
    groups = server.occ("group:list").stdout
    if '"admin"' not in groups and "admin:" not in groups and "- admin" not in groups:
        server.occ("group:add", "admin")
        server.occ("group:adduser", "admin", "admin")


def test_people_who_are_not_admins_get_no_link_and_a_403(user_page: UserPage, admin_group: None) -> None:
    page = user_page("bob")
    expect(page.get_by_role("link", name="Account")).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    response = page.goto("/settings/admin")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_admin_manages_users_and_groups(
    user_page: UserPage, admin_group: None, make_client: Callable[..., TalkClient]
) -> None:
    page = user_page("admin")
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Admin", exact=True)).to_be_visible()
    expect(page.locator('#user-rows tr[data-user="alice"]')).to_contain_text("Alice Adams")

    gid = f"crew{secrets.token_hex(3)}"
    page.get_by_label("New group").fill(gid)
    page.get_by_role("button", name="Add group").click()
    expect(page.locator(f'#group-list li[data-group="{gid}"]')).to_be_visible()

    uid = f"new{secrets.token_hex(3)}"
    page.get_by_label("Login name").fill(uid)
    page.get_by_label("Name", exact=True).fill("<i>Nina</i> New")
    page.get_by_label("Initial password").fill("first-password-1")
    page.get_by_label("Groups (comma-separated)").fill(gid)
    page.get_by_role("button", name="Add user").click()
    expect(page.locator("#users-status")).to_have_text(f"User {uid} added.")
    row = page.locator(f'#user-rows tr[data-user="{uid}"]')
    expect(row).to_contain_text("<i>Nina</i> New")
    expect(row).to_contain_text(gid)
    assert make_client(uid, password="first-password-1").get("cloud/user").status_code == 200

    page.get_by_label("Search users").fill(uid)
    expect(page.locator("#user-rows tr")).to_have_count(1)

    row.get_by_role("button", name=f"Disable {uid}").click()
    expect(row.locator(".state")).to_have_text("Disabled")
    assert make_client(uid, password="first-password-1").get("cloud/user").status_code == 401
    row.get_by_role("button", name=f"Enable {uid}").click()
    expect(row.locator(".state")).to_have_text("Enabled")

    page.get_by_label("User", exact=True).first.fill(uid)
    page.get_by_label("New password").fill("reset-password-2")
    page.get_by_role("button", name="Reset password").click()
    expect(page.locator("#users-status")).to_have_text(f"Password of {uid} reset.")
    assert make_client(uid, password="reset-password-2").get("cloud/user").status_code == 200

    page.locator("#member-userid").fill(uid)
    page.locator("#member-groupid").fill(gid)
    page.get_by_role("button", name="Remove from group").click()
    expect(page.locator("#users-status")).to_have_text(f"{uid} removed from {gid}.")
    expect(row).not_to_contain_text(gid)

    page.get_by_role("button", name=f"Delete group {gid}").click()
    expect(page.locator(f'#group-list li[data-group="{gid}"]')).to_have_count(0)


CONFIG = "apps/provisioning_api/api/v1/config/apps/spreed"
SECRET = "s3cret" * 12


@pytest.fixture
def talk_settings_restored(admin_group: None, make_client: Callable[..., TalkClient]) -> Iterator[None]:
    """The session's server is shared: what the test sets is deleted afterwards."""
    yield None
    admin = make_client("admin")
    for key in ("stun_servers", "external_call_service_shared_secret"):
        assert admin.delete(f"{CONFIG}/{key}").status_code == 200


def test_admin_sets_talk_settings_secrets_stay_hidden(
    user_page: UserPage, talk_settings_restored: None, server: ServerProcess
) -> None:
    page = user_page("admin")
    page.goto("/settings/admin")
    page.get_by_label("STUN servers (JSON list)").fill("not json")
    page.get_by_role("button", name="Save Talk settings").click()
    expect(page.locator("#talk-status")).to_contain_text("STUN servers (JSON list):")
    page.get_by_label("STUN servers (JSON list)").fill('["stun.example.org:3478"]')
    page.get_by_label("External call shared secret").fill(SECRET)
    page.get_by_role("button", name="Save Talk settings").click()
    expect(page.locator("#talk-status")).to_have_text("Talk settings saved.")
    expect(page.locator("#talk-external_call_service_shared_secret-state")).to_have_text("set")
    expect(page.get_by_label("STUN servers (JSON list)")).to_have_value('["stun.example.org:3478"]')
    assert SECRET not in page.content()
    shown = server.occ("config:app:get", "spreed", "stun_servers").stdout
    assert "stun.example.org:3478" in shown
