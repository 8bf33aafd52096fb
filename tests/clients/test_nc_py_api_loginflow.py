"""nc-py-api's ``loginflow_v2``: a client without credentials obtains an app password through a
browser's grant, then talks with it."""

from __future__ import annotations

import threading
import warnings

import httpx
from nc_py_api import Nextcloud
from nc_py_api.talk import ConversationType

from tests.support.server import ServerProcess
from tests.web.test_login_flows import grant_v2_in_browser


def test_loginflow_v2_then_chat(server: ServerProcess) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        nc = Nextcloud(nextcloud_url=server.base_url, nc_auth_user="", nc_auth_pass="")
    flow = nc.loginflow_v2.init(user_agent="causerie-test-script")
    assert flow.endpoint == f"{server.base_url}/login/v2/poll"
    granted: list[str] = []

    def grant() -> None:
        # The user, in a browser, while the script polls.
        with httpx.Client(base_url=server.base_url, timeout=60) as browser:
            granted.append(grant_v2_in_browser(browser, flow.login, "dave"))

    granting = threading.Thread(target=grant)
    granting.start()
    try:
        credentials = nc.loginflow_v2.poll(flow.token, timeout=120, step=1)
    finally:
        granting.join(timeout=120)
    assert "Account connected" in granted[0]
    assert credentials.server == server.base_url and credentials.login_name == "dave"
    assert len(credentials.app_password) == 72
    # The session now uses the app password (overwrite_auth).
    assert nc.user == "dave"
    conversation = nc.talk.create_conversation(ConversationType.GROUP, room_name="logged in by flow v2")
    message = nc.talk.send_message("hello from a granted script", conversation)
    assert message.actor_id == "dave"
    assert "hello from a granted script" in [m.message for m in nc.talk.receive_messages(conversation)]
    nc.talk.delete_conversation(conversation)
