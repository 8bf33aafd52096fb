"""Real Chromium (Debian's package, never a downloaded browser) driven by playwright.

One browser for all browser tests; each test gets fresh contexts (own cookies and storage) from
``open_page``. Pages talk to the session's real Causerie process.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.support.client import TalkClient
from tests.support.server import ServerProcess, password_of

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous: the machine is shared and slow; nothing here measures speed.
WAIT_MS = 20_000
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 780}

expect.set_options(timeout=WAIT_MS)


# Package scope, not session: the sync driver runs an event loop in this thread, which must be gone
# before tests elsewhere call asyncio.run(). It also starts after the server, which seeds with asyncio.
@pytest.fixture(scope="package")
def playwright_driver(server: ServerProcess) -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium is not installed at {CHROMIUM}; install Debian's chromium package", pytrace=False)
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    yield browser
    browser.close()


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser, server: ServerProcess) -> Iterator[OpenPage]:
    """``open_page(viewport=WIDE)``: a page in a new browser context (its own cookies)."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(base_url=server.base_url, viewport=viewport or WIDE)  # type: ignore[arg-type]
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# Users only the screenshots use, so that their conversation list holds nothing from other tests.
GALLERY = {"emma": "Emma Evans", "frank": "Frank Fischer"}


def gallery_password(uid: str) -> str:
    return f"{uid}-gallery-password-1"


def password_for(user: str) -> str:
    return gallery_password(user) if user in GALLERY else password_of(user)


@pytest.fixture(scope="package")
def gallery(server: ServerProcess) -> dict[str, str]:
    for uid, name in GALLERY.items():
        server.occ(
            "user:add", "--password-from-env", "--display-name", name, uid, env={"OC_PASS": gallery_password(uid)}
        )
    return GALLERY


def log_in(page: Page, user: str, target: str = "/apps/spreed") -> Page:
    page.goto(f"/login?redirect_url={target}")
    page.get_by_label("Login").fill(user)
    page.get_by_label("Password").fill(password_for(user))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{target}")
    return page


@pytest.fixture
def user_page(open_page: OpenPage) -> Callable[..., Page]:
    """``user_page("alice", target="/call/TOKEN", viewport=NARROW)``: a logged-in page."""

    def make(user: str, target: str = "/apps/spreed", viewport: dict[str, int] | None = None) -> Page:
        return log_in(open_page(viewport), user, target)

    return make


Screenshot = Callable[[Page, str], None]


@pytest.fixture(scope="session")
def screenshot(repo_root: Path) -> Screenshot:
    """``screenshot(page, "chat-wide")`` saves docs/screenshots/chat-wide.png for the README.

    Clock times are left out so that a run changes the committed images only when the page does."""
    folder = repo_root / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(
            path=str(folder / f"{name}.png"), animations="disabled", caret="hide", style="time { visibility: hidden; }"
        )

    return take


def create_room(owner: TalkClient, name: str, *, room_type: int = 2, members: Sequence[str] = (), **extra: Any) -> str:
    """A conversation made through the API, with ``members`` added; returns its token."""
    response = owner.post("apps/spreed/api/v4/room", json={"roomType": room_type, "roomName": name, **extra})
    # A one-to-one conversation another test already opened is answered with 200, as Talk does.
    assert response.status_code in ((200, 201) if room_type == 1 else (201,)), response.text
    token = str(response.json()["ocs"]["data"]["token"])
    for member in members:
        added = owner.post(
            f"apps/spreed/api/v4/room/{token}/participants", json={"newParticipant": member, "source": "users"}
        )
        assert added.status_code == 200, added.text
    return token


def send_message(client: TalkClient, token: str, text: str) -> dict[str, Any]:
    response = client.post(f"apps/spreed/api/v1/chat/{token}", json={"message": text})
    assert response.status_code == 201, response.text
    return dict(response.json()["ocs"]["data"])
