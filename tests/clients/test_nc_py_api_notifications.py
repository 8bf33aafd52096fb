"""nc-py-api's notifications API (its ``test_notifications`` scenarios, for the notifications Talk
creates: nc-py-api makes its own only as an ExApp) against a real Causerie process."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from nc_py_api import Nextcloud

from tests.support.client import TalkClient
from tests.support.notifying import group_room, jobs_done, send
from tests.support.server import ServerProcess, password_of


def test_get_all_get_one_exists_and_delete(
    server: ServerProcess, alice: TalkClient, make_client: Callable[..., TalkClient]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        nc = Nextcloud(nextcloud_url=server.base_url, nc_auth_user="dave", nc_auth_pass=password_of("dave"))
    # Without the capability every call below would refuse to run.
    assert nc.notifications.available is True
    nc.notifications.delete_all()
    assert nc.notifications.get_all() == []

    room = group_room(alice, "nc-py-api notifications", make_client("dave"))
    send(alice, room["token"], "@dave first")
    send(alice, room["token"], "@dave second")
    jobs_done(server)

    found = nc.notifications.get_all()
    assert [n.message for n in found] == ["@Dave Davis second", "@Dave Davis first"]
    newest = found[0]
    assert (newest.app_name, newest.user_id, newest.object_type) == ("spreed", "dave", "chat")
    assert newest.subject == "Alice Adams mentioned you in conversation nc-py-api notifications"
    assert newest.link.startswith(f"{server.base_url}/call/{room['token']}#message_")
    assert newest.time.year >= 2024
    one = nc.notifications.get_one(newest.notification_id)
    assert (one.notification_id, one.subject, one.object_id) == (
        newest.notification_id,
        newest.subject,
        newest.object_id,
    )
    ids = [n.notification_id for n in found]
    assert sorted(nc.notifications.exists([*ids, 2**31])) == sorted(ids)

    nc.notifications.delete(newest.notification_id)
    assert [n.notification_id for n in nc.notifications.get_all()] == [found[1].notification_id]
    assert nc.notifications.exists([newest.notification_id]) == []
    nc.notifications.delete_all()
    assert nc.notifications.get_all() == []
