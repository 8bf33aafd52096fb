"""Logging in and out in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OpenPage, log_in

pytestmark = pytest.mark.browser


def test_login_opens_the_chat_page_and_logout_ends_the_session(open_page: OpenPage) -> None:
    page = log_in(open_page(), "alice")
    expect(page.locator("#me")).to_have_text("Alice Adams")
    expect(page.get_by_role("list", name="Conversations", exact=True)).to_be_attached()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto("/apps/spreed")
    page.wait_for_url("**/login?redirect_url=/apps/spreed")


def test_wrong_password_shows_an_error_and_keeps_the_login(open_page: OpenPage, reset_bruteforce: None) -> None:
    page = open_page()
    page.goto("/login")
    page.get_by_label("Login").fill("alice")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong login or password.")
    expect(page.get_by_label("Login")).to_have_value("alice")
    page.goto("/apps/spreed")
    page.wait_for_url("**/login?redirect_url=/apps/spreed")


def test_logging_out_in_another_tab_sends_this_one_to_the_login(open_page: OpenPage) -> None:
    page = log_in(open_page(), "alice")
    other = page.context.new_page()
    other.goto("/apps/spreed")
    other.get_by_role("button", name="Log out").click()
    other.wait_for_url("**/login")
    # The conversation list's next refresh finds the session gone.
    page.wait_for_url("**/login?redirect_url=%2Fapps%2Fspreed")
    expect(page.get_by_label("Login")).to_be_visible()
