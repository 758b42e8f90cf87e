"""Translate SDK exceptions (openai and anthropic share a shape) into `ProviderError`."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

from syco.errors import ProviderError


def offline_key() -> str | None:
    """In cache-only mode (SYCO_OFFLINE=1) no request is ever sent, so an API backend may
    start without a key: the book rebuilds API models' chapters with no secret present."""
    from syco.models.model import offline

    return "offline-no-key" if offline() else None


TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 529}


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


def translate(sdk: Any, e: Exception, where: str) -> ProviderError:
    """Map one SDK exception to a retryable or final `ProviderError` with a short message."""
    if isinstance(e, sdk.APIStatusError):
        status = e.status_code
        hint = ""
        if status in (401, 403):
            hint = " (check the API key in the environment)"
        elif status == 404:
            hint = " (check the model name and base URL)"
        msg = getattr(e, "message", None) or str(e)
        return ProviderError(
            f"{where}: HTTP {status}: {msg}{hint}",
            transient=status in TRANSIENT_STATUS,
            retry_after=retry_after(getattr(e.response, "headers", None)),
        )
    if isinstance(e, sdk.APITimeoutError):
        return ProviderError(f"{where}: request timed out", transient=True)
    if isinstance(e, sdk.APIConnectionError):
        return ProviderError(f"{where}: cannot connect ({e.__cause__ or e})", transient=True)
    if isinstance(e, sdk.APIResponseValidationError):
        return ProviderError(f"{where}: malformed response: {e}", transient=False)
    return ProviderError(f"{where}: {type(e).__name__}: {e}", transient=False)
