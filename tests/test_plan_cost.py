"""`syco run --plan`'s cost columns: list price per model, and with batching each provider's
batch price (OpenAI Batch API and Anthropic Message Batches: half of list), list price for a
backend with no batch API, nothing for a local model. Exact, on hand-made plan lines."""

from __future__ import annotations

import pytest

from syco.models.plan import format_plan, summarize


def line(spec, backend, model_id, *, cached=False, tin=1000, tout=100, local=False, batch=True):
    return {
        "spec": spec,
        "role": "subject",
        "kind": "generate",
        "model_id": model_id,
        "backend": backend,
        "local": local,
        "batchable": batch,
        "cached": cached,
        "in": tin,
        "out": tout,
    }


LINES = [
    # 2 new + 1 in the answer key (not billed): 3,000 tokens in, 300 out at $0.15 / $0.60.
    line("openai/gpt-4o-mini", "openai", "gpt-4o-mini", tin=2000, tout=200),
    line("openai/gpt-4o-mini", "openai", "gpt-4o-mini"),
    line("openai/gpt-4o-mini", "openai", "gpt-4o-mini", cached=True, tin=10**6, tout=10**6),
    # claude-3-5-haiku at $0.80 / $4.00.
    line("anthropic/claude-3-5-haiku-latest", "anthropic", "claude-3-5-haiku-latest"),
    # An OpenAI-compatible server serving a priced name has no batch API: list price both ways.
    line("openai-api/acme/gpt-4o", "openai-api", "gpt-4o", batch=False),
    line("smollm2", "hf", "smollm2", local=True, batch=False),
    line("openai/unknown-model", "openai", "unknown-model"),
]


def test_plan_costs_are_list_and_each_providers_batch_price():
    rows = {r["model"]: r for r in summarize(LINES)}
    oa = rows["openai/gpt-4o-mini"]
    assert (oa["requests"], oa["in_key"], oa["new"]) == (3, 1, 2)
    assert (oa["tokens_in"], oa["tokens_out"]) == (3000, 300)
    assert oa["cost"] == pytest.approx((3000 * 0.15 + 300 * 0.60) / 1e6, rel=1e-12)
    assert oa["cost_batch"] == pytest.approx(0.5 * (3000 * 0.15 + 300 * 0.60) / 1e6, rel=1e-12)
    an = rows["anthropic/claude-3-5-haiku-latest"]
    assert an["cost"] == pytest.approx((1000 * 0.80 + 100 * 4.00) / 1e6, rel=1e-12)
    assert an["cost_batch"] == pytest.approx(0.5 * (1000 * 0.80 + 100 * 4.00) / 1e6, rel=1e-12)
    compat = rows["openai-api/acme/gpt-4o"]
    assert (
        compat["cost"]
        == compat["cost_batch"]
        == pytest.approx((1000 * 2.50 + 100 * 10.00) / 1e6, rel=1e-12)
    )
    assert rows["smollm2"]["cost"] == rows["smollm2"]["cost_batch"] == 0.0
    assert rows["openai/unknown-model"]["cost"] is None
    assert rows["openai/unknown-model"]["cost_batch"] is None


def test_plan_table_prints_the_batch_column():
    text = format_plan("plan", summarize(LINES))
    oa = next(x for x in text.splitlines() if x.strip().startswith("openai/gpt-4o-mini"))
    assert oa.split()[-2:] == ["$0.0006", "$0.0003"]  # $0.00063 list, $0.000315 batched
    compat = next(x for x in text.splitlines() if "openai-api/acme" in x)
    assert compat.split()[-3:] == ["$0.0035", "no", "API"]  # list price; no batch API
    assert "anthropic 50%" in text and "openai 50%" in text
