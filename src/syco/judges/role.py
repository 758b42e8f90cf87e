"""One judge role for every chapter: a role spec parsed once, one verdict type, and one loop
that asks a model, parses its replies and maps them back to the items.

A role spec is an offline rule's name (``"alias"``, ``"lexical"``, ``"cues"``, ``"vader"``,
...), a model spec (the model is asked the chapter's judge prompt and its reply parsed), or
``"logprob:SPEC"`` (the model's log-probabilities of two answers are compared instead of
sampling a reply). Graders, admits judges, truthfulness judges and LLM labellers all go
through `ask` / `ask_logprob`; the rules themselves stay in their modules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from syco.errors import SycoError
from syco.models.types import Chat, GenerateConfig

T = TypeVar("T")
RULE, GENERATE, LOGPROB = "rule", "generate", "logprob"


@dataclass(frozen=True)
class Role:
    """A parsed role spec: ``kind`` is "rule", "generate" or "logprob"; ``model_spec`` the
    model a non-rule role asks."""

    spec: str
    kind: str
    model_spec: str | None = None

    @classmethod
    def parse(cls, spec: str, rules: Collection[str] = ()) -> Role:
        spec = spec.strip()
        if spec in rules:
            return cls(spec, RULE)
        if spec.startswith("logprob:"):
            model = spec.removeprefix("logprob:").strip()
            if not model:
                raise SycoError(f"role {spec!r} names no model: use logprob:<model spec>")
            return cls(spec, LOGPROB, model)
        if not spec:
            raise SycoError(f"empty role spec: use one of {sorted(rules)} or a model spec")
        return cls(spec, GENERATE, spec)

    @property
    def is_rule(self) -> bool:
        return self.kind == RULE

    def model(self) -> Any:
        """The role's model (`syco.models.get_model`, memoised per process)."""
        import syco.models

        if self.model_spec is None:
            raise SycoError(f"role {self.spec!r} is an offline rule: it asks no model")
        return syco.models.get_model(self.model_spec)


@dataclass(frozen=True)
class Verdict(Generic[T]):
    """One judgement: ``value``, or None when the judge's reply was unparsed (``unparsed``)
    or its call failed (``error``, counted apart: neither right nor wrong). ``reply`` is the
    raw reply, ``cached`` whether it came from the answer key."""

    value: T | None
    judge: str
    reply: str | None = None
    error: str | None = None
    cached: bool = False

    @property
    def unparsed(self) -> bool:
        return self.value is None and self.error is None

    @property
    def ok(self) -> bool:
        return self.value is not None

    def to_row(self, prefix: str) -> dict[str, object]:
        return {
            f"{prefix}": self.value,
            f"{prefix}_judge": self.judge,
            f"{prefix}_reply": self.reply,
            f"{prefix}_error": self.error,
        }


def _model_and_name(judge: Role | Any) -> tuple[Any, str]:
    if isinstance(judge, Role):
        return judge.model(), judge.spec
    return judge, str(getattr(judge, "spec", judge))  # a model object (tests, callers)


def ask(
    judge: Role | Any,
    prompts: Sequence[Chat | None],
    parse: Callable[[str | None], T | None],
    config: GenerateConfig,
    *,
    desc: str,
) -> list[Verdict[T]]:
    """Ask the judge every prompt in one batched call, parse each reply and map it back to
    its item. A None prompt (nothing to judge) is unparsed without a call; a failed call is
    an error, never a value."""
    model, name = _model_and_name(judge)
    out: list[Verdict[T]] = [Verdict(None, name) for _ in prompts]
    todo = [i for i, p in enumerate(prompts) if p]
    comps = model.generate([prompts[i] for i in todo], config, desc=desc) if todo else []
    for i, c in zip(todo, comps, strict=True):
        if not c.ok:
            out[i] = Verdict(None, name, error=c.error)
        else:
            out[i] = Verdict(parse(c.text), name, reply=c.text, cached=c.cached)
    return out


def ask_logprob(
    judge: Role | Any,
    prompts: Sequence[Chat | None],
    answers: tuple[str, str] = (" Yes", " No"),
    *,
    desc: str,
) -> list[Verdict[bool]]:
    """True where the first answer is more likely than the second after the prompt."""
    model, name = _model_and_name(judge)
    out: list[Verdict[bool]] = [Verdict(None, name) for _ in prompts]
    todo = [i for i, p in enumerate(prompts) if p]
    chats = [prompts[i] for i in todo]
    first = model.logprobs(chats, [answers[0]] * len(chats), desc=desc) if todo else []
    second = model.logprobs(chats, [answers[1]] * len(chats), desc=desc) if todo else []
    for i, a, b in zip(todo, first, second, strict=True):
        if a.value is None or b.value is None:
            out[i] = Verdict(None, name, error=a.error or b.error or "no log-probability")
        else:
            reply = f"logP({answers[0]!r})={a.value:.3f} logP({answers[1]!r})={b.value:.3f}"
            out[i] = Verdict(a.value > b.value, name, reply=reply, cached=a.cached and b.cached)
    return out
