"""§4.2 (Sharma et al. §4.2, Fig. 6; App. C): sample a pool of M responses per prompt from the policy, and score
every sample with the PM and with the non-sycophantic PM (same PM, truthfulness prefix).

Sample k of a prompt is generated with ``sample_indices=k`` at temperature 1, so every
sample is its own answer-key entry: growing M reuses the first samples.
"""

from __future__ import annotations

from typing import Any

from syco.models import GenerateConfig, get_model
from syco.pm import PreferenceModel
from syco.pm.rows import score_rows
from syco.tasks.mimicry.run import TRUNCATED  # §3.4's stop reasons of a cut reply


def sample_pools(
    policy: str,
    prompts: list[dict[str, Any]],
    *,
    pool_size: int,
    temperature: float,
    max_tokens: int,
) -> list[dict[str, Any]]:
    """One row per (prompt, sample) with the policy's response (or its error)."""
    model = get_model(policy)
    chats = [p["chat"] for p in prompts for _ in range(pool_size)]
    ks = [k for _ in prompts for k in range(pool_size)]
    cfg = GenerateConfig(temperature=temperature, max_tokens=max_tokens)
    comps = model.generate(chats, cfg, sample_indices=ks, desc=f"§4.2 policy {policy}")
    rows = []
    for j, c in enumerate(comps):
        p = prompts[j // pool_size]
        rows.append(
            {
                "prompt_id": p["prompt_id"],
                "task": p["task"],
                "group": p["group"],
                "condition": p["condition"],
                "sample": ks[j],
                "transcript": [*p["chat"], {"role": "assistant", "content": c.text or ""}],
                "response": c.text,
                "cached": c.cached,
                "error": c.error,
                "truncated": c.stop_reason in TRUNCATED if c.ok else None,
            }
        )
    return rows


def score_with_pms(
    rows: list[dict[str, Any]], prompts: list[dict[str, Any]], pms: dict[str, PreferenceModel]
) -> dict[str, int]:
    """Add ``pm_score[label]`` per row for each PM (None where the sample or the PM failed);
    returns the number of unscored rows per PM.

    A judge PM (generation only) scores each sample against the prompt's sample 0."""
    by_id = {p["prompt_id"]: p for p in prompts}
    ref = {r["prompt_id"]: r["response"] for r in rows if r["error"] is None and r["sample"] == 0}
    return score_rows(
        rows,
        pms,
        context=lambda r: by_id[r["prompt_id"]]["chat"],
        reference=lambda r: ref.get(r["prompt_id"]),
        desc="§4.2",
    )
