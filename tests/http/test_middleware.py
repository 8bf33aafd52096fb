"""The headers of pages that may host the external call iframe."""

from __future__ import annotations

import json

from causerie.http.middleware import external_call_page_headers
from causerie.services.calls.external_call import ServiceConfig
from causerie.services.config.appconfig import AppConfig
from causerie.storage.config.appconfig import StoredValue


def service(**values: object) -> ServiceConfig:
    stored = {}
    for key, value in values.items():
        name = f"external_call_service_{key}" if key != "url" else "external_call_service"
        if isinstance(value, list):
            stored[name] = StoredValue(name, json.dumps(value), "array", False)
        else:
            stored[name] = StoredValue(name, str(value), "string", False)
    return ServiceConfig.from_config(AppConfig("spreed", stored))


def directives(csp: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1] for part in csp.split(";") if part.strip()}


def test_frame_origins_may_be_framed_and_use_camera_and_microphone() -> None:
    headers = external_call_page_headers(
        service(
            url="https://pcs.example.tld/nextcloud/meeting/{meetingId}",
            frame_origins=["https://service.example.tld", "https://service2.example.tld:8443"],
        )
    )
    csp = directives(headers["Content-Security-Policy"])
    assert csp["frame-src"] == "'self' https://service.example.tld https://service2.example.tld:8443"
    assert csp["connect-src"] == "'self' https://pcs.example.tld"
    assert csp["script-src"] == "'self'"
    assert csp["default-src"] == "'self'"
    policy = headers["Permissions-Policy"]
    allowed = 'self "https://service.example.tld" "https://service2.example.tld:8443"'
    assert f"camera=({allowed})" in policy
    assert f"microphone=({allowed})" in policy
    assert "display-capture=(self)" in policy


def test_nothing_is_opened_without_configuration() -> None:
    headers = external_call_page_headers(service())
    csp = directives(headers["Content-Security-Policy"])
    assert csp["frame-src"] == "'none'"
    assert csp["connect-src"] == "'self'"
    assert "camera=(self)" in headers["Permissions-Policy"]
    assert "microphone=(self)" in headers["Permissions-Policy"]


def test_stored_values_that_are_not_origins_never_reach_the_headers() -> None:
    headers = external_call_page_headers(
        service(
            url="javascript:alert(1)//{meetingId}",
            frame_origins=["https://ok.example", "https://x.example; script-src *", "https://y.example/path", 7],
        )
    )
    csp = directives(headers["Content-Security-Policy"])
    assert csp["frame-src"] == "'self' https://ok.example"
    assert csp["connect-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert "x.example" not in headers["Permissions-Policy"]
