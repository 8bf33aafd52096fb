"""nc-py-api's user status API (its ``test_user_status`` scenarios; this release has it on the async
client only) against a real Causerie process."""

from __future__ import annotations

import asyncio
import time

from tests.support.nc_py_api import async_nextcloud
from tests.support.server import ServerProcess


def test_status_type_current_and_list(server: ServerProcess) -> None:
    async def scenario() -> None:
        nc, _ = async_nextcloud(server.base_url, "carol")
        # Without the user_status capability every call below would refuse to run.
        assert await nc.user_status.available is True
        for value in ("dnd", "away", "invisible", "online"):
            await nc.user_status.set_status_type(value)  # type: ignore[arg-type]
            current = await nc.user_status.get_current()
            assert current.status_type == value and current.status_type_defined is True
            assert current.user_id == "carol"
        listed = {status.user_id: status for status in await nc.user_status.get_list()}
        assert listed["carol"].status_type == "online"
        found = await nc.user_status.get("carol")
        assert found is not None and found.status_type == "online"
        assert await nc.user_status.get("nobody-here") is None

    asyncio.run(scenario())


def test_messages_predefined_and_custom(server: ServerProcess) -> None:
    async def scenario() -> None:
        nc, _ = async_nextcloud(server.base_url, "carol")
        predefined = await nc.user_status.get_predefined()
        assert {p.status_id for p in predefined} >= {"meeting", "commuting", "vacationing"}
        meeting = next(p for p in predefined if p.status_id == "meeting")
        assert meeting.clear_at is not None
        assert (meeting.clear_at.clear_type, meeting.clear_at.time) == ("period", 3600)
        await nc.user_status.set_predefined("meeting", clear_at=int(time.time()) + 600)
        current = await nc.user_status.get_current()
        assert (current.status_id, current.message_predefined, current.status_message) == (
            "meeting",
            True,
            "In a meeting",
        )
        await nc.user_status.set_status("Writing tests", status_icon="✍️")
        current = await nc.user_status.get_current()
        assert (current.status_message, current.status_icon, current.message_predefined) == (
            "Writing tests",
            "✍️",
            False,
        )
        await nc.user_status.set_status(None)
        assert (await nc.user_status.get_current()).status_message is None
        assert await nc.user_status.restore_backup_status("meeting") is None
        assert await nc.user_status.get_backup_status("carol") is None

    asyncio.run(scenario())
