"""The page for everyone: keyboard, screen readers (axe-core), dark mode, small screens, a clean console."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from tests.browser.conftest import NARROW, WAIT_MS, create_room, log_in, send_message
from tests.support.client import TalkClient
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PHONE = {"width": 360, "height": 740}

Make = Callable[..., Page]


@pytest.fixture
def make_page(browser: Browser, server: ServerProcess) -> Iterator[Make]:
    """``make_page("alice", viewport=..., color_scheme="dark")``: a logged-in page in a new context."""
    contexts: list[BrowserContext] = []

    def make(user: str, target: str = "/apps/spreed", viewport: dict[str, int] | None = None, **options: Any) -> Page:
        context = browser.new_context(
            base_url=server.base_url, viewport=viewport or {"width": 1280, "height": 800}, **options
        )  # type: ignore[arg-type]
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return log_in(context.new_page(), user, target)

    yield make
    for context in contexts:
        context.close()


def axe_violations(page: Page) -> list[str]:
    page.evaluate(AXE)
    found = page.evaluate(
        """async () => {
          const runOnly = { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] };
          const result = await axe.run(document, { runOnly });
          return result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
        }"""
    )
    return list(found)


def chat_with_content(alice: TalkClient) -> str:
    token = create_room(alice, "Accessible chat", members=["bob"])
    first = send_message(alice, token, "**Hello** @bob, see https://example.com and `code`\n- one\n- two")
    alice.post(f"apps/spreed/api/v1/reaction/{token}/{first['id']}", json={"reaction": "👍"})
    send_message(alice, token, "> quoted\nplain")
    return token


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_problems(make_page: Make, alice: TalkClient, scheme: str) -> None:
    token = chat_with_content(alice)
    page = make_page("bob", f"/call/{token}", color_scheme=scheme)
    expect(page.locator(".reaction")).to_have_count(1)
    assert axe_violations(page) == []

    page.get_by_role("button", name="Conversation settings").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == []
    page.keyboard.press("Escape")

    page.get_by_role("button", name="New conversation").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == []
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Participants").click()
    expect(page.get_by_role("dialog").locator(".participant")).to_have_count(2)
    assert axe_violations(page) == []


def test_dark_mode_follows_the_system(make_page: Make) -> None:
    def background(page: Page) -> str:
        return str(page.evaluate("() => getComputedStyle(document.body).backgroundColor"))

    dark = make_page("bob", color_scheme="dark")
    light = make_page("bob", color_scheme="light")
    assert background(dark) == "rgb(20, 23, 28)"
    assert background(light) == "rgb(245, 246, 248)"


def test_nothing_overflows_a_360_pixel_screen(make_page: Make, alice: TalkClient) -> None:
    token = chat_with_content(alice)
    send_message(alice, token, "averyveryveryveryveryverylongwordwithoutanyspacesatallthatmustwrapsomewhere " * 2)
    page = make_page("bob", viewport=PHONE)
    width = "() => document.documentElement.scrollWidth"
    expect(page.locator(f'.room[data-token="{token}"]')).to_be_visible()
    assert page.evaluate(width) <= PHONE["width"]
    page.locator(f'.room[data-token="{token}"]').click()
    expect(page.locator(".messages .message")).to_have_count(3)
    assert page.evaluate(width) <= PHONE["width"]
    expect(page.get_by_label("Message")).to_be_in_viewport()
    page.get_by_role("button", name="Conversation settings").click()
    dialog = page.get_by_role("dialog")
    box = dialog.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    assert page.evaluate(width) <= PHONE["width"]


def test_keyboard_only_from_the_list_to_a_sent_message(make_page: Make) -> None:
    page = make_page("carol")
    search = page.get_by_label("Search conversations")
    search.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="New conversation")).to_be_focused()
    page.keyboard.press("Enter")
    name = page.get_by_role("dialog").get_by_label("Conversation name")
    expect(name).to_be_focused()
    page.keyboard.type("Keyboard room")
    page.keyboard.press("Enter")
    expect(page.locator(".room-title")).to_have_text("Keyboard room")
    composer = page.get_by_label("Message")
    expect(composer).to_be_focused()
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Enter")
    expect(page.locator(".messages .message", has_text="typed without a mouse")).to_have_count(1)
    # Shift+Tab from the composer reaches the last message's actions, shown while focused.
    page.keyboard.press("Shift+Tab")
    sent = page.locator(".messages .message", has_text="typed without a mouse")
    delete = sent.get_by_role("button", name="Delete", exact=True)
    expect(delete).to_be_focused()
    assert sent.locator(".message-actions").evaluate("node => getComputedStyle(node).opacity") == "1"


def test_normal_use_logs_no_errors_and_no_failed_requests(make_page: Make, alice: TalkClient) -> None:
    token = chat_with_content(alice)
    page = make_page("bob", viewport=NARROW)
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def check(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.request.method} {response.url}")

    page.on("response", check)
    page.reload()
    page.locator(f'.room[data-token="{token}"]').click()
    composer = page.get_by_label("Message")
    composer.fill("A *reply* from Bob")
    composer.press("Enter")
    own = page.locator(".messages .message", has_text="A reply from Bob")
    expect(own).to_have_count(1)
    own.hover()
    own.get_by_role("button", name="Edit", exact=True).click()
    composer.fill("An edited reply from Bob")
    composer.press("Enter")
    expect(page.locator(".messages .message", has_text="An edited reply")).to_have_count(1)
    first = page.locator(".messages .message", has_text="Hello")
    first.get_by_role("button", name="👍 1").click()
    expect(first.get_by_role("button", name="👍 2")).to_be_visible()
    page.get_by_role("button", name="Conversation settings").click()
    page.get_by_role("dialog").get_by_label("Favorite").check()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Participants").click()
    expect(page.get_by_role("dialog").locator(".participant")).to_have_count(2)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Back to conversations").click()
    page.get_by_role("button", name="New conversation").click()
    page.get_by_role("dialog").get_by_label("Message a person").fill("carol")
    expect(page.get_by_role("dialog").get_by_role("button", name="Carol Clark")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(f'.room[data-token="{token}"]')).to_be_visible()
    page.get_by_role("button", name="Browse open conversations").click()
    expect(page.get_by_role("dialog", name="Open conversations")).to_be_visible()
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)
    assert errors == []
    assert failed == []
    assert re.search(r"Causerie$", page.title())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_problems_on_account_and_admin(
    make_page: Make, server: ServerProcess, scheme: str
) -> None:
    groups = server.occ("group:list").stdout
    if '"admin"' not in groups and "admin:" not in groups and "- admin" not in groups:
        server.occ("group:add", "admin")
        server.occ("group:adduser", "admin", "admin")
    page = make_page("admin", "/settings/user", color_scheme=scheme)
    expect(page.get_by_label("Display name")).to_have_value("Administrator")
    assert axe_violations(page) == []
    page.goto("/settings/admin")
    expect(page.locator('#user-rows tr[data-user="alice"]')).to_be_visible()
    expect(page.get_by_label("STUN servers (JSON list)")).to_be_visible()
    assert axe_violations(page) == []
