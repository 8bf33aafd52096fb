"""The Account page: what a person changes about their own account, as the browser shows it."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.client import TalkClient
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


def new_account(server: ServerProcess) -> tuple[str, str]:
    uid, password = f"acc{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    server.occ("user:add", "--password-from-env", "--display-name", "Ada Account", uid, env={"OC_PASS": password})
    return uid, password


def log_in_as(page: Page, uid: str, password: str) -> Page:
    page.goto("/login?redirect_url=/apps/spreed")
    page.get_by_label("Login").fill(uid)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/apps/spreed")
    return page


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 90)).save(out, "PNG")
    return out.getvalue()


def test_name_and_password(open_page: OpenPage, server: ServerProcess, make_client: Callable[..., TalkClient]) -> None:
    uid, password = new_account(server)
    page = log_in_as(open_page(), uid, password)
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    expect(page.get_by_label("Display name")).to_have_value("Ada Account")

    page.get_by_label("Display name").fill("Ada <b>Lovelace</b>")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#name-status")).to_have_text("Display name saved.")
    client = make_client(uid, password=password)
    assert client.get("cloud/user").json()["ocs"]["data"]["displayname"] == "Ada <b>Lovelace</b>"

    form = page.locator("#password-form")
    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill("brand-new-secret")
    page.get_by_label("Repeat new password").fill("brand-new-secret")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-status")).to_have_text("The current password is wrong")

    page.get_by_label("Current password").fill(password)
    page.get_by_label("Repeat new password").fill("something-else")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-status")).to_have_text("The new passwords do not match.")

    page.get_by_label("Repeat new password").fill("brand-new-secret")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-status")).to_have_text("Password changed.")
    assert make_client(uid, password="brand-new-secret").get("cloud/user").status_code == 200
    assert make_client(uid, password=password).get("cloud/user").status_code == 401


def centre(client: TalkClient, uid: str) -> tuple[int, int, int]:
    served = client.get(f"/avatar/{uid}/64")
    assert served.status_code == 200
    colour = Image.open(io.BytesIO(served.content)).convert("RGB").getpixel((32, 32))
    assert isinstance(colour, tuple)
    return (int(colour[0]), int(colour[1]), int(colour[2]))


def test_picture_and_sign_out_everywhere(
    open_page: OpenPage, server: ServerProcess, make_client: Callable[..., TalkClient]
) -> None:
    uid, password = new_account(server)
    page = log_in_as(open_page(), uid, password)
    other = log_in_as(open_page(), uid, password)
    page.goto("/settings/user")
    page.locator("#avatar-file").set_input_files({"name": "me.png", "mimeType": "image/png", "buffer": png()})
    expect(page.locator("#avatar-status")).to_have_text("Picture updated.")
    client = make_client(uid, password=password)
    assert centre(client, uid) == (200, 40, 90)
    page.get_by_role("button", name="Remove picture").click()
    expect(page.locator("#avatar-status")).to_have_text("Picture removed.")
    assert centre(client, uid) != (200, 40, 90)

    page.get_by_role("button", name="Sign out everywhere").click()
    page.wait_for_url("**/login**")
    other.reload()
    expect(other.get_by_label("Password")).to_be_visible()
