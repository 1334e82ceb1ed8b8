"""The replica's HTTP server: threaded, HTTP/1.1 keep-alive, quiet, on 127.0.0.1.

``request_queue_size`` is raised from socketserver's 5: with a backlog of 5 the kernel drops
SYNs under a concurrent crawl and every retry costs the crawler a whole second.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING

from replica.model import Site
from replica.responses import Response
from replica.routes import route

if TYPE_CHECKING:
    from replica.generator.site import GeneratedSite

_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class _HTTPServer(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True
    # Idle keep-alive connections must not make stop() wait; stop() closes them instead.
    block_on_close = False

    def __init__(self, address: tuple[str, int], replica: ReplicaServer) -> None:
        self.replica = replica
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        """Clients hanging up (and sockets closed by stop()) are normal; anything else is reported."""
        if not isinstance(sys.exc_info()[1], _CLIENT_GONE) and not self.replica.stopping.is_set():
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            open_ones = list(self.connections)
        for conn in open_ones:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are dropped after this
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Silence the per-request stderr line; tests read ``ReplicaServer.requests`` instead."""

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 1 << 20))
        self._answer()

    def _answer(self) -> None:
        replica = self.server.replica
        headers = dict(self.headers.items())
        replica.record(self.command, self.path, headers)
        host = self.headers.get("Host")
        base = f"http://{host}" if host else replica.url
        try:
            if isinstance(replica.site, Site):
                response = route(replica.site, self.command, self.path, headers, base)
            else:  # a site with its own routes (replica.generator.GeneratedSite)
                response = replica.site.route(self.command, self.path, headers, base)
        except Exception:  # a replica bug: show it, and answer like a broken portal would
            traceback.print_exc()
            response = Response(500, b"<h1>500 Internal Server Error</h1>")
        self.send(response)

    def send(self, response: Response) -> None:
        """Status, headers with an exact Content-Length, then the body (none for HEAD and 304)."""
        if response.fault == "never-answers":
            self.server.replica.stopping.wait(60)
            self.close_connection = True
            return
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command == "HEAD" or response.status == 304:
            return
        if response.fault in ("reset-mid-body", "truncated-body"):
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            if response.fault == "reset-mid-body":  # linger 0: close() sends RST, not FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            return
        self.wfile.write(response.body)


class ReplicaServer:
    """Serve a :class:`Site` (or a generated site) on ``host:port`` (port 0 picks a free one) from a background thread.

    Usable as ``with ReplicaServer(site) as server: ...`` or with ``start()`` / ``stop()``.
    """

    def __init__(self, site: Site | GeneratedSite, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.host = host
        self.port = port
        #: Every request received, in order: (method, path with query, headers).
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._requests_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        #: Set by stop(); handlers that stall on purpose wait on it.
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        """``http://host:port`` without a trailing slash (the real port once started)."""
        return f"http://{self.host}:{self.port}"

    def record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._requests_lock:
            self.requests.append((method, path, headers))

    def start(self) -> ReplicaServer:
        """Bind and serve in a daemon thread; returns self."""
        self.stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="replica-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, drop open connections (keep-alive or stalled), release the port."""
        self.stopping.set()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
