"""How message text is shown: Talk's markdown subset, links, mentions and rich objects.

The renderer is a plain module, so most rules are checked by importing it into a real page and
rendering a message there; the last test sends markdown through the server to another user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import create_room, send_message
from tests.support.client import TalkClient

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]

RENDER = """async ([message, selfId]) => {
  const { richFragment } = await import('/static/richtext.js');
  const host = document.createElement('div');
  host.className = 'body render-probe';
  host.append(richFragment(message, selfId));
  document.body.append(host);
  const html = host.innerHTML;
  host.remove();
  return html;
}"""


@pytest.fixture
def page(user_page: UserPage) -> Page:
    page = user_page("alice")
    page.evaluate("() => { window.__pwned = 0; }")
    return page


def render(page: Page, text: str, params: dict[str, Any] | None = None, **extra: Any) -> str:
    message = {"message": text, "messageParameters": params or {}, "messageType": "comment", "markdown": True, **extra}
    return str(page.evaluate(RENDER, [message, "alice"]))


def test_markdown_subset_as_talk_shows_it(page: Page) -> None:
    assert render(page, "**bold** and *italic* and __strong__ and _em_") == (
        "<p><strong>bold</strong> and <em>italic</em> and <strong>strong</strong> and <em>em</em></p>"
    )
    assert render(page, "a `**not bold**` b") == "<p>a <code>**not bold**</code> b</p>"
    assert render(page, "snake_case_name stays") == "<p>snake_case_name stays</p>"
    assert render(page, "```\nline <one>\n  **two**\n```") == (
        '<pre class="md-code-block"><code>line &lt;one&gt;\n  **two**</code></pre>'
    )
    assert render(page, "- one\n- **two**") == '<ul class="md-list"><li>one</li><li><strong>two</strong></li></ul>'
    assert render(page, "3. three\n4. four") == '<ol class="md-list" start="3"><li>three</li><li>four</li></ol>'
    assert render(page, "> quoted\n> *more*") == (
        '<blockquote class="md-quote"><p>quoted<br><em>more</em></p></blockquote>'
    )
    assert render(page, "# Title\ntext") == '<p class="md-heading md-h1">Title</p><p>text</p>'
    assert render(page, "first line\nsecond line\n\nnext paragraph") == (
        "<p>first line<br>second line</p><p>next paragraph</p>"
    )


def test_urls_become_safe_links(page: Page) -> None:
    html = render(page, "See https://example.com/a?b=1. (and www.example.org)")
    assert html == (
        '<p>See <a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer">'
        'https://example.com/a?b=1</a>. (and <a href="https://www.example.org/" target="_blank" '
        'rel="noopener noreferrer">www.example.org</a>)</p>'
    )
    assert render(page, "[docs](https://example.com/docs)") == (
        '<p><a href="https://example.com/docs" target="_blank" rel="noopener noreferrer">docs</a></p>'
    )


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=window.__pwned=1>",
        "<script>window.__pwned=1</script>",
        "**<img src=x onerror=window.__pwned=1>**",
        "*<svg onload=window.__pwned=1>*",
        "`<img src=x onerror=window.__pwned=1>`",
        "```\n<img src=x onerror=window.__pwned=1>\n```",
        "> <img src=x onerror=window.__pwned=1>",
        "- <img src=x onerror=window.__pwned=1>",
        "# <img src=x onerror=window.__pwned=1>",
        'https://example.com/"><img src=x onerror=window.__pwned=1>',
    ],
)
def test_html_in_any_rule_stays_text(page: Page, text: str) -> None:
    html = render(page, text)
    assert "<img" not in html and "<script" not in html and "<svg" not in html
    assert "&lt;" in html
    page.wait_for_timeout(50)
    assert page.evaluate("() => window.__pwned") == 0


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:window.__pwned=1)",
        "[click](JaVaScRiPt:window.__pwned=1)",
        "[click](data:text/html,<script>1</script>)",
        "[click](vbscript:msgbox)",
        "[click](  javascript:alert(1))",
        "javascript:window.__pwned=1",
    ],
)
def test_no_script_links(page: Page, text: str) -> None:
    html = render(page, text)
    assert "<a" not in html
    assert "href" not in html


def test_rich_objects_and_mentions(page: Page) -> None:
    params = {
        "mention-user1": {"type": "user", "id": "bob", "name": "Bob <b>Brown</b>"},
        "mention-call1": {"type": "call", "id": "room", "name": "Everyone"},
        "mention-user2": {"type": "user", "id": "alice", "name": "Alice"},
        "file": {"type": "file", "id": "1", "name": "plan.pdf", "link": "http://127.0.0.1/f/1"},
        "evil": {"type": "file", "id": "2", "name": "x<img src=x>", "link": "javascript:window.__pwned=1"},
    }
    html = render(
        page, "**{mention-user1}** {mention-call1} {mention-user2} {file} {evil} {unknown} `{mention-user1}`", params
    )
    assert '<strong><span class="mention" title="bob">Bob &lt;b&gt;Brown&lt;/b&gt;</span></strong>' in html
    assert '<span class="mention mention-self" title="room">Everyone</span>' in html
    assert '<span class="mention mention-self" title="alice">Alice</span>' in html
    file_link = (
        '<a href="http://127.0.0.1/f/1" target="_blank" rel="noopener noreferrer" class="rich-object rich-file">'
    )
    assert f"{file_link}plan.pdf</a>" in html
    assert '<span class="rich-param">x&lt;img src=x&gt;</span>' in html
    assert "{unknown}" in html
    assert "<code>Bob &lt;b&gt;Brown&lt;/b&gt;</code>" in html
    # Typed private-use markers cannot pose as a placeholder.
    assert render(page, "\ue0000\ue001 plain", {"x": {"type": "user", "id": "bob", "name": "Bob"}}) == "<p>0 plain</p>"


def test_system_messages_are_not_markdown(page: Page) -> None:
    html = render(
        page,
        "{actor} renamed to **x**",
        {"actor": {"type": "user", "id": "bob", "name": "Bob"}},
        messageType="system",
        markdown=False,
    )
    assert html == '<span class="rich-param">Bob</span> renamed to **x**'


def test_the_other_user_sees_formatted_text(user_page: UserPage, alice: TalkClient) -> None:
    token = create_room(alice, "Formatting", members=["bob"])
    send_message(alice, token, "**Agenda**\n- item `one`\n- see https://example.com/plan")
    bob_page = user_page("bob", f"/call/{token}")
    body = bob_page.locator(".message .body").filter(has_text="Agenda")
    expect(body.locator("strong")).to_have_text("Agenda")
    expect(body.locator("li")).to_have_count(2)
    expect(body.locator("li code")).to_have_text("one")
    link = body.get_by_role("link", name="https://example.com/plan")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("href", "https://example.com/plan")


def test_previews_leave_the_markers_out(page: Page) -> None:
    summary = page.evaluate(
        """async (message) => (await import('/static/richtext.js')).summary(message)""",
        {
            "message": "# Plan\n**Due** `friday`\n- one\n> said\n```\ncode <b>\n```",
            "messageParameters": {},
        },
    )
    assert summary == "Plan Due friday one said code <b>"
