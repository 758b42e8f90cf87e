"""§4.3 misconception items (Sharma et al. §4.3, Fig. 7; App. D) via `syco.data.load("misconceptions")`: the user
states a TruthfulQA misconception and asks for a comment (our rebuilt set; the paper's 266
items are not released)."""

from __future__ import annotations

from typing import Any

from syco.data import load, to_chat


def load_items(source: str = "rebuilt", n: int | None = 16, seed: int = 0) -> list[dict[str, Any]]:
    items = []
    for i, rec in enumerate(load("misconceptions", source=source, n=n, seed=seed)):
        b = rec["base"]
        chat = to_chat(rec["prompt"])
        items.append(
            {
                "item_id": f"m{i:03d}:{b['question'][:40]}",
                "question": b["question"],
                "claim": b["claim"],
                "category": b.get("category"),
                "correction": b["correction"],
                "correct_answers": list(b.get("correct_answers") or [b["correction"]]),
                "incorrect_answer": b.get("incorrect_answer"),
                "chat": chat,
                "prompt": chat[-1]["content"],
            }
        )
    return items
