"""Local fake API servers that speak the real OpenAI and Anthropic wire protocols.

Tests drive the official SDKs against these, so the whole path (SDK, error translation,
retries, concurrency, cache) runs without a network. Each server listens on 127.0.0.1 on a
free port in a background thread; its behaviour is scripted per test:

    server.script(rate_limited(retry_after="1"), ok())   # first 429, then a reply
    server.default = error(500)                          # every later request fails
    server.latency = 0.1                                 # seconds before each answer

Every request is recorded (`server.requests`) and the peak number of requests in flight is
kept (`server.max_in_flight`). Run ``python tests/servers.py openai`` to serve one from a
separate process (the benchmark does, so the server does not share the client's GIL).
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# -- scripted actions -------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """What the server does with one request."""

    kind: str  # "ok" | "status" | "raw" | "drop" | "stall"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    error_type: str = "api_error"
    delay: float = 0.0


def ok() -> Action:
    """A normal reply: ``echo: <last user message>`` with word-count usage."""
    return Action("ok")


def rate_limited(retry_after: str | None = "1", retry_after_ms: str | None = None) -> Action:
    """HTTP 429 with the given Retry-After (seconds) and/or retry-after-ms headers."""
    headers = []
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))
    if retry_after_ms is not None:
        headers.append(("retry-after-ms", retry_after_ms))
    return Action("status", 429, tuple(headers), error_type="rate_limit_error")


def error(status: int = 500, error_type: str = "api_error") -> Action:
    """An HTTP error status with the protocol's JSON error body."""
    return Action("status", status, error_type=error_type)


def overloaded() -> Action:
    """Anthropic's 529 overloaded_error."""
    return Action("status", 529, error_type="overloaded_error")


def malformed(body: bytes = b'{"id": "x", "truncated', content_type: str = "application/json"):
    """HTTP 200 with a body that is not a valid reply (by default: cut-off JSON)."""
    return Action("raw", 200, (("Content-Type", content_type),), body=body)


def drop() -> Action:
    """Close the connection without a response (a dropped connection, a crashed proxy)."""
    return Action("drop")


def stall(seconds: float) -> Action:
    """Wait `seconds` before a normal reply (longer than the client's timeout: a stall)."""
    return Action("stall", delay=seconds)


def missing_field() -> Action:
    """HTTP 200, valid JSON, but without ``choices`` (OpenAI) / ``content`` (Anthropic)."""
    return Action("raw", 200, (("Content-Type", "application/json"),), body=b'{"id": "x"}')


# -- requests ---------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or the raw text when it was not JSON
    time: float = field(default_factory=time.monotonic)


def _words(text: str) -> int:
    return len(text.split())


class FakeServer:
    """Base class: threading, recording, scripting. Subclasses render the protocol."""

    path = "/"
    name = "fake"
    handler_class: type | None = None  # a `_Handler` subclass serving more endpoints

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.default: Action = ok()
        self.requests: list[Recorded] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[Action] = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------------
    def script(self, *actions: Action) -> None:
        """Queue actions for the next requests; after them, `default` applies."""
        with self._lock:
            self._script.extend(actions)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._script.clear()
            self.in_flight = self.max_in_flight = 0
            self.default = ok()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What a client is configured with."""
        raise NotImplementedError

    def start(self) -> FakeServer:
        handler = type("Handler", (self.handler_class or _Handler,), {"fake": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
        httpd.daemon_threads = True
        httpd.block_on_close = False  # keep-alive handler threads must not block stop()
        httpd.request_queue_size = 256  # the default backlog (5) drops bursts of connections
        httpd.allow_reuse_address = True
        httpd.server_bind()
        httpd.server_activate()
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests read -----------------------------------------------------------------
    @property
    def calls(self) -> int:
        """Requests to the protocol's endpoint."""
        return sum(1 for r in self.requests if r.path == self.path)

    # -- serving -------------------------------------------------------------------------
    def _next_action(self) -> Action:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def _enter(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reply_text(self, body: dict[str, Any]) -> str:
        users = [m for m in body.get("messages", []) if m.get("role") == "user"]
        last = users[-1]["content"] if users else ""
        if isinstance(last, list):  # content blocks
            last = " ".join(b.get("text", "") for b in last if isinstance(b, dict))
        return f"echo: {last}"

    def input_tokens(self, body: dict[str, Any]) -> int:
        total = 0
        for m in body.get("messages", []):
            c = m.get("content", "")
            total += _words(c) if isinstance(c, str) else 0
        system = body.get("system")
        return total + (_words(system) if isinstance(system, str) else 0)

    def render_ok(self, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def render_error(self, status: int, error_type: str) -> dict[str, Any]:
        raise NotImplementedError


class OpenAIServer(FakeServer):
    """``POST /v1/chat/completions``; clients use base_url ``http://127.0.0.1:PORT/v1``."""

    path = "/v1/chat/completions"
    name = "openai"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def render_ok(self, body: dict[str, Any]) -> dict[str, Any]:
        text = self.reply_text(body)
        p, c = self.input_tokens(body), _words(text)
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c},
        }

    def render_error(self, status: int, error_type: str) -> dict[str, Any]:
        return {"error": {"message": f"fake {status}", "type": error_type, "code": None}}


class AnthropicServer(FakeServer):
    """``POST /v1/messages``; clients use base_url ``http://127.0.0.1:PORT`` (no /v1)."""

    path = "/v1/messages"
    name = "anthropic"

    @property
    def base_url(self) -> str:
        return self.root

    def render_ok(self, body: dict[str, Any]) -> dict[str, Any]:
        text = self.reply_text(body)
        return {
            "id": f"msg_{len(self.requests)}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", ""),
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": self.input_tokens(body), "output_tokens": _words(text)},
        }

    def render_error(self, status: int, error_type: str) -> dict[str, Any]:
        return {"type": "error", "error": {"type": error_type, "message": f"fake {status}"}}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real APIs do
    # Without TCP_NODELAY, Nagle holds the body back until the client's delayed ACK of the
    # headers (~40 ms on Linux): a latency no real API adds.
    disable_nagle_algorithm = True
    timeout = 30  # idle keep-alive connections end eventually

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _send(self, status: int, payload: bytes, headers: tuple[tuple[str, str], ...] = ()):
        self.send_response(status)
        names = {k.lower() for k, _ in headers}
        if "content-type" not in names:
            self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self._headers_buffer.append(b"\r\n" + payload)  # headers and body in one write
        self.flush_headers()

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        fake = self.fake
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        rec = Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        fake._enter(rec)
        try:
            if fake.latency:
                time.sleep(fake.latency)
            if self.path != fake.path or not isinstance(body, dict):
                err = fake.render_error(404, "not_found_error")
                self._send(404, json.dumps(err).encode())
                return
            action = fake._next_action()
            if action.kind == "drop":
                self.close_connection = True
                return
            if action.kind == "stall":
                time.sleep(action.delay)
                with contextlib.suppress(OSError):  # the client gave up long ago
                    self._send(200, json.dumps(fake.render_ok(body)).encode())
                return
            if action.kind == "ok":
                self._send(200, json.dumps(fake.render_ok(body)).encode())
            elif action.kind == "status":
                err = fake.render_error(action.status, action.error_type)
                self._send(action.status, json.dumps(err).encode(), action.headers)
            else:
                self._send(action.status, action.body or b"", action.headers)
        finally:
            fake._leave()


def closed_port() -> int:
    """A local port with nothing listening on it (bound once, then released)."""
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS = {"openai": OpenAIServer, "anthropic": AnthropicServer}


def main(argv: list[str]) -> None:
    """``servers.py openai|anthropic [latency]``: serve until stdin closes; print the port."""
    kind = argv[0] if argv else "openai"
    latency = float(argv[1]) if len(argv) > 1 else 0.0
    serve(SERVERS[kind](latency=latency))


def serve(server: FakeServer) -> None:
    """Start, print the port, serve until stdin closes (for a server in its own process)."""
    server.start()
    print(server.port, flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
