"""The external call service: Talk asks it for an iframe URL, and it may create conversations.

Talk → service: ``iframe_url()`` GETs the configured URL with ``{meetingId}`` replaced by the
conversation's objectId and reads one field of the JSON answer. Every way that can go wrong is a
domain error with Talk's reason (``server``, ``type``, ``response``, ``field``); a 403 from the
service is ``ServiceRefused``, after which the caller removes the participant as Talk does.

Service → Talk: ``check_service_secret()`` compares the ``x-nextcloud-talk-external-service``
header with the shared secret in constant time; a wrong one counts a brute-force attempt under
``SECRET_ACTION``.

Where Talk has bugs, Causerie deliberately differs (docs/architecture.md, "External call service"):
the Basic-auth password falls back to the shared secret, a short secret makes the service "not
configured" instead of a 500, a non-JSON answer is a 400 ``response`` instead of a 500, the
meetingId is percent-encoded, and the outgoing request has short, configurable timeouts and a size
cap so that a slow or hostile service cannot hold a user's request or the server's memory.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from causerie.events.broker import Broker
from causerie.services.accounts.users import User
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP, SHARED_SECRET_MIN_LENGTH, origin_of
from causerie.services.errors import BadRequest, Forbidden, NotFound, Unauthorized
from causerie.services.rooms import attendees, rooms
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.services.rooms.system_messages import room_key
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Conn, Database

log = logging.getLogger("causerie.external_call")

OBJECT_TYPE = "external_call"
SECRET_ACTION = "talkExternalCallServiceSecret"
SECRET_HEADER = "x-nextcloud-talk-external-service"
USER_ID_HEADER = "x-nextcloud-user-id"
MEETING_ID_PLACEHOLDER = "{meetingId}"
# An iframe URL fits in a few hundred bytes; anything much larger is a broken or hostile service.
MAX_RESPONSE_BYTES = 64 * 1024
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 5.0


@dataclass(frozen=True)
class ServiceConfig:
    """A snapshot of the ``external_call_service*`` keys, checked the way they are used."""

    url_template: str | None  # a valid http(s) URL, trailing slashes removed; None when invalid
    shared_secret: str | None  # None when empty or too short to be trusted
    auth_user: str
    auth_password: str
    iframe_field: str
    frame_origins: tuple[str, ...]
    connect_timeout: float
    read_timeout: float

    @classmethod
    def from_config(cls, config: AppConfig) -> ServiceConfig:
        url = config.string("external_call_service").strip().rstrip("/")
        secret = config.string("external_call_service_shared_secret")
        return cls(
            url_template=url if origin_of(url) is not None else None,
            shared_secret=secret if len(secret) >= SHARED_SECRET_MIN_LENGTH else None,
            auth_user=config.string("external_call_service_auth_user"),
            auth_password=config.string("external_call_service_auth_password"),
            iframe_field=config.string("external_call_service_iframe_field"),
            frame_origins=_origins(config.array("external_call_service_frame_origins")),
            connect_timeout=_seconds(config.value("external_call_service_connect_timeout"), DEFAULT_CONNECT_TIMEOUT),
            read_timeout=_seconds(config.value("external_call_service_timeout"), DEFAULT_READ_TIMEOUT),
        )

    @property
    def configured(self) -> bool:
        """Talk's ``isExternalCallServiceConfigured``: a usable URL and a usable secret."""
        return self.url_template is not None and self.shared_secret is not None

    @property
    def service_origin(self) -> str | None:
        return origin_of(self.url_template) if self.url_template else None

    def meeting_url(self, object_id: str) -> str:
        assert self.url_template is not None
        # One path segment, whatever the objectId holds: "a/../b" or "x?y" must not reshape the URL.
        return self.url_template.replace(MEETING_ID_PLACEHOLDER, quote(object_id, safe=""))

    def basic_auth(self) -> tuple[str, str] | None:
        """Basic auth only when a user is set; the password falls back to the shared secret."""
        if not self.auth_user:
            return None
        # Talk urlencode()s the user name, so a ':' in it cannot end the user part early.
        return quote_plus(self.auth_user), self.auth_password or self.shared_secret or ""


def _origins(values: list[Any]) -> tuple[str, ...]:
    """The valid origins only: whatever else is stored must never reach a CSP header."""
    found: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        origin = origin_of(value)
        if origin is not None and origin == value.rstrip("/").lower() and origin not in found:
            found.append(origin)
    return tuple(found)


def _seconds(value: Any, default: float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if 0 < seconds <= 60 else default


class ServiceRefused(Forbidden):
    """The service answered 403 for this participant: Talk removes them from the conversation."""

    def __init__(self) -> None:
        super().__init__(message="The external call service refused the participant", data=None)


def _response_error(reason: str) -> BadRequest:
    log.warning("external call service: %s", reason)
    return BadRequest("response")


async def _read_capped(response: httpx.Response) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body.extend(chunk)
        if len(body) > MAX_RESPONSE_BYTES:
            raise _response_error(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
    return bytes(body)


async def _fetch(http: httpx.AsyncClient, service: ServiceConfig, object_id: str, user_id: str | None) -> bytes:
    headers = {"Accept": "application/json"}
    if user_id is not None:
        headers[USER_ID_HEADER] = user_id
    timeout = httpx.Timeout(
        connect=service.connect_timeout,
        read=service.read_timeout,
        write=service.read_timeout,
        pool=service.connect_timeout,
    )
    request = http.build_request("GET", service.meeting_url(object_id), headers=headers, timeout=timeout)
    auth = service.basic_auth()
    try:
        # The read timeout is per read; the overall deadline stops a service that trickles bytes.
        async with asyncio.timeout(service.connect_timeout + service.read_timeout):
            response = await http.send(request, auth=auth, stream=True)
            try:
                if response.status_code == 403:
                    raise ServiceRefused()
                if not 200 <= response.status_code < 300:
                    raise _response_error(f"HTTP {response.status_code} from {request.url}")
                return await _read_capped(response)
            finally:
                await response.aclose()
    except TimeoutError:
        raise _response_error(f"no complete answer from {request.url} in time") from None
    except httpx.HTTPError as exc:
        raise _response_error(f"{type(exc).__name__} for {request.url}: {exc}") from None


def _field_of(body: bytes, field_name: str) -> str:
    try:
        answer = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _response_error("the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise _response_error("the answer is not a JSON object")
    value = answer.get(field_name) if field_name else None
    if value is None or value == "":
        raise BadRequest("field")
    # The value becomes an iframe's src: only a web page may get there, never javascript: or data:.
    if not isinstance(value, str) or origin_of(value) is None:
        log.warning("external call service: field %r is not an http(s) URL", field_name)
        raise BadRequest("field")
    return value


async def load_service(conn: Conn) -> ServiceConfig:
    return ServiceConfig.from_config(await AppConfig.load(conn, APP))


async def iframe_url(http: httpx.AsyncClient, service: ServiceConfig, object_id: str, user_id: str | None) -> str:
    """Ask the service for the meeting's iframe URL (``user_id`` is None for guests)."""
    if not service.configured:
        raise BadRequest("server")
    return _field_of(await _fetch(http, service, object_id, user_id), service.iframe_field)


async def iframe_url_for(
    db: Database, http: httpx.AsyncClient, broker: Broker, room: Room, participant: Participant
) -> str:
    """``POST /room/{token}/external-call``: the iframe URL for this participant of ``room``.

    No database transaction is open while the service is asked: it may take seconds to answer.
    A participant the service refuses is removed, and the room's waiters are woken.
    """
    async with db.read() as conn:
        service = await load_service(conn)
    if not service.configured:
        raise BadRequest("server")
    if room.object_type != OBJECT_TYPE:
        raise BadRequest("type")
    user_id = participant.actor.id if participant.is_user else None
    try:
        return await iframe_url(http, service, room.object_id, user_id)
    except ServiceRefused:
        await _remove_refused(db, broker, room, participant)
        raise


async def _remove_refused(db: Database, broker: Broker, room: Room, participant: Participant) -> None:
    """Talk removes a participant the service refuses, so the conversation follows its policy."""
    log.critical(
        "Removed former %s %s from conversation %s due to external call policy",
        participant.actor.type,
        participant.actor.id,
        room.token,
    )
    async with db.write() as conn:
        removed = await attendees.remove_participant(conn, room, participant.attendee_id, actor=participant.actor)
    if removed:
        await broker.publish(room_key(room.token))


def check_service_secret(service: ServiceConfig, header: str) -> None:
    """Accept a service request only with the configured secret; otherwise 401 and an attempt."""
    secret = service.shared_secret
    if not service.configured or secret is None or not hmac.compare_digest(header.encode(), secret.encode()):
        raise Unauthorized("auth", throttle=SECRET_ACTION)


async def service_room_owner(conn: Conn, header: str, owner: str, room_type: int) -> User:
    """Who a conversation created by the service (``POST /room`` with its secret) belongs to.

    Checked in Talk's order: the secret (401 ``auth``, throttled), then ``owner`` given (400),
    a group or public room (400 ``object-type``, as Talk names it), the owner exists (404).
    """
    check_service_secret(await load_service(conn), header)
    if not owner:
        raise BadRequest("owner")
    if room_type not in (rooms.GROUP, rooms.PUBLIC):
        raise BadRequest("object-type")
    row = await accounts.get_user(conn, owner)
    if row is None:
        raise NotFound("owner")
    return User(uid=row.uid, display_name=row.display_name, email=row.email)


def announced_url_template(config: AppConfig) -> str | None:
    """``config.call.external-call-service`` of the capabilities: published whenever the URL is valid."""
    return ServiceConfig.from_config(config).url_template
