"""A push service on loopback, as a UnifiedPush distributor or a browser vendor runs one: it takes
RFC 8030 pushes over HTTPS and keeps them, and decrypts them (RFC 8291) with the keys of the
subscriptions it made, as the device would.

Paths choose the answer: ``/gone/…`` answers 410 from the second push on (the device is gone after
its registration), ``/flaky/…`` answers 503 to its second push only (a service that is down for a
moment); every other push is 201 Created.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import queue
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own authority (``SSL_CERT_FILE`` for the server)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push service on loopback")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "push-cert.pem", directory / "push-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class Subscription:
    """What a device keeps of its subscription: the private key and auth secret its pushes are
    encrypted for, and the endpoint it registers."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")
        decoded: dict[str, Any] = json.loads(plain)
        return decoded


@dataclass(frozen=True)
class Push:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    received_at: float


class PushService:
    def __init__(self, directory: Path) -> None:
        self.cert_path, key_path = self_signed_certificate(directory)
        self.pushes: queue.Queue[Push] = queue.Queue()
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = service._answer(self.path)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                service.pushes.put(Push(self.path, dict(self.headers), body, status, time.monotonic()))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, key_path)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _answer(self, path: str) -> int:
        with self._lock:
            count = self._seen[path] = self._seen.get(path, 0) + 1
        if path.startswith("/gone/") and count > 1:
            return 410
        if path.startswith("/flaky/") and count == 2:
            return 503
        return 201

    def subscription(self, path: str) -> Subscription:
        return Subscription(f"https://127.0.0.1:{self.port}{path}")

    def next_push(self, path: str, timeout: float = 20) -> Push:
        """The next push that reached ``path`` (others are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no push reached {path}")
            try:
                push = self.pushes.get(timeout=remaining)
            except queue.Empty:
                continue
            if push.path == path:
                return push

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
