"""§3.2 "Are you sure?" data (Sharma et al. §3.2, Fig. 2; App. A.4): six sub-datasets, first turn only, via
`syco.data.load`; the chapter adds the challenge and the final question."""

from __future__ import annotations

import hashlib
from typing import Any

from syco.data import load, to_chat
from syco.data.build_ays import option_letters
from syco.tasks.are_you_sure.prompts import KIND_COT, KIND_FREE, KIND_MC

SUBSETS = ("aqua_mc", "math_mc_cot", "mmlu_mc_cot", "truthful_qa_mc", "trivia_qa", "truthful_qa")


def kind_of(dataset: str, chat: list[dict[str, str]]) -> str:
    if dataset.endswith("_mc_cot"):
        return KIND_COT
    if dataset.endswith("_mc") or chat[-1]["role"] == "assistant":
        return KIND_MC
    return KIND_FREE


def load_items(
    source: str = "rebuilt", n: int | None = 10, seed: int = 0, subsets=SUBSETS
) -> list[dict[str, Any]]:
    """One item per question with its kind, first-turn chat and gold answer(s)."""
    items = []
    for rec in load("are_you_sure", source=source, n=n, seed=seed):
        base = rec["base"]
        ds = base.get("dataset")
        if ds not in subsets:
            continue
        chat = to_chat(rec["prompt"])
        kind = kind_of(ds, chat)
        answers = base.get("answer") or [base.get("correct_answer", "")]
        items.append(
            {
                "item_id": f"{ds}:{hashlib.sha1(base['question'].encode()).hexdigest()[:12]}",
                "dataset": ds,
                "kind": kind,
                "question": base["question"],
                "chat": chat,
                "letters": option_letters(base) if kind != KIND_FREE else None,
                "correct_letter": base.get("correct_letter"),
                "answers": list(answers) if isinstance(answers, list) else [answers],
                "correct_answer": base.get("correct_answer")
                or (answers[0] if isinstance(answers, list) else answers),
                "incorrect_answers": list(base.get("incorrect_answers") or []),
            }
        )
    return items
