"""Log-probabilities of continuations with a local causal LM, sharing work between
sequences that start alike.

A preference model scores the M samples of one prompt with M chats that differ only near
the end (the response and the question after it). Running the shared prefix once and the
M short suffixes on top of its KV cache reads each prompt once instead of M times; it gives
the same numbers as one padded batch (tested against a plain forward pass). Sequences
without a long shared prefix go through one left-padded batch.
"""

from __future__ import annotations

import inspect
from typing import Any

# Shorter shared prefixes are not worth a second forward pass.
MIN_SHARED_TOKENS = 48
# Neighbours sharing less than this fraction of what either shares with its other
# neighbour start a new group.
VALLEY = 0.75


def _keep(model: Any, n: int) -> dict[str, int]:
    """``logits_to_keep=n`` where the model's forward takes it; otherwise all logits are
    computed and the caller slices."""
    params = inspect.signature(model.forward).parameters
    return {"logits_to_keep": n} if "logits_to_keep" in params else {}


def _lcp(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def _close(members, seqs, n_conts, groups, singles) -> None:
    if len(members) < 2:
        singles.extend(members)
        return
    shared = _lcp(seqs[members[0]], seqs[members[-1]])  # sorted: the group's common prefix
    cap = min(len(seqs[i]) - n_conts[i] - 1 for i in members)
    groups.append((members, min(shared, cap)))


def prefix_groups(
    seqs: list[list[int]], n_conts: list[int], min_shared: int = MIN_SHARED_TOKENS
) -> tuple[list[tuple[list[int], int]], list[int]]:
    """([(member indices, shared prefix length)], indices left for the padded batch).

    The prefix never reaches into a continuation or its preceding token, so every scored
    token's logit comes from the suffix pass."""
    # A sequence whose continuation starts within the first `min_shared` tokens cannot share.
    singles = [i for i in range(len(seqs)) if len(seqs[i]) - n_conts[i] - 1 < min_shared]
    order = sorted(set(range(len(seqs))) - set(singles), key=lambda i: seqs[i])
    # Sorted, neighbours share their longest prefixes. Cut between two neighbours when what
    # they share is short, or much shorter than what either shares with its other neighbour
    # (PM chats of different prompts share only the instruction; samples of one prompt
    # share the whole prompt).
    lcp = [_lcp(seqs[a], seqs[b]) for a, b in zip(order, order[1:], strict=False)]
    groups: list[tuple[list[int], int]] = []
    members = order[:1]
    for k, link in enumerate(lcp):
        around = max(lcp[k - 1] if k else 0, lcp[k + 1] if k + 1 < len(lcp) else 0)
        if link < min_shared or link < VALLEY * around:
            _close(members, seqs, n_conts, groups, singles)
            members = []
        members.append(order[k + 1])
    _close(members, seqs, n_conts, groups, singles)
    return groups, singles


def padded(model: Any, seqs: list[list[int]], n_conts: list[int], pad: int, device: Any):
    """One left-padded batch; only the continuation's logits are materialised."""
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.tensor([[pad] * (width - len(s)) + s for s in seqs], device=device)
    mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in seqs], device=device)
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    keep = min(max(n_conts) + 1, width)
    with torch.inference_mode():
        out = model(input_ids=ids, attention_mask=mask, position_ids=pos, **_keep(model, keep))
        logits = out.logits[:, -keep:].float()
    targets = ids[:, width - keep + 1 :, None]
    logp = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, targets)[..., 0]
    return [float(logp[i, keep - 1 - n :].sum()) for i, n in enumerate(n_conts)]


def shared_prefix(
    model: Any, seqs: list[list[int]], n_conts: list[int], shared: int, pad: int, device: Any
) -> list[float]:
    """The common first `shared` tokens once, then every suffix on its KV cache
    (right-padded: a causal model never looks at the padding after a token)."""
    import torch

    with torch.inference_mode():
        prefix = torch.tensor([seqs[0][:shared]], device=device)
        cache = model(input_ids=prefix, use_cache=True, **_keep(model, 1)).past_key_values
        cache.batch_repeat_interleave(len(seqs))
        tails = [s[shared:] for s in seqs]
        width = max(len(t) for t in tails)
        ids = torch.tensor([t + [pad] * (width - len(t)) for t in tails], device=device)
        mask = torch.tensor(
            [[1] * (shared + len(t)) + [0] * (width - len(t)) for t in tails], device=device
        )
        pos = torch.arange(shared, shared + width, device=device).expand(len(seqs), -1)
        logits = model(
            input_ids=ids, attention_mask=mask, position_ids=pos, past_key_values=cache
        ).logits
        out = []
        for i, (t, n) in enumerate(zip(tails, n_conts, strict=True)):
            rows = logits[i, len(t) - n - 1 : len(t) - 1].float()
            target = ids[i, len(t) - n : len(t), None]
            out.append(float(torch.log_softmax(rows, dim=-1).gather(-1, target).sum()))
    return out


def continuation_logprobs(
    model: Any, seqs: list[list[int]], n_conts: list[int], pad: int, device: Any
) -> list[float]:
    """Sum log-probability of the last ``n_conts[i]`` tokens of each ``seqs[i]``."""
    out: list[float] = [0.0] * len(seqs)
    groups, singles = prefix_groups(seqs, n_conts)
    for members, shared in groups:
        vals = shared_prefix(
            model, [seqs[i] for i in members], [n_conts[i] for i in members], shared, pad, device
        )
        for i, v in zip(members, vals, strict=True):
            out[i] = v
    if singles:
        vals = padded(model, [seqs[i] for i in singles], [n_conts[i] for i in singles], pad, device)
        for i, v in zip(singles, vals, strict=True):
            out[i] = v
    return out
