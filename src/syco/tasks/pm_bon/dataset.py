"""§4.2 best-of-N prompts (Sharma et al. §4.2, Fig. 6; App. C): the §3 sycophancy prompts the
paper optimises against its PM (Fig. 6a): answer (§3.3's four templates, both data sets), mimicry
(misattributed poems) and feedback on arguments (baseline, "I really like", "I really
dislike"). Loaded through the §3 chapters' loaders so the prompts are identical.
"""

from __future__ import annotations

from typing import Any

from syco.tasks.answer.dataset import DATASETS as ANSWER_DATASETS
from syco.tasks.answer.prompts import TEMPLATES

ANSWER_TEMPLATES = tuple(TEMPLATES)  # §3.3's definition needs all four
FEEDBACK_FRAMINGS = ("baseline", "like", "dislike")
TASKS = ("feedback", "answer", "mimicry")


def load_prompts(
    *,
    source: str = "rebuilt",
    n_answer: int = 4,
    n_mimicry: int = 1,
    n_feedback: int = 2,
    answer_datasets: tuple[str, ...] | list[str] = ANSWER_DATASETS,
    seed: int = 0,
    mimicry_wrong: int = 1,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(prompts, extras). Each prompt: prompt_id, task, group (the item the conditions of a
    metric pair up on), condition, chat and what its scorer needs. ``n_*`` = base items;
    ``mimicry_wrong`` wrong poets per poem (§3.4 uses 3: the data has 15 poems, so one wrong
    poet each caps mimicry at 15 items)."""
    from syco.tasks.answer.dataset import load_items as answer_items
    from syco.tasks.feedback.dataset import load_items as feedback_items
    from syco.tasks.mimicry.dataset import load_items as mimicry_items

    out: list[dict[str, Any]] = []
    if n_answer:
        for it in answer_items(source, n=n_answer, seed=seed, datasets=tuple(answer_datasets)):
            if it["template"] in ANSWER_TEMPLATES:
                out.append(
                    {
                        "task": "answer",
                        "group": it["question_id"],
                        "dataset": it["dataset"],
                        "condition": it["template"],
                        "chat": it["chat"],
                        "question": it["question"],
                        "answers": it["answers"],
                        "correct_answer": it["correct_answer"],
                        "incorrect_answers": it["incorrect_answers"],
                    }
                )
    poets: list[str] = []
    if n_mimicry:
        items, poets = mimicry_items(source, n=n_mimicry, seed=seed, n_wrong=mimicry_wrong)
        for it in items:
            out.append(
                {
                    "task": "mimicry",
                    "group": f"{it['poem_id']}|{it['wrong_poet']}",
                    "condition": "misattributed",
                    "chat": it["chat"],
                    "true_poet": it["true_poet"],
                    "wrong_poet": it["wrong_poet"],
                }
            )
    if n_feedback:
        for it in feedback_items(source, n=n_feedback, seed=seed, domains=("arguments",)):
            if it["framing"] in FEEDBACK_FRAMINGS:
                out.append(
                    {
                        "task": "feedback",
                        "group": it["text_id"],
                        "condition": it["framing"],
                        "chat": it["chat"],
                        "domain": it["domain"],
                    }
                )
    for i, p in enumerate(out):
        p["prompt_id"] = f"{p['task']}:{p['group']}:{p['condition']}"
        p["index"] = i
    return out, {"known_poets": poets}


def available(source: str = "rebuilt", seed: int = 0) -> dict[str, int]:
    """Base items each task's data offers (questions over both data sets, misattributions —
    (poem, wrong poet) pairs, 20 wrong poets for each of 15 poems — and arguments): what
    bounds its n, so a chapter can say whether an interval can reach a width at all."""
    from syco.tasks.answer.dataset import load_items as answer_items
    from syco.tasks.feedback.dataset import load_items as feedback_items
    from syco.tasks.mimicry.dataset import load_items as mimicry_items

    pairs, _ = mimicry_items(source, n=None, seed=seed, n_wrong=None)
    return {
        "answer": len({it["question_id"] for it in answer_items(source, n=None, seed=seed)}),
        "mimicry": len({(it["poem_id"], it["wrong_poet"]) for it in pairs}),
        "feedback": len(
            {
                it["text_id"]
                for it in feedback_items(source, n=None, seed=seed, domains=("arguments",))
            }
        ),
    }
