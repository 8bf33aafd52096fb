"""Fuzzing every route of the running server with parameters of random types and encodings.

Whatever arrives - JSON of any shape, forms with PHP arrays, bad percent-escapes and bad UTF-8,
wrong content types, odd methods, huge numbers - the answer is never a 500, and an OCS route
always answers with a proper OCS envelope in the format asked for. Hostile values are mixed in:
lone UTF-16 surrogates in JSON strings and keys, nesting past PHP's limits (512 levels of JSON, 64
of form and query variables) and thousands deep, and integers longer than Python's 4,300-digit
conversion limit in JSON, forms, query strings and ``{x:int}`` path segments. The routes are read
from the app itself, so every endpoint that lands on main is fuzzed without touching this file.

Examples are derandomized (the same inputs every run); set CAUSERIE_FUZZ_SEED to explore others.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from starlette.routing import Route

from causerie import app as app_module
from tests.conftest import fresh_postgres_database
from tests.support import server as support
from tests.support.server import ServerProcess, password_of

EXAMPLES = int(os.environ.get("CAUSERIE_FUZZ_EXAMPLES", "25"))
FUZZ_SEED = int(os.environ.get("CAUSERIE_FUZZ_SEED", "0"))

# Parameter names Talk endpoints read, so that random values reach real code paths.
PARAM_NAMES = [
    "format", "message", "limit", "timeout", "lastKnownMessageId", "lookIntoFuture", "setReadMarker",
    "includeLastKnown", "roomType", "roomName", "invite", "source", "password", "newParticipant",
    "replyTo", "referenceId", "silent", "actorDisplayName", "search", "state", "permissions", "mode",
    "attendeeId", "participant", "objectType", "objectId", "description", "readOnly", "listable",
    "noStatusUpdate", "includeStatus", "modifiedSince", "force", "flags", "reaction", "messageId",
    "token", "sessionId", "level", "enabled", "name", "requesttoken", "user", "forceMute", "silentCall",
    "recordingConsent", "callFlag", "all", "value", "key", "seconds", "type", "id", "data", "timer",
    "mentionPermissions",
]  # fmt: skip

# Long-polls must not hold a fuzz example for their full timeout.
LONGPOLL_CAPS = {"timeout": "0"}

ints = st.one_of(
    st.integers(min_value=-5, max_value=300),
    st.sampled_from([0, -1, 2**31, 2**31 - 1, 2**63, -(2**63) - 1, 10**30]),
)
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "1", "true", "false", "null", "[]", "{}", " 7 ", "1e309", "NaN", "-0", "0x1f",
                     "a" * 5000, "\x00", "\ud7ff", "💬" * 30, "../../etc/passwd", "%00", "<x/>"]),
)  # fmt: skip
# Integers int() refuses (more than 4,300 digits); the last is past a double's range as well.
HUGE_NUMBERS = ("7" * 4301, "-" + "9" * 5000, "1" + "0" * 400)
huge_digits = st.sampled_from(HUGE_NUMBERS)
# JSON cannot be written with them by json.dumps: a marker string stands for each until _dumps.
huge_markers = st.sampled_from([f"\x00huge{i}\x00" for i in range(len(HUGE_NUMBERS))])
# Lone surrogates have no UTF-8 form: only JSON's \uXXXX escapes carry them.
lone_surrogates = st.sampled_from(["\ud800", "\udfff", "a\udc00b", "\ud83d", "x\ude00"])
json_texts = st.one_of(texts, lone_surrogates)
scalars = st.one_of(
    ints, json_texts, huge_markers, st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_texts, inner, max_size=4), max_leaves=12
)
param_names = st.one_of(st.sampled_from(PARAM_NAMES), st.text(min_size=1, max_size=12))


def _dumps(value: Any) -> bytes:
    text = json.dumps(value)
    for i, digits in enumerate(HUGE_NUMBERS):
        text = text.replace(json.dumps(f"\x00huge{i}\x00"), digits)
    return text.encode()


@st.composite
def form_pairs(draw: st.DrawFn, hostile: int = 2) -> list[tuple[str, str]]:
    """Form fields as PHP sees them: plain, ``a[]`` lists and ``a[k][j]`` maps; up to ``hostile`` of
    them nested past PHP's 64 levels or holding a huge integer."""
    pairs = []
    for name in draw(st.lists(param_names, max_size=6)):
        suffix = draw(st.sampled_from(["", "", "[]", "[]", "[k]", "[0][x]", "[", "]", "[][]"]))
        value = draw(st.one_of(texts, ints.map(str)))
        pairs.append((name + suffix, value))
    for name in draw(st.lists(param_names, max_size=hostile)):
        suffix = draw(st.sampled_from(["", "[a]" * 64, "[a]" * 65, "[]" * 65 + "[a]", "[a]" * 1000]))
        pairs.append((name + suffix, draw(st.one_of(huge_digits, texts))))
    return pairs


@st.composite
def deep_json(draw: st.DrawFn) -> bytes:
    """Arrays or objects nested around the 512 levels of PHP's json_decode, or thousands deep."""
    depth = draw(st.sampled_from([64, 511, 512, 513, 1000, 5000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    nested = opener * depth + draw(st.sampled_from(["1", '"x"', "[]"])) + closer * depth
    if draw(st.booleans()):
        return nested.encode()
    return ('{"' + draw(st.sampled_from(PARAM_NAMES)) + '": ' + nested + "}").encode()


def _encode_form(pairs: list[tuple[str, str]], raw_tail: bytes) -> bytes:
    body = "&".join(f"{quote(k, safe='[]')}={quote(v)}" for k, v in pairs).encode()
    return body + raw_tail


raw_tails = st.sampled_from([b"", b"", b"&%zz=%G1", b"&x=%ff%fe", b"\xff\xfe", b"&&==&", b"&a[b=1", b"&=v"])
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "text/plain",
        "multipart/form-data; boundary=xyz",
        "application/xml",
        "application/vnd.api+json",
        "garbage/;;",
    ]
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str | None, bytes]:
    kind = draw(st.sampled_from(["none", "json", "json", "form", "form", "raw", "bad-json", "deep-json"]))
    if kind == "none":
        return None, b""
    if kind == "json":
        fields = draw(st.dictionaries(param_names, json_values, max_size=6))
        value: Any = fields if draw(st.booleans()) else draw(json_values)
        return draw(st.sampled_from(["application/json", "application/json; charset=utf-8"])), _dumps(value)
    if kind == "deep-json":
        return "application/json", draw(deep_json())
    if kind == "form":
        return "application/x-www-form-urlencoded", _encode_form(draw(form_pairs()), draw(raw_tails))
    if kind == "bad-json":
        return "application/json", draw(
            st.sampled_from([b"{", b"[1,", b'{"a":}', b"\xff\xfe{}", b"nul", b'"x"', b'{"message": "\xed\xa0\x80"}'])
        )
    return draw(content_types), draw(st.binary(max_size=200))


@dataclass(frozen=True)
class Target:
    path: str
    methods: tuple[str, ...]
    ocs: bool


def _targets() -> list[Target]:
    found = []
    for api in app_module._apis():
        for endpoint in api.endpoints:
            found.append(Target(endpoint.path, endpoint.methods, True))
    for route in app_module._web_routes():
        if isinstance(route, Route):
            found.append(Target(route.path, tuple(sorted(route.methods or ("GET",))), False))
    return found


TARGETS = _targets()
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


@st.composite
def path_values(draw: st.DrawFn, convertor: str | None, known: tuple[str, ...] = ()) -> str:
    if convertor == "int":
        return draw(st.sampled_from(["0", "1", "7", str(2**31), str(2**63), str(10**25), *HUGE_NUMBERS[::2]]))
    made_up = st.one_of(st.text(min_size=1, max_size=20), st.sampled_from(["abcdefgh", "%ff", "..", "a b", "x" * 300]))
    # Real values (a room the fuzzing users are in) reach the code behind the 404s.
    value = draw(st.one_of(st.sampled_from(known), made_up) if known else made_up)
    return quote(value, safe="")


@st.composite
def requests_for(draw: st.DrawFn, target: Target, tokens: tuple[str, ...] = ()) -> dict[str, Any]:
    path = target.path
    for match in PARAM.finditer(target.path):
        known = tokens if match.group(1) == "token" else ()
        path = path.replace(match.group(0), draw(path_values(match.group(2), known)), 1)
    if target.ocs:
        path = f"/ocs/v{draw(st.sampled_from([1, 2]))}.php{path}"
    method = draw(
        st.one_of(st.sampled_from(target.methods), st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
    )
    # One hostile pair at most: uvicorn refuses very long request lines before Causerie sees them.
    query = draw(form_pairs(hostile=1))
    query.extend(LONGPOLL_CAPS.items())
    content_type, body = draw(bodies()) if method != "GET" or draw(st.booleans()) else (None, b"")
    headers = {"OCS-APIRequest": "true"}
    accept = draw(st.sampled_from([None, "application/json", "application/xml", "text/html", "*/*"]))
    if accept:
        headers["Accept"] = accept
    if content_type:
        headers["Content-Type"] = content_type
    if draw(st.integers(0, 9)) == 0:
        del headers["OCS-APIRequest"]
    user = draw(st.sampled_from(["alice", "alice", "bob", None]))
    return {
        "method": method,
        "url": path + "?" + _encode_form(query, draw(raw_tails)).decode("latin-1"),
        "headers": headers,
        "content": body,
        "auth": (user, password_of(user)) if user else None,
    }


def check_response(response: httpx.Response, request: dict[str, Any]) -> None:
    where = f"{request['method']} {request['url'][:200]}"
    assert response.status_code < 500, f"{where} -> {response.status_code}: {response.text[:500]}"
    if not response.request.url.path.startswith("/ocs/"):
        return
    if response.status_code == 412:
        assert response.json() == {"message": "CSRF check failed"}, where
        return
    if response.status_code == 304:
        assert response.content == b"", where
        return
    content_type = response.headers.get("content-type", "")
    if "json" in content_type:
        body = response.json()
        assert set(body) == {"ocs"}, where
        assert {"status", "statuscode", "message"} <= set(body["ocs"]["meta"]), where
        assert "data" in body["ocs"], where
    else:
        assert "xml" in content_type, f"{where}: {content_type}"
        root = ET.fromstring(response.content)
        assert root.tag == "ocs", where
        assert root.find("meta/status") is not None, where
        assert root.find("meta/statuscode") is not None, where


def fuzz_server_process(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[ServerProcess]:
    """A seeded server on a database of its own (SQLite, or PostgreSQL with CAUSERIE_TEST_DB)."""

    def run(url: str) -> Iterator[ServerProcess]:
        with support.seeded_server(
            tmp_path_factory.mktemp(name), url, extra_env={"CAUSERIE_LOG_REQUESTS": "0"}
        ) as process:
            yield process

    if support.test_database_kind() == "sqlite":
        yield from run(f"sqlite:///{tmp_path_factory.mktemp(name + 'db') / (name + '.db')}")
        return
    for url in fresh_postgres_database():
        yield from run(url)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of its own: fuzzing creates rooms and messages no other test should see."""
    yield from fuzz_server_process(tmp_path_factory, "fuzz")


@pytest.fixture(scope="module")
def http(fuzz_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzz_server.base_url, timeout=60) as client:
        yield client


def _send(http: httpx.Client, request: dict[str, Any]) -> httpx.Response:
    return http.request(
        request["method"], request["url"], headers=request["headers"], content=request["content"], auth=request["auth"]
    )


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=FUZZ_SEED == 0,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    database=None,
)


@pytest.fixture(scope="module")
def room_tokens(http: httpx.Client) -> tuple[str, ...]:
    """A group room of Alice with Bob and a public one of Bob's, for the ``{token}`` of the routes."""
    tokens = []
    for owner, body in (("alice", {"roomType": 2, "roomName": "Fuzz", "participants": {"users": ["bob"]}}),
                        ("bob", {"roomType": 3, "roomName": "Fuzz open"})):  # fmt: skip
        response = http.post(
            "/ocs/v2.php/apps/spreed/api/v4/room",
            json=body,
            headers={"OCS-APIRequest": "true", "Accept": "application/json"},
            auth=(owner, password_of(owner)),
        )
        assert response.status_code == 201, response.text
        tokens.append(str(response.json()["ocs"]["data"]["token"]))
    return tuple(tokens)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{'/'.join(t.methods)} {t.path}")
def test_fuzzed_requests_get_a_proper_answer(target: Target, http: httpx.Client, room_tokens: tuple[str, ...]) -> None:
    @FUZZ_SETTINGS
    @seed(FUZZ_SEED)
    @given(request=requests_for(target, room_tokens))
    def fuzz(request: dict[str, Any]) -> None:
        check_response(_send(http, request), request)

    fuzz()


@FUZZ_SETTINGS
@given(
    path=st.one_of(
        st.text(max_size=30).map(lambda s: quote(s, safe="/")), st.sampled_from(["apps/spreed/api/v4/room/x/y/z", ""])
    ),
    version=st.sampled_from([1, 2]),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND"]),
)
def test_unknown_ocs_routes_get_an_envelope(http: httpx.Client, path: str, version: int, method: str) -> None:
    request = {"method": method, "url": f"/ocs/v{version}.php/{path}", "headers": {"OCS-APIRequest": "true"}}
    response = http.request(method, request["url"], headers=request["headers"])
    if method != "HEAD":
        check_response(response, request)
    assert response.status_code < 500


def test_oversized_body_is_refused_with_an_envelope(http: httpx.Client) -> None:
    response = http.request(
        "GET",
        "/ocs/v2.php/cloud/user?format=json",
        headers={"OCS-APIRequest": "true", "Content-Type": "application/json"},
        content=b'{"a":"' + b"x" * (5 * 1024 * 1024) + b'"}',
        auth=("alice", password_of("alice")),
    )
    assert response.status_code == 413
    assert response.json()["ocs"]["meta"]["status"] == "failure"


def _raw_exchange(server: ServerProcess, head: str, body: bytes) -> bytes:
    """Send a request whose body never ends and read what the server answers meanwhile."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(head.encode() + body)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def _oversized_head(server: ServerProcess, framing: str) -> str:
    auth = base64.b64encode(f"alice:{password_of('alice')}".encode()).decode()
    return (
        f"GET /ocs/v2.php/cloud/user?format=json HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"OCS-APIRequest: true\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\n{framing}\r\n"
    )


def test_a_declared_huge_body_is_refused_before_it_is_sent(fuzz_server: ServerProcess) -> None:
    head = _oversized_head(fuzz_server, "Content-Length: 1000000000\r\n")
    answer = _raw_exchange(fuzz_server, head, b"{")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_streamed_huge_body_is_refused_while_it_streams(fuzz_server: ServerProcess) -> None:
    chunk = b"x" * 65536
    body = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * 80  # 5 MiB and no end
    head = _oversized_head(fuzz_server, "Transfer-Encoding: chunked\r\n")
    answer = _raw_exchange(fuzz_server, head, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_bad_utf8_in_path_and_query(http: httpx.Client) -> None:
    for url in ("/ocs/v2.php/cloud/user?format=json&x=%ff%fe", "/ocs/v2.php/cloud/%ff?format=json"):
        response = http.get(url, headers={"OCS-APIRequest": "true"}, auth=("alice", password_of("alice")))
        check_response(response, {"method": "GET", "url": url})


def test_targets_cover_the_app() -> None:
    assert any(t.path == "/cloud/capabilities" for t in TARGETS)
    assert Path(app_module.__file__).exists()
