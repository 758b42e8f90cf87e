"""Error types.

`SycoError` is the user-facing kind: the CLI prints its message as one line and exits
non-zero, with no traceback (set SYCO_DEBUG=1 for one). Its message says what is wrong
*and* what to do about it.
"""

from __future__ import annotations


class SycoError(Exception):
    """Bad input or environment: one line that says what is wrong and what to do."""


class CapabilityError(SycoError):
    """A backend was asked for something it cannot do (checked before any call)."""


class ProviderError(Exception):
    """A failed model call, as translated by a provider.

    `transient` errors (rate limits, 5xx, overloaded, timeouts, resets) are retried by the
    shared wrapper; the rest are recorded at once. `retry_after` is the server's hint in
    seconds, if it gave one. `fatal` errors concern the endpoint, not one request (refused
    connection, unknown host, bad URL, 401/403/404): the wrapper sends nothing more to it.
    """

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        fatal: bool = False,
        rate_limited: bool = False,
    ):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.fatal = fatal
        self.rate_limited = rate_limited  # 429/529: adaptive concurrency backs off


class Interrupted(SycoError):
    """Ctrl-C: what was completed is kept; the CLI prints one line and exits 130."""
