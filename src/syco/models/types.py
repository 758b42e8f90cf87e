"""Typed values that cross the provider boundary.

A chat is a list of ``{"role": "system"|"user"|"assistant", "content": str}`` dicts. A final
``assistant`` message is a *prefill*: the model continues it (as the paper does with
``"The answer is ("``). `GenerateConfig` holds only the settings that change outputs, so it
is exactly what goes into the cache key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Message = dict[str, str]
Chat = list[Message]
Role = Literal["system", "user", "assistant"]

ROLES = ("system", "user", "assistant")


def validate_chat(chat: Chat) -> Chat:
    """Check a chat's shape early, with a message that points at the bad turn."""
    from syco.errors import SycoError

    if not isinstance(chat, list) or not chat:
        raise SycoError("a chat must be a non-empty list of {'role', 'content'} messages")
    for i, m in enumerate(chat):
        if (
            not isinstance(m, dict)
            or m.get("role") not in ROLES
            or not isinstance(m.get("content"), str)
        ):
            raise SycoError(f"message {i} of a chat is malformed: {m!r} (need role in {ROLES})")
        try:
            m["content"].encode("utf-8")
        except UnicodeEncodeError as e:  # a lone surrogate: bytes that were not UTF-8
            before = m["content"][max(0, e.start - 20) : e.start]
            raise SycoError(
                f"message {i} of a chat holds bytes that are not UTF-8 (after {before!r}): "
                "save the text as UTF-8"
            ) from None
    return chat


def user(content: str) -> Message:
    return {"role": "user", "content": content}


def assistant(content: str) -> Message:
    return {"role": "assistant", "content": content}


def has_prefill(chat: Chat) -> bool:
    return bool(chat) and chat[-1]["role"] == "assistant"


@dataclass(frozen=True)
class GenerateConfig:
    """Output-changing generation settings (all of them part of the cache key)."""

    temperature: float = 0.0
    max_tokens: int = 256
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    system: str | None = None

    def __post_init__(self) -> None:
        from syco.errors import SycoError

        if self.temperature < 0:
            raise SycoError(f"temperature must be >= 0, got {self.temperature}")
        if self.max_tokens < 1:
            raise SycoError(f"max_tokens must be >= 1, got {self.max_tokens}")
        if isinstance(self.stop, str):
            object.__setattr__(self, "stop", (self.stop,))
        else:
            object.__setattr__(self, "stop", tuple(self.stop))

    def key(self) -> dict[str, Any]:
        d = asdict(self)
        d["stop"] = list(self.stop)
        return d


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens


@dataclass
class Completion:
    """One model reply, or the error that stopped it (never both)."""

    text: str | None
    stop_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "stop_reason": self.stop_reason,
            "usage": asdict(self.usage),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], *, cached: bool = False) -> Completion:
        return cls(
            text=d["text"],
            stop_reason=d.get("stop_reason"),
            usage=Usage(**d.get("usage", {})),
            cached=cached,
        )

    @classmethod
    def failed(cls, message: str) -> Completion:
        return cls(text=None, stop_reason="error", error=message)


@dataclass
class Scored:
    """A number from a model (a log-probability or a reward), or the error instead."""

    value: float | None
    error: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BatchStatus:
    """A provider batch as last seen: the provider's word for its state, whether processing
    has ended (results can be read), and how many of its requests are done / failed."""

    status: str
    ended: bool
    total: int
    done: int = 0
    failed: int = 0
    note: str = ""
