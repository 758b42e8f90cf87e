"""What the HTTP backends share: settings read from the environment (request timeout, base
URL), and the translation of SDK exceptions (openai and anthropic share a shape) into
`ProviderError`, classified as worth retrying or not."""

from __future__ import annotations

import os
import socket
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from syco.errors import ProviderError, SycoError

DEFAULT_TIMEOUT = 120.0  # seconds for one request; long answers from slow servers fit
CONNECT_TIMEOUT = 10.0  # a host that does not answer at all is not worth 120 s a try


def request_timeout() -> float:
    """Seconds one request may take: ``SYCO_TIMEOUT`` (`syco run/ask --timeout`), else 120."""
    raw = os.environ.get("SYCO_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise SycoError(f"SYCO_TIMEOUT={raw!r} is not a positive number of seconds (e.g. 120)")
    return value


def client_timeout(sdk: Any) -> Any:
    """The SDK's timeout object (each SDK brings its own httpx): the request timeout, with a
    shorter limit for connecting."""
    t = request_timeout()
    return sdk.Timeout(t, connect=min(t, CONNECT_TIMEOUT))


def where(url: str | None) -> str:
    """``scheme://host:port`` of a URL: what messages show (never a path, query or password,
    any of which may hold a credential)."""
    if not url:
        return "the default URL"
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}"


def check_base_url(url: str | None, var: str) -> str | None:
    """A base URL from `var`, refused at once (not after seven tries) when it cannot work."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = url if "@" not in url and len(url) < 80 else "(not shown)"
        raise SycoError(
            f"{var}={shown!r} is not an http(s) URL: set it like http://127.0.0.1:8000/v1"
        )
    return url.strip().rstrip("/")


def offline_key() -> str | None:
    """In cache-only mode (SYCO_OFFLINE=1) and in a plan (`--plan`) no request is ever sent,
    so an API backend may start without a key: the book rebuilds API models' chapters, and a
    user prices a run, with no secret present."""
    from syco.models import plan
    from syco.models.runstate import offline

    return "offline-no-key" if offline() or plan.active() else None


TRANSIENT_STATUS = {408, 409, 425, 429}  # and every 5xx


def retry_after(headers: Any) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date)."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _causes(e: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    cur: BaseException | None = e
    while cur is not None and cur not in chain and len(chain) < 10:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    return chain


def connection_problem(e: BaseException) -> str | None:
    """Why a connection can never work (refused, unknown host, bad URL), or None when it
    might on another try (reset, dropped, timed out)."""
    for c in _causes(e):
        if isinstance(c, ConnectionRefusedError) or "Connection refused" in str(c):
            return "connection refused (is the server running?)"
        if isinstance(c, socket.gaierror) or any(
            s in str(c) for s in ("Name or service not known", "nodename nor servname")
        ):
            return "unknown host (DNS lookup failed)"
        if type(c).__name__ in ("UnsupportedProtocol", "InvalidURL"):  # httpx's, any version
            return "invalid URL (it needs http:// or https:// and a host)"
    return None


def translate(
    sdk: Any, e: Exception, where: str, *, key_var: str = "", url_var: str = ""
) -> ProviderError:
    """Map one SDK exception to a `ProviderError`: rate limits (429), conflicts (409),
    request timeouts (408, or none in time), 5xx and dropped connections are retried;
    refused connections, unknown hosts, invalid URLs and 401/403/404 fail at once, with
    advice, and stop further requests to that endpoint."""
    if isinstance(e, sdk.APIStatusError):
        status = e.status_code
        hint = ""
        if status in (401, 403):
            hint = f" (check {key_var or 'the API key in the environment'})"
        elif status == 404:
            hint = f" (check the model name{' and ' + url_var if url_var else ''})"
        msg = getattr(e, "message", None) or str(e)
        return ProviderError(
            f"{where}: HTTP {status}: {msg}{hint}",
            transient=status in TRANSIENT_STATUS or status >= 500,
            retry_after=retry_after(getattr(e.response, "headers", None)),
            fatal=status in (401, 403, 404),
            rate_limited=status in (429, 529),
        )
    if isinstance(e, sdk.APITimeoutError):
        return ProviderError(
            f"{where}: no answer within {request_timeout():g} s (SYCO_TIMEOUT)", transient=True
        )
    if isinstance(e, sdk.APIConnectionError):
        problem = connection_problem(e)
        if problem:
            check = f"; check {url_var}" if url_var else ""
            return ProviderError(f"{where}: {problem}{check}", transient=False, fatal=True)
        return ProviderError(f"{where}: connection failed ({e.__cause__ or e})", transient=True)
    if isinstance(e, sdk.APIResponseValidationError):
        return ProviderError(f"{where}: malformed response: {e}", transient=False)
    return ProviderError(f"{where}: {type(e).__name__}: {e}", transient=False)


async def sdk_call(sdk: Any, where: str, factory: Any) -> Any:
    """Await one SDK call, its exceptions translated (the batch endpoints' calls)."""
    try:
        return await factory()
    except Exception as e:
        raise translate(sdk, e, where) from e
