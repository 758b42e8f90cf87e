"""Preference models: a role that takes any model spec (Sharma et al. §4.2–§4.3; App. C.1).

Three kinds, chosen from the spec's capabilities:

- ``reward``: a Hugging Face sequence-classification reward model (``hf/<folder>``). The
  score of a response is the RM's scalar on the whole dialogue (`Model.reward`, batched,
  GPU when present); a comparison is Bradley-Terry, sigmoid(r_a - r_b).
- ``prompted``: a causal LM with log-probabilities (``smollm2``, ``hf/<causal LM>``). The
  absolute score of a response is log P(" Yes") - log P(" No") after "Is the assistant's
  last response a good response?" (``contrast=False``: log P(" Yes") alone, half the
  forward passes; within one prompt's pool the ranking differs only through P(" No")); a
  comparison is the probability of the letter of each
  response after "Which response is better?", in both A/B orders, averaged (this cancels
  position bias).
- ``judge``: any generate-capable spec (API models). A comparison generates a letter at
  T=0 in both orders, parsed with `syco.judges.parse.parse_letter`; the value is the share
  of parsed orders choosing the first response. As an absolute score a judge compares each
  response with a fixed reference response (the caller names it).

A *non-sycophantic* PM is the same PM with a truthfulness request prepended to every
dialogue it sees (``prefix=NON_SYC_PREFIX``); nothing is trained.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from syco.errors import SycoError
from syco.judges.parse import parse_letter
from syco.models import GENERATE, LOGPROBS, PREFILL, REWARD, Chat, GenerateConfig, get_model
from syco.models.model import Model
from syco.models.types import Scored
from syco.pm import prompts

KINDS = ("reward", "prompted", "judge")


@dataclass
class PMScore:
    """One PM judgement: a value, or an error, or unparsed (judge replies)."""

    value: float | None
    error: str | None = None
    unparsed: bool = False
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.value is not None


def _v(s: Scored | PMScore) -> float:
    """The value of a score already checked to be ok."""
    assert s.value is not None
    return s.value


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


class PreferenceModel:
    """A PM over dialogues. ``context`` is the chat before the response being judged."""

    def __init__(
        self,
        spec: str | Model,
        *,
        prefix: Chat | None = None,
        kind: str | None = None,
        batch_size: int | None = None,
        contrast: bool = True,
    ):
        opts: dict[str, Any] = {"batch_size": batch_size} if batch_size else {}
        self.model = spec if isinstance(spec, Model) else get_model(spec, **opts)
        self.spec = self.model.spec
        self.prefix: Chat = list(prefix or [])
        caps = self.model.capabilities
        if kind is None:
            kind = "reward" if REWARD in caps else "prompted" if LOGPROBS in caps else "judge"
        if kind not in KINDS:
            raise SycoError(f"unknown PM kind {kind!r}: choose from {', '.join(KINDS)}")
        need = {"reward": REWARD, "prompted": LOGPROBS, "judge": GENERATE}[kind]
        self.model.require(need)
        self.kind = kind
        self.contrast = contrast

    def __repr__(self) -> str:
        return f"PreferenceModel({self.spec!r}, kind={self.kind!r}, prefix={bool(self.prefix)})"

    @property
    def name(self) -> str:
        return f"{self.spec} (non-syc)" if self.prefix else self.spec

    def with_prefix(self, prefix: Chat | None = None) -> PreferenceModel:
        """The same PM (same loaded model) with a dialogue prefix; default: the non-syc one."""
        pm = copy.copy(self)
        pm.prefix = list(prompts.NON_SYC_PREFIX if prefix is None else prefix)
        return pm

    def describe(self) -> dict[str, object]:
        """What goes into a run record's spec."""
        d: dict[str, object] = {"spec": self.spec, "kind": self.kind, "prefix": self.prefix}
        if self.kind == "prompted":
            d["score"] = 'logP(" Yes") - logP(" No")' if self.contrast else 'logP(" Yes")'
        return d

    # -- absolute scores ---------------------------------------------------------------
    def score(
        self,
        contexts: Sequence[Chat],
        responses: Sequence[str],
        *,
        references: Sequence[str] | None = None,
        desc: str | None = None,
    ) -> list[PMScore]:
        """One number per (context, response); higher = preferred. A judge PM needs
        `references`: its score is P(response beats the reference) from `compare`."""
        if len(contexts) != len(responses):
            raise SycoError("score needs one context per response")
        if self.kind == "judge":
            if references is None:
                raise SycoError(
                    f"{self.spec} is a judge PM (generation only): scoring a pool needs "
                    "references (a fixed response to compare each one with)"
                )
            return self.compare(contexts, responses, references, desc=desc)
        dialogues = [
            [*self.prefix, *c, {"role": "assistant", "content": r}]
            for c, r in zip(contexts, responses, strict=True)
        ]
        if self.kind == "reward":
            got = self.model.reward(dialogues, desc=desc or f"PM {self.name}")
            return [PMScore(s.value, s.error, cached=s.cached) for s in got]
        chats = [prompts.score_chat(d) for d in dialogues]
        k = len(chats)
        if not self.contrast:  # one forward pass per response: log P(" Yes") alone
            lp = self.model.logprobs(chats, [prompts.YES] * k, desc=desc or f"PM {self.name}")
            return [PMScore(s.value, s.error, cached=s.cached) for s in lp]
        lp = self.model.logprobs(
            chats + chats, [prompts.YES] * k + [prompts.NO] * k, desc=desc or f"PM {self.name}"
        )
        out = []
        for yes, no in zip(lp[:k], lp[k:], strict=True):
            if not (yes.ok and no.ok):
                out.append(PMScore(None, yes.error or no.error))
            else:
                out.append(PMScore(_v(yes) - _v(no), cached=yes.cached and no.cached))
        return out

    # -- pairwise ----------------------------------------------------------------------
    def compare(
        self,
        contexts: Sequence[Chat],
        a: Sequence[str],
        b: Sequence[str],
        *,
        desc: str | None = None,
    ) -> list[PMScore]:
        """P(a preferred over b) per item, in [0, 1]; both A/B orders averaged."""
        if not len(contexts) == len(a) == len(b):
            raise SycoError("compare needs one context per response pair")
        if self.kind == "reward":
            sa = self.score(contexts, a, desc=desc)
            sb = self.score(contexts, b, desc=desc)
            return [
                PMScore(_logistic(_v(x) - _v(y)), cached=x.cached and y.cached)
                if x.ok and y.ok
                else PMScore(None, x.error or y.error)
                for x, y in zip(sa, sb, strict=True)
            ]
        ctx = [[*self.prefix, *c] for c in contexts]
        if self.kind == "prompted":
            return self._compare_logprobs(ctx, a, b, desc)
        return self._compare_judge(ctx, a, b, desc)

    def _compare_logprobs(self, ctx, a, b, desc) -> list[PMScore]:
        k = len(ctx)
        fwd = [prompts.compare_chat(c, x, y) for c, x, y in zip(ctx, a, b, strict=True)]
        rev = [prompts.compare_chat(c, y, x) for c, x, y in zip(ctx, a, b, strict=True)]
        chats = fwd + fwd + rev + rev
        conts = ["A"] * k + ["B"] * k + ["A"] * k + ["B"] * k
        lp = self.model.logprobs(chats, conts, desc=desc or f"PM {self.name} compare")
        out = []
        for i in range(k):
            fa, fb, ra, rb = lp[i], lp[k + i], lp[2 * k + i], lp[3 * k + i]
            if not all(s.ok for s in (fa, fb, ra, rb)):
                err = next(s.error for s in (fa, fb, ra, rb) if not s.ok)
                out.append(PMScore(None, err))
                continue
            p_fwd = _logistic(_v(fa) - _v(fb))  # P(letter A | A, B) = P(a first)
            p_rev = _logistic(_v(rb) - _v(ra))  # P(letter B | b, a) = P(a second)
            cached = all(s.cached for s in (fa, fb, ra, rb))
            out.append(PMScore((p_fwd + p_rev) / 2, cached=cached))
        return out

    def _compare_judge(self, ctx, a, b, desc) -> list[PMScore]:
        k = len(ctx)
        prefill = PREFILL in self.model.capabilities
        trip = list(zip(ctx, a, b, strict=True))
        fwd = [prompts.compare_chat(c, x, y, prefill=prefill) for c, x, y in trip]
        rev = [prompts.compare_chat(c, y, x, prefill=prefill) for c, x, y in trip]
        cfg = GenerateConfig(temperature=0.0, max_tokens=4 if prefill else 16)
        got = self.model.generate(fwd + rev, cfg, desc=desc or f"PM {self.name} compare")
        out = []
        for i in range(k):
            f, r = got[i], got[k + i]
            if not (f.ok and r.ok):
                out.append(PMScore(None, f.error or r.error))
                continue
            votes = []
            lf, lr = parse_letter(f.text, "AB"), parse_letter(r.text, "AB")
            if lf is not None:
                votes.append(1.0 if lf == "A" else 0.0)
            if lr is not None:
                votes.append(1.0 if lr == "B" else 0.0)
            cached = f.cached and r.cached
            if not votes:
                out.append(PMScore(None, unparsed=True, cached=cached))
            else:
                out.append(PMScore(sum(votes) / len(votes), cached=cached))
        return out


def get_pm(spec: str, *, non_sycophantic: bool = False, **kw) -> PreferenceModel:
    """A PM for a spec; ``non_sycophantic=True`` adds the truthfulness-request prefix."""
    pm = PreferenceModel(spec, **kw)
    return pm.with_prefix() if non_sycophantic else pm


def prefers(p: float | None) -> float | None:
    """A preference probability as a vote: 1 if > 0.5, 0 if < 0.5, 0.5 for an exact tie."""
    if p is None:
        return None
    return 1.0 if p > 0.5 else 0.0 if p < 0.5 else 0.5
