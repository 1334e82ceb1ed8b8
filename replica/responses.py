"""The response value the routes build and the server writes, plus the shared canned bodies."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from replica import pages
from replica.model import Site

HTML = "text/html; charset=utf-8"


@dataclass
class Response:
    """What the server sends: status, body and headers (Content-Length is added by the server)."""

    status: int
    body: bytes = b""
    content_type: str | None = HTML
    headers: dict[str, str] = field(default_factory=dict)
    #: A socket-level misbehaviour the server acts out instead of a clean send (``faults.SOCKET_KINDS``).
    fault: str | None = None


def html(status: int, page: str, **headers: str) -> Response:
    return Response(status, page.encode("utf-8"), HTML, dict(headers))


def not_found(site: Site) -> Response:
    return html(404, pages.not_found(site))


def _png() -> bytes:
    """A 1x1 grey PNG, standing in for every photo (the archive keeps HTML, not images)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


PIXEL = _png()
