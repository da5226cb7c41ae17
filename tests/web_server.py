"""A small web site on a loopback port for the URL and feed tests: each path serves a scripted
response (status, type, body, delay, redirect), and every request path is recorded."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.loopback import LoopbackServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    location: str = ""
    send_length: bool = True  # False: the body ends when the connection closes
    headers: dict[str, str] = field(default_factory=dict)


class WebServer(LoopbackServer):
    """`with WebServer() as site:` serves `site.routes` (path with query → Route) until the
    block ends; `site.requests` lists the paths asked for."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        super().__init__(self._handler())

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                site.requests.append(self.path)
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                if route is None:
                    route = Route(b"no such page", "text/plain", 404)
                time.sleep(route.delay)
                # A client that gave up (timeout, size cap) has closed the connection.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(route)

            def _send(self, route: Route) -> None:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.location:
                    self.send_header("Location", route.location)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                else:
                    self.close_connection = True
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *_: object) -> None:
                """Quiet: pytest shows what matters."""

        return Handler
