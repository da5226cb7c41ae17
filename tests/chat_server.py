"""A stand-in for an outside OpenAI-compatible chat server, on a loopback port: the model name
of each request picks a scripted reply, so one server plays a good model, a lying one, a slow
one and a busy one. It answers `/chat/completions`, streamed (server-sent events) or not."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import LoopbackServer


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0


class ChatServer(LoopbackServer):
    """`with ChatServer(replies) as server:` serves at `server.base_url` until the block ends;
    `requests` holds every request body received."""

    def __init__(self, replies: dict[str, Reply]) -> None:
        self.replies = replies
        self.requests: list[dict[str, Any]] = []
        super().__init__(self._handler())
        self.base_url = f"{self.origin}/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append(body)
                reply = owner.replies[body["model"]]
                time.sleep(reply.delay)
                # A slow reply's client has given up by now: that is the point of it.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(body, reply)

            def _answer(self, body: dict[str, Any], reply: Reply) -> None:
                if reply.status != 200:
                    self._send(reply.status, "application/json", json.dumps(
                        {"error": {"message": "scripted failure", "type": "rate_limit"}}))
                elif body.get("stream"):
                    words = reply.text.split(" ")
                    pieces = [w if i == 0 else f" {w}" for i, w in enumerate(words)]
                    events = [_chunk(body["model"], {"content": p}, None) for p in pieces]
                    events.append(_chunk(body["model"], {}, "stop"))
                    self._send(200, "text/event-stream", "".join(
                        f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n")
                else:
                    self._send(200, "application/json", json.dumps({
                        "id": "scripted", "object": "chat.completion", "created": 0,
                        "model": body["model"], "choices": [{
                            "index": 0, "finish_reason": "stop",
                            "message": {"role": "assistant", "content": reply.text}}]}))

            def _send(self, status: int, kind: str, text: str) -> None:
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: object) -> None:
                pass

        return Handler


def _chunk(model: str, delta: dict[str, str], finish: str | None) -> dict[str, Any]:
    return {"id": "scripted", "object": "chat.completion.chunk", "created": 0, "model": model,
            "choices": [{"index": 0, "delta": {"role": "assistant", **delta},
                         "finish_reason": finish}]}
