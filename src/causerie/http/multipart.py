"""``multipart/form-data`` bodies (picture uploads), read with the standard library's MIME parser:
the body is already in memory within its endpoint's limit, so no streaming parser is needed."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str
    data: bytes


def parse(content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart body; [] for anything that is not one."""
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type.lower():
        return []
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return []
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        filename = part.get_filename()
        parts.append(Part(name, filename, part.get_content_type(), payload if isinstance(payload, bytes) else b""))
    return parts


def first_file(parts: list[Part], *names: str) -> Part | None:
    """The first part under one of ``names`` (PHP reads ``files[]`` and ``files`` alike)."""
    for part in parts:
        if part.name in names:
            return part
    return None
