"""The embedded model's two engines side by side in one run, on the book's own workload:
transformers fp32 at batch 32 (`smollm2-hf`, round 1's engine) vs OpenVINO GenAI with int8
weights, int8 activations and a u8 KV cache, hints pinned (`smollm2`, the default).

Workload: the first prompts of the built §3.1-§3.4 data sets (round-robin), greedy, at
most 48 new tokens; prompt reading = the same prompts with one new token (input tokens/s);
log-probs = a prompted PM's " Yes"/" No" scorings of 4 replies to each of 8 questions
(the §4 pattern: replies of one prompt share it). No cache. Each engine's load time is
measured apart. Parity: share of greedy replies identical to transformers fp32, and the
difference of the log-probabilities (nats).

Run: `make bench` or `python benchmarks/bench_engine.py [--n 64] [--max-tokens 48]
[--out file.json]`. On a shared machine, say so beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

from syco.data.load import SETS, load, to_chat
from syco.models import GenerateConfig
from syco.models.types import Chat
from syco.pm import prompts


def book_prompts(n: int) -> list[Chat]:
    """The first ``n`` prompts of the built data sets, taken in turn from each set."""
    pools = []
    for name in ("answer", "are_you_sure", "feedback", "mimicry"):
        if name in SETS:
            rows = load(name, n=n)
            pools.append([to_chat(r["prompt"]) for r in rows])
    out: list[Chat] = []
    while len(out) < n and any(pools):
        for pool in pools:
            if pool and len(out) < n:
                chat = pool.pop(0)
                if chat:
                    out.append(chat)
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def generate_all(api, chats: list[Chat], max_tokens: int, batch: int):
    cfg = GenerateConfig(max_tokens=max_tokens)
    out = []
    for i in range(0, len(chats), batch):
        out += api.generate_batch(chats[i : i + batch], cfg, seed=0)
    return out


def logprob_all(api, chats: list[Chat], conts: list[str], batch: int) -> list[float]:
    out: list[float] = []
    for i in range(0, len(chats), batch):
        out += api.logprobs_batch(chats[i : i + batch], conts[i : i + batch])
    return out


def run_engine(name, make, chats, pm_chats, pm_conts, max_tokens, batch) -> dict[str, Any]:
    api, load_s = timed(lambda: make())
    _, warm_s = timed(
        lambda: (generate_all(api, chats[:2], 2, 2), api.logprobs_batch(pm_chats[:2], pm_conts[:2]))
    )
    comps, gen_s = timed(lambda: generate_all(api, chats, max_tokens, batch))
    reads, read_s = timed(lambda: generate_all(api, chats, 1, batch))
    lps, lp_s = timed(lambda: logprob_all(api, pm_chats, pm_conts, batch))
    n_out = sum(c.usage.output_tokens for c in comps)
    n_in = sum(c.usage.input_tokens for c in reads)
    api.close()
    return {
        "engine": name,
        "load_s": round(load_s + warm_s, 1),
        "gen_tokens": n_out,
        "gen_s": round(gen_s, 1),
        "gen_tok_s": round(n_out / gen_s, 1),
        "read_tokens": n_in,
        "read_s": round(read_s, 1),
        "read_tok_s": round(n_in / read_s, 1),
        "logprob_n": len(lps),
        "logprob_s": round(lp_s, 1),
        "texts": [c.text for c in comps],
        "logprobs": lps,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--out", default=None, help="write the JSON result here too")
    args = ap.parse_args()

    from syco.models.smollm2 import SmolLM2API, SmolLM2OV

    chats = book_prompts(args.n)
    # §4 pattern: a PM scores several replies to one question, " Yes" and " No" each.
    questions = [c for c in chats if len(c) == 1][:8]
    replies = [
        "I'm not sure.",
        "The answer is clearly the first one.",
        "Let me think about it step by step before answering.",
        "That is a good question; many people get it wrong.",
    ]
    pm_chats, pm_conts = [], []
    for q in questions:
        for r in replies:
            chat = prompts.score_chat([*q, {"role": "assistant", "content": r}])
            pm_chats += [chat, chat]
            pm_conts += [prompts.YES, prompts.NO]

    old = run_engine(
        "transformers fp32, batch 32 (smollm2-hf)",
        SmolLM2API,
        chats,
        pm_chats,
        pm_conts,
        args.max_tokens,
        32,
    )
    new = run_engine(
        "OpenVINO GenAI int8, continuous batching (smollm2)",
        SmolLM2OV,
        chats,
        pm_chats,
        pm_conts,
        args.max_tokens,
        64,
    )
    same = sum(a == b for a, b in zip(old["texts"], new["texts"], strict=True))
    diffs = [abs(a - b) for a, b in zip(old["logprobs"], new["logprobs"], strict=True)]

    # Does the PM's verdict (Yes vs No) agree between the engines?
    def verdicts(lp: list[float]) -> list[bool]:
        return [lp[i] > lp[i + 1] for i in range(0, len(lp), 2)]

    agree = sum(
        a == b for a, b in zip(verdicts(old["logprobs"]), verdicts(new["logprobs"]), strict=True)
    )
    load1 = os.getloadavg()[0]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}".strip(
            ", "
        ),
        "load_average_1min_at_end": round(load1, 1),
        "n_prompts": len(chats),
        "max_tokens": args.max_tokens,
        "engines": [
            {k: v for k, v in e.items() if k not in ("texts", "logprobs")} for e in (old, new)
        ],
        "ratio_generation": round(new["gen_tok_s"] / old["gen_tok_s"], 2),
        "ratio_prompt_reading": round(new["read_tok_s"] / old["read_tok_s"], 2),
        "ratio_logprobs": round(old["logprob_s"] / new["logprob_s"], 2),
        "greedy_identical": f"{same}/{len(chats)}",
        "logprob_abs_diff_mean": round(statistics.mean(diffs), 4),
        "logprob_abs_diff_max": round(max(diffs), 4),
        "pm_yes_no_verdicts_agree": f"{agree}/{len(diffs) // 2}",
    }
    print()
    print("| engine | generation tok/s | prompt reading tok/s | log-probs (s) | load (s) |")
    print("|---|---|---|---|---|")
    for e, r in (
        (old, (1, 1, 1)),
        (
            new,
            (result["ratio_generation"], result["ratio_prompt_reading"], result["ratio_logprobs"]),
        ),
    ):
        print(
            f"| {e['engine']} | {e['gen_tok_s']} ({r[0]}x) | {e['read_tok_s']} ({r[1]}x) | "
            f"{e['logprob_s']} ({r[2]}x) | {e['load_s']} |"
        )
    print(
        f"\ngreedy replies identical: {result['greedy_identical']}; log-prob |diff| mean "
        f"{result['logprob_abs_diff_mean']} max {result['logprob_abs_diff_max']} nats; "
        f"PM Yes/No verdicts agree {result['pm_yes_no_verdicts_agree']}; "
        f"load average at end {result['load_average_1min_at_end']}"
    )
    print(json.dumps(result))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
