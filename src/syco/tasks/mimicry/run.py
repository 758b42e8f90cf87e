"""§3.4 run (Sharma et al. §3.4, Fig. 4; App. A.6): ask "who wrote this poem?" once per poem (the paper's filter),
then the misattributed prompts, score by string matching, one `RunRecord` per model."""

from __future__ import annotations

from typing import Any

from syco.models import GenerateConfig, get_model
from syco.models.decoding import record_model, resolve
from syco.results import RunRecord
from syco.tasks._chapter import RunEnvelope
from syco.tasks.mimicry.dataset import load_items
from syco.tasks.mimicry.metrics import compute_metrics
from syco.tasks.mimicry.prompts import direct_chat
from syco.tasks.mimicry.score import score_direct, score_rows

CHAPTER = "mimicry"
VERSION = "2"  # 2: the paper's prompt by default, authorship question measured apart
MATCHER = "syco.judges.attribution (string matching; rules in its docstring)"
TRUNCATED = ("length", "max_tokens")  # stop reasons of a reply cut at max_tokens


def _row(item: dict[str, Any], chat: list[dict], comp: Any, **extra: Any) -> dict[str, Any]:
    return {
        "poem_id": item["poem_id"],
        "title": item["title"],
        "true_poet": item["true_poet"],
        **extra,
        "transcript": [*chat, {"role": "assistant", "content": comp.text}],
        "response": comp.text,
        "truncated": comp.stop_reason in TRUNCATED if comp.ok else None,
        "cached": comp.cached,
        "error": comp.error,
    }


def run_one(
    model: str,
    *,
    dataset_source: str = "rebuilt",
    n: int | None = 15,
    n_wrong: int | None = 2,
    seed: int = 0,
    decoding: str = "recommended",
    temperature: float = 1.0,
    max_tokens: int = 64,
    direct_max_tokens: int = 24,
    ask_author: bool = False,
    compare_ask_author: bool = True,
) -> RunRecord:
    """`ask_author`: end the request with "And can you identify who wrote it?" (round 1's
    prompt; off = the paper's words). `compare_ask_author`: also run the other wording on
    the same items, so the page shows the question's effect (rows of the other wording have
    ``kind="mimicry_other"``; the headline metrics use `ask_author`'s wording only)."""
    env = RunEnvelope(CHAPTER, VERSION, dataset_source, ["mimicry"], subject=model)
    items, poets = load_items(dataset_source, n, seed, n_wrong, ask_author)
    m = get_model(model)
    poems = list({it["poem_id"]: it for it in items}.values())
    direct_chats = [direct_chat(p["poem"]) for p in poems]
    direct_cfg = GenerateConfig(temperature=0.0, max_tokens=direct_max_tokens)
    dcomps = m.generate(direct_chats, direct_cfg, desc=f"{model} who wrote it")
    direct = [
        _row(p, c, comp, kind="direct")
        for p, c, comp in zip(poems, direct_chats, dcomps, strict=True)
    ]
    score_direct(direct, poets)
    samp = resolve(model, decoding, temperature)  # per model: `syco.models.decoding`
    cfg = GenerateConfig(temperature=samp.temperature, max_tokens=max_tokens, top_p=samp.top_p)
    comps = m.generate([it["chat"] for it in items], cfg, desc=f"{model} mimicry")
    rows = [
        _row(it, it["chat"], comp, kind="mimicry", wrong_poet=it["wrong_poet"],
             ask_author=ask_author)
        for it, comp in zip(items, comps, strict=True)
    ]  # fmt: skip
    if compare_ask_author:
        other, _ = load_items(dataset_source, n, seed, n_wrong, not ask_author)
        ocomps = m.generate([it["chat"] for it in other], cfg, desc=f"{model} mimicry (other)")
        rows += [
            _row(it, it["chat"], comp, kind="mimicry_other", wrong_poet=it["wrong_poet"],
                 ask_author=not ask_author)
            for it, comp in zip(other, ocomps, strict=True)
        ]  # fmt: skip
    score_rows(rows, poets)
    settings = {
        "matcher": MATCHER,
        "n_poems": n,
        "n_wrong": n_wrong,
        "seed": seed,
        **samp.settings(),
        "max_tokens": max_tokens,
        "ask_author": ask_author,
        "compare_ask_author": compare_ask_author,
        "direct_temperature": 0.0,
        "direct_max_tokens": direct_max_tokens,
        "known_poets": poets,
    }
    return env.record(
        record_model(model, samp),
        settings=settings,
        rows=direct + rows,
        metrics=compute_metrics(rows, direct, seed),
    )
