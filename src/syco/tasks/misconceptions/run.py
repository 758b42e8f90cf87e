"""§4.3 (Sharma et al. 2023, Fig. 7; App. D): difficulty, the three response types, PM scores and truthfulness.

All prompts of a stage go in one batched call. The sycophantic policy samples a pool of M
per item (``sample_indices`` 0..M-1, T=1); the helpful-truthful response is one T=1
sample; the baseline-truthful responses are fixed human-written phrasings.
"""

from __future__ import annotations

from typing import Any

from syco.models import GenerateConfig, get_model
from syco.pm import PreferenceModel
from syco.pm.rows import score_rows
from syco.tasks.mimicry.run import TRUNCATED  # §3.4's stop reasons of a cut reply
from syco.tasks.misconceptions import prompts, score


def difficulty(spec: str, items: list[dict[str, Any]]) -> None:
    """Set ``p_true`` on every item (None where the model failed)."""
    model = get_model(spec)
    chats = [prompts.difficulty_chat(it["claim"]) for it in items]
    k = len(chats)
    lp = model.logprobs(
        chats + chats, [prompts.TRUE] * k + [prompts.FALSE] * k, desc="§4.3 difficulty"
    )
    for it, t, f in zip(items, lp[:k], lp[k:], strict=True):
        it["p_true"] = score.p_true(t.value, f.value) if t.ok and f.ok else None


def responses(
    policy: str,
    items: list[dict[str, Any]],
    *,
    pool_size: int,
    temperature: float,
    max_tokens: int,
) -> list[dict[str, Any]]:
    """Rows: baseline truthful (one per phrasing), helpful truthful (one), sycophantic
    (pool_size samples) per item."""
    model = get_model(policy)
    cfg = GenerateConfig(temperature=temperature, max_tokens=max_tokens)
    helpful_chats = [
        prompts.instructed(
            it["chat"], prompts.HELPFUL_INSTRUCTION.format(correction=it["correction"].rstrip("."))
        )
        for it in items
    ]
    syc_chats = [
        prompts.instructed(it["chat"], prompts.SYCOPHANTIC_INSTRUCTION)
        for it in items
        for _ in range(pool_size)
    ]
    ks = [k for _ in items for k in range(pool_size)]
    comps = model.generate(
        helpful_chats + syc_chats,
        cfg,
        sample_indices=[0] * len(items) + ks,
        desc=f"§4.3 policy {policy}",
    )
    rows = []
    for it in items:
        for j, text in enumerate(prompts.BASELINE_TRUTHFUL):
            rows.append(_row(it, "baseline_truthful", j, text, None, None, False, None))
    for it, c, gen in zip(items, comps[: len(items)], helpful_chats, strict=True):
        rows.append(_row(it, "helpful_truthful", 0, c.text, c.error, gen, c.cached, _cut(c)))
    for j, c in enumerate(comps[len(items) :]):
        it = items[j // pool_size]
        rows.append(
            _row(it, "sycophantic", ks[j], c.text, c.error, syc_chats[j], c.cached, _cut(c))
        )
    return rows


def _cut(c: Any) -> bool | None:
    """Was the reply cut at ``max_tokens``? (None: the generation failed.)"""
    return c.stop_reason in TRUNCATED if c.ok else None


def _row(it, kind, sample, text, error, gen_chat, cached, truncated) -> dict[str, Any]:
    return {
        "item_id": it["item_id"],
        "kind": kind,
        "sample": sample,
        "p_true": it.get("p_true"),
        "level": it.get("level"),
        "response": text,
        "transcript": [*it["chat"], {"role": "assistant", "content": text or ""}],
        "generation_prompt": gen_chat[-1]["content"] if gen_chat else None,
        "cached": cached,
        "error": error,
        "truncated": truncated,
    }


def pm_scores(
    rows: list[dict[str, Any]], items: list[dict[str, Any]], pms: dict[str, PreferenceModel]
) -> None:
    """``pm_score[label]`` per row (reward / prompted PMs: absolute scores; a judge PM:
    P(beats the item's first baseline-truthful phrasing)). The non-syc PM and the selector
    only score the sycophantic pool."""
    chat = {it["item_id"]: it["chat"] for it in items}
    score_rows(
        rows,
        pms,
        context=lambda r: chat[r["item_id"]],
        reference=lambda r: prompts.BASELINE_TRUTHFUL[0],
        wanted=lambda label, r: label == "PM" or r["kind"] == "sycophantic",
        desc="§4.3",
    )


def truthfulness(rows: list[dict[str, Any]], items: list[dict[str, Any]], judge: str) -> None:
    """``truthful`` (True/False/None) on every policy-generated row, with the judge's raw
    reply and error (an error is never a verdict)."""
    by_id = {it["item_id"]: it for it in items}
    todo = [r for r in rows if r["kind"] != "baseline_truthful"]
    got = score.judge_truthful(
        judge,
        [by_id[r["item_id"]]["prompt"] for r in todo],
        [r["response"] if r["error"] is None else None for r in todo],
        [by_id[r["item_id"]]["correct_answers"] for r in todo],
    )
    for r in rows:
        r["truthful"] = True if r["kind"] == "baseline_truthful" else None
        r["judge"] = "human-written" if r["kind"] == "baseline_truthful" else judge
    for r, v in zip(todo, got, strict=True):
        r["truthful"], r["truthful_reply"], r["truthful_error"] = v.value, v.reply, v.error
