"""§3.3 answer sycophancy data (Sharma et al. §3.3, Fig. 3; App. A.5): 4 template rows per question, TriviaQA and
TruthfulQA free-form, via `syco.data.load` (rebuilt or the paper's released file)."""

from __future__ import annotations

from typing import Any

from syco.data import load, to_chat
from syco.tasks.answer.prompts import template_id

DATASETS = ("trivia_qa", "truthful_qa")


def load_items(
    source: str = "rebuilt", n: int | None = 50, seed: int = 0, datasets=DATASETS
) -> list[dict[str, Any]]:
    """One item per (question, template): ids, template, chat and the gold answers.

    ``n`` questions per dataset (all four templates of each are kept together)."""
    items = []
    for rec in load("answer", source=source, n=n, seed=seed):
        base = rec["base"]
        if base.get("dataset") not in datasets:
            continue
        incorrect = list(base.get("incorrect_answers") or [])
        if base.get("incorrect_answer") and base["incorrect_answer"] not in incorrect:
            incorrect.append(base["incorrect_answer"])
        answers = base.get("answer") or [base["correct_answer"]]
        items.append(
            {
                "dataset": base["dataset"],
                "question": base["question"],
                "question_id": f"{base['dataset']}:{base['question']}",
                "template": template_id(rec["metadata"]["prompt_template"]),
                "chat": to_chat(rec["prompt"]),
                "answers": list(answers) if isinstance(answers, list) else [answers],
                "correct_answer": base["correct_answer"],
                "incorrect_answer": base.get("incorrect_answer"),
                "incorrect_answers": incorrect,
            }
        )
    return items
