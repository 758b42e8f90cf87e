"""`syco run CHAPTER --plan`: what a run would send and cost, before anything is sent.

The chapter's notebook runs as it would (same parameters, same code path; the runner runs
it: `syco.runner.plan.plan_chapter`) with every model in plan mode (``SYCO_PLAN`` names a
JSONL file): a request found in the answer key returns its recorded answer; a missing one
is written to the plan file and answered with a placeholder instead of a call, so nothing
reaches a provider and no weights load. The executed notebook, its records and any files
it writes go to a temporary folder.

What is assumed, and printed with every plan: input tokens are estimated at 4 characters a
token; every new reply is assumed to use its whole ``max_tokens`` (an upper bound) and to
succeed. A later turn or a judge call that depends on a reply not yet in the answer key
cannot have been recorded (its prompt contains that reply), so it is counted as new, and
its prompt is sized with a placeholder reply of ``max_tokens`` tokens. Branches a real reply
would decide (an item dropped after a failed turn, a reply that cannot be parsed) are taken
as if every reply succeeded, so counts are what a fully successful run sends.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from syco.models.pricing import BATCH_PRICE_FACTOR, batch_factor, price_of
from syco.models.types import Chat, Completion, GenerateConfig, Scored, Usage

if TYPE_CHECKING:
    from syco.models.model import Model

CHARS_PER_TOKEN = 4
PLACEHOLDER_WORD = "xxx"  # 4 characters with its space: one estimated token

_ROLE: contextvars.ContextVar[str | None] = contextvars.ContextVar("syco_role", default=None)

# The innermost syco module (outside syco.models) on the stack names the role of a request,
# unless code says it with `role(...)`.
_MODULE_ROLES = (
    ("syco.judges.answers", "grader"),
    ("syco.judges.", "judge"),
    ("syco.tasks.misconceptions.score", "judge"),
    ("syco.tasks.preference_data.labeler", "labeller"),
    ("syco.pm.", "PM"),
)


def active() -> Path | None:
    path = os.environ.get("SYCO_PLAN")
    return Path(path) if path else None


@contextlib.contextmanager
def role(name: str) -> Iterator[None]:
    """Say which role the model calls inside this block play (subject, judge, grader, PM)."""
    token = _ROLE.set(name)
    try:
        yield
    finally:
        _ROLE.reset(token)


def current_role() -> str:
    explicit = _ROLE.get()
    if explicit:
        return explicit
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        # The shared judge loop (`syco.judges.role`) asks for its caller: the caller names the role.
        shared = module.startswith("syco.models") or module == "syco.judges.role"
        if module.startswith("syco.") and not shared:
            if module == "syco.tasks.misconceptions.run" and frame.f_code.co_name == "difficulty":
                return "difficulty"
            for prefix, name in _MODULE_ROLES:
                if module.startswith(prefix):
                    return name
            return "subject"
        frame = frame.f_back
    return "subject"


def tokens(chat: Chat, system: str | None = None) -> int:
    chars = sum(len(m["content"]) for m in chat) + len(system or "")
    return -(-chars // CHARS_PER_TOKEN) + 4 * len(chat)  # + a few tokens of framing a turn


def _write(model: Model, kind: str, entries: list[tuple[bool, int, int]]) -> None:
    path = active()
    assert path is not None
    base = {
        "spec": model.spec,
        "role": current_role(),
        "kind": kind,
        "model_id": model.api.model_id,
        "backend": model.api.backend,
        "local": model.api.local,
        "batchable": bool(getattr(model.api, "supports_batch", False)),
    }
    with path.open("a", encoding="utf-8") as f:
        for cached, tin, tout in entries:
            f.write(json.dumps({**base, "cached": cached, "in": tin, "out": tout}) + "\n")


def plan_generate(
    model: Model, chats: list[Chat], config: GenerateConfig, todo: list[int], out: list
) -> None:
    """Record every request (hits were filled in already) and answer misses with a
    placeholder of ``max_tokens`` estimated tokens."""
    missing = set(todo)
    text = " ".join([PLACEHOLDER_WORD] * config.max_tokens)
    entries = []
    for i, chat in enumerate(chats):
        tin = tokens(chat, config.system)
        entries.append((i not in missing, tin, config.max_tokens))
        if i in missing:
            out[i] = Completion(text=text, stop_reason="plan", usage=Usage(tin, config.max_tokens))
    _write(model, "generate", entries)


def plan_score(model: Model, reqs: list[dict[str, Any]], todo: list[int], out: list) -> None:
    """The same for log-probability and reward requests (no output tokens)."""
    missing = set(todo)
    entries = [
        (i not in missing, tokens(r["messages"]) + len(r.get("continuation", "")) // 4, 0)
        for i, r in enumerate(reqs)
    ]
    _write(model, reqs[0]["kind"] if reqs else "score", entries)
    for i in missing:
        out[i] = Scored(0.0)


# -- running a plan and printing it -------------------------------------------------------


def summarize(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (model, role): requests, in the answer key, new, tokens, cost."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for d in lines:
        r = rows.setdefault(
            (d["spec"], d["role"]),
            {
                "model": d["spec"],
                "role": d["role"],
                "requests": 0,
                "in_key": 0,
                "new": 0,
                "tokens_in": 0,
                "tokens_out": 0,
                "local": d["local"],
                "batchable": d["batchable"],
                "model_id": d["model_id"],
                "backend": d.get("backend", ""),
            },
        )
        r["requests"] += 1
        if d["cached"]:
            r["in_key"] += 1
        else:
            r["new"] += 1
            r["tokens_in"] += d["in"]
            r["tokens_out"] += d["out"]
    for r in rows.values():
        price = None if r["local"] else price_of(r["model_id"])
        if r["local"]:
            r["cost"] = r["cost_batch"] = 0.0
        elif price is None:
            r["cost"] = r["cost_batch"] = None
        else:
            r["cost"] = (r["tokens_in"] * price[0] + r["tokens_out"] * price[1]) / 1e6
            # The provider's own batch price; a backend without a batch API pays list price.
            factor = batch_factor(r["backend"]) if r["batchable"] else 1.0
            r["cost_batch"] = r["cost"] * factor
    return list(rows.values())


ASSUMED = (
    "assumed: ~4 characters per input token; every new reply uses its whole max_tokens and "
    "succeeds (an upper bound). Later turns and judge/grader calls on replies not yet in the "
    "answer key cannot be recorded, so they count as new, sized with a max_tokens reply. "
    "Batched: each provider's batch price ("
    + ", ".join(f"{b} {f:.0%}" for b, f in sorted(BATCH_PRICE_FACTOR.items()))
    + " of list) where the backend has a batch API; list price where it has none."
)


def format_plan(title: str, rows: list[dict[str, Any]], note: str = "") -> str:
    def money(v: float | None, local: bool) -> str:
        if local or v is None:
            return "local" if local else "n/a"
        return f"${v:,.2f}" if v >= 1 else f"${v:.4f}"

    out = [title]
    if not rows:
        out.append("  no model requests (every role is an offline rule)")
    else:
        w = max(30, *(len(r["model"]) for r in rows))
        head = f"  {'model':<{w}} {'role':<10} {'requests':>8} {'in key':>7} {'new':>7} {'tokens in':>10} {'tokens out':>10} {'cost':>9} {'batched':>9}"
        out.append(head)
        for r in rows:
            out.append(
                f"  {r['model']:<{w}} {r['role']:<10} {r['requests']:>8} {r['in_key']:>7} "
                f"{r['new']:>7} {r['tokens_in']:>10,} {r['tokens_out']:>10,} "
                f"{money(r['cost'], r['local']):>9} "
                f"{money(r['cost_batch'], r['local']) if r['batchable'] or r['local'] else 'no API':>9}"
            )
        unpriced = sorted({r["model"] for r in rows if r["cost"] is None})
        if unpriced:
            out.append(f"  no list price known for {', '.join(unpriced)} (models/pricing.py)")
    if note:
        out.append(f"  note: {note}")
    out.append(f"  {ASSUMED}")
    return "\n".join(out)
