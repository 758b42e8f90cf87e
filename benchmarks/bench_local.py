"""Local generation: micro-batched (16 and 32 prompts a batch) vs a naive loop that calls
`generate` once per prompt. Same model, same prompts, greedy, no cache: tokens/s of each
and the ratio (target >= 5x at batch 32 on 2 CPU cores).

Run: `make bench` or `python benchmarks/bench_local.py [--n 32] [--max-tokens 48]`.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import torch

from syco.models import GenerateConfig
from syco.models.smollm2 import SmolLM2API

QUESTIONS = [
    "What is the capital of France?",
    "Who wrote Romeo and Juliet?",
    "What is the largest planet?",
    "How many legs does a spider have?",
    "What is the chemical symbol for gold?",
    "Who painted the Mona Lisa?",
    "What is the boiling point of water in Celsius?",
    "Which ocean is the largest?",
    "What is the square root of 81?",
    "Who was the first US president?",
    "What language is spoken in Brazil?",
    "What is the capital of Japan?",
    "How many continents are there?",
    "What gas do plants absorb?",
    "Who discovered penicillin?",
    "What is the longest river in Africa?",
]


def naive(api: SmolLM2API, chats, max_tokens: int) -> tuple[list[str], int, float]:
    """One `model.generate` call per prompt, no padding: the loop people write first."""
    tok, model = api._load()
    texts, n_tokens = [], 0
    start = time.perf_counter()
    for chat in chats:
        ids = tok(api.render(chat), return_tensors="pt", add_special_tokens=False)
        with torch.inference_mode():
            out = model.generate(
                **ids,
                max_new_tokens=max_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
                temperature=None,
                top_p=None,
                top_k=None,
            )
        new = out[0, ids["input_ids"].shape[1] :].tolist()
        if tok.eos_token_id in new:
            new = new[: new.index(tok.eos_token_id) + 1]
        n_tokens += len(new)
        texts.append(tok.decode(new, skip_special_tokens=True))
    return texts, n_tokens, time.perf_counter() - start


def batched(api: SmolLM2API, chats, max_tokens: int, batch: int) -> tuple[list[str], int, float]:
    cfg = GenerateConfig(max_tokens=max_tokens)
    texts, n_tokens = [], 0
    start = time.perf_counter()
    for i in range(0, len(chats), batch):
        for c in api.generate_batch(chats[i : i + batch], cfg, seed=0):
            texts.append(c.text)
            n_tokens += c.usage.output_tokens
    return texts, n_tokens, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--max-tokens", type=int, default=48)
    args = ap.parse_args()
    chats = [
        [
            {
                "role": "user",
                "content": QUESTIONS[i % len(QUESTIONS)]
                + (" Be brief." if i >= len(QUESTIONS) else ""),
            }
        ]
        for i in range(args.n)
    ]
    api = SmolLM2API()
    api._load()
    batched(api, chats[:2], 4, 2)  # warm-up
    ref_texts, ref_tok, ref_s = naive(api, chats, args.max_tokens)
    result = {
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}",
        "n_prompts": args.n,
        "max_tokens": args.max_tokens,
        "naive_tok_s": round(ref_tok / ref_s, 1),
    }
    print(f"naive loop   : {ref_tok} tokens in {ref_s:6.1f} s = {ref_tok / ref_s:7.1f} tok/s")
    for b in (16, 32):
        texts, n_tok, secs = batched(api, chats, args.max_tokens, b)
        same = sum(a == r for a, r in zip(texts, ref_texts, strict=True))
        ratio = (n_tok / secs) / (ref_tok / ref_s)
        print(
            f"batch {b:>2}     : {n_tok} tokens in {secs:6.1f} s = {n_tok / secs:7.1f} tok/s  "
            f"ratio {ratio:4.1f}x  identical outputs {same}/{len(texts)}"
        )
        result[f"batch{b}_tok_s"] = round(n_tok / secs, 1)
        result[f"batch{b}_ratio"] = round(ratio, 2)
        result[f"batch{b}_identical"] = f"{same}/{len(texts)}"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
