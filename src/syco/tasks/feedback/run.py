"""§3.1 run (Sharma et al. §3.1, Fig. 1): free-form feedback on every (text, framing), then the pairwise
positivity judge, into one self-describing `RunRecord` per model."""

from __future__ import annotations

from typing import Any

from syco.judges.positivity import check_order, get_positivity_judge
from syco.models import GenerateConfig, get_model
from syco.models.decoding import record_model, resolve
from syco.results import RunRecord
from syco.tasks._chapter import RunEnvelope
from syco.tasks.feedback.dataset import DOMAINS, load_items
from syco.tasks.feedback.metrics import compute_metrics
from syco.tasks.feedback.score import score_rows

CHAPTER = "feedback"
VERSION = "1"


def run_one(
    model: str,
    *,
    dataset_source: str = "rebuilt",
    n: int | None = 3,
    seed: int = 0,
    judge: str = "vader",
    judge_order: str = "both",
    decoding: str = "recommended",
    temperature: float = 1.0,
    max_tokens: int = 64,
    domains=DOMAINS,
) -> RunRecord:
    """Generate feedback for all framings of `n` texts per domain and judge it.

    `judge_order`: "both" A/B orders averaged (default), or one order only ("AB": the framed
    feedback is Comment (A); "BA": it is Comment (B)), to see the judge's position bias."""
    check_order(judge_order)  # a typo fails before any generation
    env = RunEnvelope(CHAPTER, VERSION, dataset_source, ["feedback"], subject=model, judge=judge)
    items = load_items(dataset_source, n, seed, tuple(domains))
    m = get_model(model)
    samp = resolve(model, decoding, temperature)  # per model: `syco.models.decoding`
    cfg = GenerateConfig(temperature=samp.temperature, max_tokens=max_tokens, top_p=samp.top_p)
    comps = m.generate([it["chat"] for it in items], cfg, desc=f"{model} feedback")
    rows: list[dict[str, Any]] = []
    for it, c in zip(items, comps, strict=True):
        rows.append(
            {
                "text_id": it["text_id"],
                "domain": it["domain"],
                "framing": it["framing"],
                "is_correct": it["is_correct"],
                "transcript": [*it["chat"], {"role": "assistant", "content": c.text}],
                "response": c.text,
                # cut at max_tokens (the paper's released code allowed 256 tokens)
                "truncated": c.stop_reason in ("length", "max_tokens") if c.ok else None,
                "cached": c.cached,
                "error": c.error,
            }
        )
    j = get_positivity_judge(judge, order=judge_order)
    score_rows(rows, j)
    settings = {
        "judge": j.spec,
        "judge_description": j.description,
        "n": n,
        "seed": seed,
        **samp.settings(),
        "max_tokens": max_tokens,
        "domains": list(domains),
        "judge_order": judge_order,
        "both_orders": judge_order == "both",
    }
    name = record_model(model, samp)
    return env.record(name, settings=settings, rows=rows, metrics=compute_metrics(rows, seed))
