"""A minimal Chrome DevTools Protocol client for the book's browser tests: Debian's headless
Chromium, one page, driven synchronously over tornado's websocket client (already a Jupyter
dependency), so no Playwright download is needed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium with one page, driven synchronously over CDP."""

    def __init__(self, exe: str, width: int = 1280, height: int = 900):
        from tornado.websocket import websocket_connect

        self.profile = tempfile.mkdtemp(prefix="syco-chromium-")
        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + 30
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.loop = asyncio.new_event_loop()

        async def connect() -> Any:
            return await websocket_connect(
                f"ws://127.0.0.1:{port}{path}", max_message_size=256 << 20
            )

        self.ws = self.loop.run_until_complete(connect())
        self.next_id = 0
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def call(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session

        async def roundtrip() -> dict:
            await self.ws.write_message(json.dumps(msg))
            while True:
                raw = await asyncio.wait_for(self.ws.read_message(), 60)
                if raw is None:
                    raise RuntimeError("chromium closed the DevTools connection")
                reply = json.loads(raw)
                if reply.get("id") == msg["id"]:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply.get("result", {})

        return self.loop.run_until_complete(roundtrip())

    def js(self, expression: str) -> Any:
        r = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        if "exceptionDetails" in r:
            raise AssertionError(f"JS error in {expression[:80]!r}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def goto(self, url: str, *, exact: bool = True) -> None:
        self.call("Page.navigate", {"url": url}, session=True)
        deadline = time.time() + 30
        time.sleep(0.05)
        while time.time() < deadline:
            try:
                if self.js("document.readyState") == "complete" and (
                    not exact or self.js("location.href") == url
                ):
                    break
            except AssertionError:
                pass
            time.sleep(0.05)
        else:
            raise AssertionError(f"{url} did not finish loading")
        # images decode after `load` in some cases; wait for them briefly
        self.js("Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null)))")

    def screenshot(self, path: Path, full: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full:
            h = min(int(self.js("document.documentElement.scrollHeight")), 4000)
            params["clip"] = {"x": 0, "y": 0, "width": 1280, "height": h, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params, session=True)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        async def close_ws() -> None:
            self.ws.close()  # tornado needs its loop running to send the close frame

        try:
            self.loop.run_until_complete(close_ws())
            self.loop.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
