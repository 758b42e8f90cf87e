"""§4.2 (Sharma et al. §4.2, Fig. 6; App. C): sample a pool of M responses per prompt from the policy, and score
every sample with the PM and with the non-sycophantic PM (same PM, truthfulness prefix).

Sample k of a prompt is generated with ``sample_indices=k`` at temperature 1, so every
sample is its own answer-key entry: growing M reuses the first samples.
"""

from __future__ import annotations

from typing import Any

from syco.models import GenerateConfig, get_model
from syco.pm import PreferenceModel


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
    ok = [r for r in rows if r["error"] is None]
    ref = {r["prompt_id"]: r["response"] for r in ok if r["sample"] == 0}
    counts: dict[str, int] = {}
    for label, pm in pms.items():
        todo = [r for r in ok if pm.kind != "judge" or r["prompt_id"] in ref]
        refs = [ref[r["prompt_id"]] for r in todo] if pm.kind == "judge" else None
        got = pm.score(
            [by_id[r["prompt_id"]]["chat"] for r in todo],
            [r["response"] for r in todo],
            references=refs,
            desc=f"§4.2 {label}",
        )
        for r in rows:
            r.setdefault("pm_score", {})[label] = None
            r.setdefault("pm_error", {})[label] = r["error"]
        for r, s in zip(todo, got, strict=True):
            r["pm_score"][label] = s.value
            r["pm_error"][label] = s.error or ("unparsed" if s.unparsed else None)
        counts[f"{label}_errors"] = sum(1 for r in rows if r["pm_score"][label] is None)
    return counts


def make_pms(
    pm: str, *, prefix: list[dict[str, str]] | None, contrast: bool
) -> dict[str, PreferenceModel]:
    """{"PM": the PM, "non-syc PM": the same PM (same loaded model) with the prefix}."""
    base = PreferenceModel(pm, contrast=contrast)
    return {"PM": base, "non-syc PM": base.with_prefix(prefix)}
