"""Local fake servers for the providers' batch APIs, on their real wire formats.

`OpenAIBatchServer`: ``POST /v1/files`` (multipart upload, purpose ``batch``), ``POST
/v1/batches``, ``GET /v1/batches[/{id}]``, ``POST /v1/batches/{id}/cancel``, ``GET
/v1/files/{id}/content`` (the JSONL output and error files). `AnthropicBatchServer`: ``POST
/v1/messages/batches``, ``GET /v1/messages/batches[/{id}]``, ``POST .../{id}/cancel``, ``GET
.../{id}/results`` (JSONL). Both also serve the ordinary endpoint (tests/servers.py).

A batch is processed when it is first polled after ``polls_to_end`` polls, unless ``hold``
is set (it stays in progress). Each request is answered like an ordinary call (``echo:
<last user message>``) except one whose last user message contains ``FAIL``, which fails
with an invalid-request error. With ``expire_after = k`` a batch expires once it ends with
only its first k requests processed. Every request is recorded, so a test counts uploads,
creations and polls. ``python tests/batch_servers.py openai`` serves one from its own process.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from servers import AnthropicServer, OpenAIServer, Recorded, _Handler, serve


class BatchHandler(_Handler):
    """Routes batch endpoints to the fake; everything else to the ordinary handler."""

    def _read(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _route(self, method: str) -> bool:
        fake = self.fake
        path = self.path.split("?")[0]
        if not path.startswith(fake.batch_prefixes):  # type: ignore[attr-defined]
            return False
        raw = self._read() if method == "POST" else b""
        rec = Recorded(method, self.path, {k.lower(): v for k, v in self.headers.items()}, None)
        fake._enter(rec)
        try:
            with fake._batch_lock:  # type: ignore[attr-defined]
                status, payload, ctype = fake.serve(method, path, self.headers, raw)  # type: ignore[attr-defined]
            self._send(status, payload, (("Content-Type", ctype),))
        finally:
            fake._leave()
        return True

    def do_GET(self) -> None:  # noqa: N802
        if not self._route("GET"):
            self._send(404, b"{}")

    def do_POST(self) -> None:  # noqa: N802
        if not self._route("POST"):
            super().do_POST()


class BatchMixin:
    """Batch state and processing shared by both fakes; subclasses render the formats."""

    batch_prefixes: tuple[str, ...] = ()
    handler_class = BatchHandler

    def __init__(self, latency: float = 0.0):
        super().__init__(latency)  # type: ignore[call-arg]
        self.init_batches()

    def page(self, extra: dict[str, Any]) -> dict[str, Any]:
        """A list response (newest first, one page)."""
        data = [self._render(b) for b in reversed(list(self.batches.values()))]  # type: ignore[attr-defined]
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        return {**extra, "data": data, "has_more": False, "first_id": first, "last_id": last}

    def init_batches(self) -> None:
        self.batches: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.hold = False
        self.polls_to_end = 1
        self.expire_after: int | None = None
        self._batch_lock = threading.Lock()

    def count(self, method: str, pattern: str) -> int:
        """Recorded requests whose method matches and whose path matches ``pattern``."""
        return sum(
            1
            for r in self.requests  # type: ignore[attr-defined]
            if r.method == method and re.fullmatch(pattern, r.path.split("?")[0])
        )

    def answer(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The reply to one batched request, or None when it fails."""
        if "FAIL" in self.reply_text(body):  # type: ignore[attr-defined]
            return None
        return self.render_ok(body)  # type: ignore[attr-defined]

    def advance(self, b: dict[str, Any]) -> None:
        """One poll: end the batch once it has been polled enough (unless held)."""
        b["polls"] += 1
        if b["state"] == "ended":
            return
        if b["state"] == "cancelling":
            self.finish(b, processed=0, how="cancelled")
        elif not self.hold and b["polls"] > self.polls_to_end:
            k = self.expire_after
            self.finish(
                b,
                processed=len(b["requests"]) if k is None else k,
                how="expired" if k is not None else "completed",
            )

    def finish(self, b: dict[str, Any], processed: int, how: str) -> None:
        b["results"] = []
        for i, (cid, body) in enumerate(b["requests"]):
            if i < processed:
                reply = self.answer(body)
                b["results"].append((cid, "succeeded" if reply else "errored", reply))
            else:
                b["results"].append((cid, how, None))
        b["state"], b["how"], b["ended_at"] = "ended", how, time.time()


def _json(status: int, obj: Any) -> tuple[int, bytes, str]:
    return status, json.dumps(obj).encode(), "application/json"


def _jsonl(lines: list[dict[str, Any]]) -> tuple[int, bytes, str]:
    return 200, "".join(json.dumps(x) + "\n" for x in lines).encode(), "application/binary"


class OpenAIBatchServer(BatchMixin, OpenAIServer):
    batch_prefixes = ("/v1/files", "/v1/batches")

    @property
    def uploads(self) -> int:
        return self.count("POST", r"/v1/files")

    @property
    def creates(self) -> int:
        return self.count("POST", r"/v1/batches")

    def serve(self, method: str, path: str, headers, raw: bytes) -> tuple[int, bytes, str]:
        if method == "POST" and path == "/v1/files":
            msg = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + raw
            )
            parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
            if parts["purpose"].get_content().strip() != "batch":
                return _json(
                    400,
                    {
                        "error": {
                            "message": "purpose must be batch",
                            "type": "invalid_request_error",
                        }
                    },
                )
            data = parts["file"].get_payload(decode=True)
            fid = f"file-{len(self.files) + 1}"
            self.files[fid] = data
            return _json(
                200, self._file(fid, "batch", parts["file"].get_filename() or "input.jsonl")
            )
        m = re.fullmatch(r"/v1/files/([^/]+)/content", path)
        if method == "GET" and m and m.group(1) in self.files:
            return 200, self.files[m.group(1)], "application/binary"
        if method == "POST" and path == "/v1/batches":
            body = json.loads(raw)
            lines = [
                json.loads(x) for x in self.files[body["input_file_id"]].splitlines() if x.strip()
            ]
            bid = f"batch_{len(self.batches) + 1}"
            self.batches[bid] = {
                "id": bid,
                "body": body,
                "requests": [(x["custom_id"], x["body"]) for x in lines],
                "state": "validating",
                "polls": 0,
                "created": int(time.time()),
            }
            return _json(200, self._render(self.batches[bid]))
        if method == "GET" and path == "/v1/batches":
            return _json(200, self.page({"object": "list"}))
        m = re.fullmatch(r"/v1/batches/([^/]+)(/cancel)?", path)
        if m and m.group(1) in self.batches:
            b = self.batches[m.group(1)]
            if m.group(2) and method == "POST":
                if b["state"] != "ended":
                    b["state"] = "cancelling"
            elif method == "GET":
                self.advance(b)
            return _json(200, self._render(b))
        return _json(
            404,
            {"error": {"message": f"no route {method} {path}", "type": "invalid_request_error"}},
        )

    @staticmethod
    def _file(fid: str, purpose: str, name: str) -> dict[str, Any]:
        return {
            "id": fid,
            "object": "file",
            "bytes": 0,
            "created_at": int(time.time()),
            "filename": name,
            "purpose": purpose,
            "status": "processed",
        }

    def _render(self, b: dict[str, Any]) -> dict[str, Any]:
        n = len(b["requests"])
        out: dict[str, Any] = {
            "id": b["id"],
            "object": "batch",
            "endpoint": b["body"]["endpoint"],
            "input_file_id": b["body"]["input_file_id"],
            "completion_window": b["body"]["completion_window"],
            "created_at": b["created"],
            "metadata": b["body"].get("metadata"),
            "errors": None,
            "request_counts": {"total": n, "completed": 0, "failed": 0},
        }
        if b["state"] != "ended":
            status = {"validating": "validating" if b["polls"] == 0 else "in_progress"}.get(
                b["state"], b["state"]
            )
            return {**out, "status": status}
        if "output_file_id" not in b:  # write the files once
            ok = [(cid, r) for cid, kind, r in b["results"] if kind == "succeeded"]
            bad = [(cid, kind) for cid, kind, _ in b["results"] if kind != "succeeded"]
            b["output_file_id"] = b["error_file_id"] = None
            if ok:
                b["output_file_id"] = fid = f"file-{len(self.files) + 1}"
                self.files[fid] = "".join(
                    json.dumps(
                        {
                            "id": f"batch_req_{cid[:8]}",
                            "custom_id": cid,
                            "error": None,
                            "response": {
                                "status_code": 200,
                                "request_id": f"req_{cid[:8]}",
                                "body": r,
                            },
                        }
                    )
                    + "\n"
                    for cid, r in ok
                ).encode()
            if bad:
                b["error_file_id"] = fid = f"file-{len(self.files) + 1}"
                self.files[fid] = "".join(
                    json.dumps(self._error_line(cid, kind)) + "\n" for cid, kind in bad
                ).encode()
        done = sum(1 for _, kind, _ in b["results"] if kind in ("succeeded", "errored"))
        failed = sum(1 for _, kind, _ in b["results"] if kind == "errored")
        return {
            **out,
            "status": b["how"],
            "output_file_id": b["output_file_id"],
            "error_file_id": b["error_file_id"],
            "request_counts": {"total": n, "completed": done - failed, "failed": failed},
            f"{b['how']}_at": int(b["ended_at"]),
        }

    @staticmethod
    def _error_line(cid: str, kind: str) -> dict[str, Any]:
        if kind == "errored":
            return {
                "id": f"batch_req_{cid[:8]}",
                "custom_id": cid,
                "error": None,
                "response": {
                    "status_code": 400,
                    "request_id": f"req_{cid[:8]}",
                    "body": {
                        "error": {
                            "message": "fake invalid request",
                            "type": "invalid_request_error",
                            "param": None,
                            "code": None,
                        }
                    },
                },
            }
        code = {"expired": "batch_expired", "cancelled": "batch_cancelled"}[kind]
        return {
            "id": f"batch_req_{cid[:8]}",
            "custom_id": cid,
            "response": None,
            "error": {"code": code, "message": f"This request was not executed: the batch {kind}."},
        }


def _iso(t: float | None) -> str | None:
    return (
        None
        if t is None
        else datetime.fromtimestamp(t, timezone.utc).isoformat().replace("+00:00", "Z")
    )


class AnthropicBatchServer(BatchMixin, AnthropicServer):
    batch_prefixes = ("/v1/messages/batches",)

    @property
    def creates(self) -> int:
        return self.count("POST", r"/v1/messages/batches")

    def serve(self, method: str, path: str, headers, raw: bytes) -> tuple[int, bytes, str]:
        if method == "POST" and path == "/v1/messages/batches":
            reqs = json.loads(raw)["requests"]
            bid = f"msgbatch_{len(self.batches) + 1:04d}"
            self.batches[bid] = {
                "id": bid,
                "requests": [(r["custom_id"], r["params"]) for r in reqs],
                "state": "in_progress",
                "polls": 0,
                "created": time.time(),
            }
            return _json(200, self._render(self.batches[bid]))
        if method == "GET" and path == "/v1/messages/batches":
            return _json(200, self.page({}))
        m = re.fullmatch(r"/v1/messages/batches/([^/]+)(/cancel|/results)?", path)
        if m and m.group(1) in self.batches:
            b, tail = self.batches[m.group(1)], m.group(2)
            if tail == "/results" and method == "GET" and b["state"] == "ended":
                return _jsonl(
                    [
                        {"custom_id": cid, "result": self._result(kind, r)}
                        for cid, kind, r in b["results"]
                    ]
                )
            if tail == "/cancel" and method == "POST":
                if b["state"] != "ended":
                    b["state"] = "cancelling"
                return _json(200, self._render(b))
            if tail is None and method == "GET":
                self.advance(b)
                return _json(200, self._render(b))
        return _json(
            404,
            {"type": "error", "error": {"type": "not_found_error", "message": f"no route {path}"}},
        )

    @staticmethod
    def _result(kind: str, reply: dict[str, Any] | None) -> dict[str, Any]:
        if kind == "succeeded":
            return {"type": "succeeded", "message": reply}
        if kind == "errored":
            return {
                "type": "errored",
                "error": {
                    "type": "error",
                    "error": {"type": "invalid_request_error", "message": "fake invalid request"},
                },
            }
        return {"type": {"cancelled": "canceled"}.get(kind, kind)}

    def _render(self, b: dict[str, Any]) -> dict[str, Any]:
        n = len(b["requests"])
        counts = {"processing": n, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        ended = b["state"] == "ended"
        if ended:
            counts["processing"] = 0
            for _, kind, _ in b["results"]:
                counts[{"cancelled": "canceled"}.get(kind, kind)] += 1
        return {
            "id": b["id"],
            "type": "message_batch",
            "processing_status": "ended"
            if ended
            else ("canceling" if b["state"] == "cancelling" else "in_progress"),
            "request_counts": counts,
            "created_at": _iso(b["created"]),
            "expires_at": _iso(b["created"] + 86400),
            "ended_at": _iso(b.get("ended_at")),
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": f"{self.root}/v1/messages/batches/{b['id']}/results" if ended else None,
        }


BATCH_SERVERS = {"openai": OpenAIBatchServer, "anthropic": AnthropicBatchServer}


def main(argv: list[str]) -> None:
    """``batch_servers.py openai|anthropic [latency]``: serve until stdin closes."""
    serve(BATCH_SERVERS[argv[0] if argv else "openai"](float(argv[1]) if len(argv) > 1 else 0.0))


if __name__ == "__main__":
    main(sys.argv[1:])
