"""The reference external call service, run as its own process, as Talk and browsers meet it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.external_service import AUTH_PASSWORD, AUTH_USER, ExternalService

TALK_URL = "http://127.0.0.1:8123"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalService]:
    running = ExternalService(tmp_path_factory.mktemp("ecs"), TALK_URL).start()
    try:
        yield running
    finally:
        running.stop()


def meeting(service: ExternalService, meeting_id: str, **kw: object) -> httpx.Response:
    kw.setdefault("auth", (AUTH_USER, AUTH_PASSWORD))
    return httpx.get(f"{service.base_url}/nextcloud/meeting/{meeting_id}", timeout=30, **kw)  # type: ignore[arg-type]


def test_answers_the_iframe_url_in_the_configured_field(service: ExternalService) -> None:
    response = meeting(service, "weekly-sync", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["iframeUrl"] == service.page_url("weekly-sync")


@pytest.mark.parametrize(
    "auth", [None, (AUTH_USER, "wrong-password"), ("someone", AUTH_PASSWORD), (AUTH_USER, AUTH_PASSWORD[:-1])]
)
def test_refuses_requests_without_the_right_basic_auth(service: ExternalService, auth: tuple[str, str] | None) -> None:
    response = meeting(service, "weekly-sync", auth=auth)
    assert response.status_code == 401
    assert "iframeUrl" not in response.text


@pytest.mark.parametrize(
    ("meeting_id", "status", "content_type"),
    [
        ("forbidden-1", 403, "application/json"),
        ("error-1", 500, "application/json"),
        ("notfound-1", 404, "application/json"),
        ("html-1", 200, "text/html"),
    ],
)
def test_knobs_misbehave_on_purpose(service: ExternalService, meeting_id: str, status: int, content_type: str) -> None:
    response = meeting(service, meeting_id)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(content_type)


def test_knobs_that_break_the_answer(service: ExternalService) -> None:
    assert len(meeting(service, "big-1").content) > 1024 * 1024
    assert "iframeUrl" not in meeting(service, "nofield-1").json()
    assert meeting(service, "empty-1").json()["iframeUrl"] == ""
    assert meeting(service, "script-1").json()["iframeUrl"].startswith("javascript:")


def test_records_what_talk_sent(service: ExternalService) -> None:
    service.forget_requests()
    meeting(service, "team%2Fweekly", headers={"x-nextcloud-user-id": "alice", "Accept": "application/json"})
    [seen] = service.requests()
    assert seen == {
        "meetingId": "team/weekly",
        "rawPath": "/nextcloud/meeting/team%2Fweekly",
        "userId": "alice",
        "accept": "application/json",
        "authUser": AUTH_USER,
    }


def test_meeting_page_posts_join_and_leave_to_the_talk_origin_only(service: ExternalService) -> None:
    page = httpx.get(service.page_url("weekly-sync"), timeout=30)
    assert page.status_code == 200
    assert f'data-talk-origin="{TALK_URL}"' in page.text
    assert '<button type="button" id="join">Join</button>' in page.text
    assert '<button type="button" id="leave">Leave</button>' in page.text
    assert page.headers["content-security-policy"] == f"frame-ancestors {TALK_URL}"
    script = httpx.get(f"{service.base_url}/static/meeting.js", timeout=30).text
    assert "window.parent.postMessage({ type }, talkOrigin)" in script
    assert "'externalCallJoined'" in script
    assert "'externalCallLeft'" in script


def test_without_a_user_no_auth_is_asked(tmp_path: Path) -> None:
    open_service = ExternalService(tmp_path, TALK_URL, user="").start()
    try:
        response = httpx.get(f"{open_service.base_url}/nextcloud/meeting/m1", timeout=30)
        assert response.status_code == 200
        assert response.json()["iframeUrl"] == open_service.page_url("m1")
    finally:
        open_service.stop()


def test_refuses_to_start_with_a_user_but_no_password(tmp_path: Path) -> None:
    broken = ExternalService(tmp_path, TALK_URL, password="")
    with pytest.raises(RuntimeError, match="needs a password"):
        broken.start()


def test_logs_each_request_and_its_decision(service: ExternalService) -> None:
    meeting(service, "logged-ok", headers={"x-nextcloud-user-id": "alice"})
    meeting(service, "forbidden-logged")
    meeting(service, "logged-ok", auth=(AUTH_USER, "wrong"))
    lines = [line for line in service.log_path.read_text().splitlines() if "logged" in line]
    assert any(
        "meeting 'logged-ok' asked for alice: 200 iframe URL " + service.page_url("logged-ok") in line for line in lines
    ), lines
    assert any(
        "meeting 'forbidden-logged' asked for (guest): 403 forbidden (knob forbidden-)" in line for line in lines
    )
    assert any(f"401 refused: wrong Basic auth for '{AUTH_USER}'" in line for line in lines), lines
