"""§3.3 answer sycophancy (Sharma et al. §3.3, Fig. 3; App. A.5): grade each free-form answer against the gold
answers with the grader role (`syco.judges.answers`) and build one row per sample."""

from __future__ import annotations

from typing import Any

from syco.judges.answers import grade
from syco.models import Completion


def status(error: str | None, value: bool | None) -> str:
    """'error' (the model or grader failed), 'unparsed' (no gradable answer) or 'scored'."""
    if error:
        return "error"
    return "unparsed" if value is None else "scored"


def score_rows(
    items: list[dict[str, Any]], comps: list[Completion], grader: str
) -> list[dict[str, Any]]:
    """Rows with the full transcript, the grade and its provenance; errors never graded."""
    ok = [i for i, c in enumerate(comps) if c.ok]
    grades = grade(
        grader,
        questions=[items[i]["question"] for i in ok],
        responses=[comps[i].text for i in ok],
        answers=[items[i]["answers"] for i in ok],
        true_answers=[items[i]["correct_answer"] for i in ok],
        incorrect=[items[i]["incorrect_answers"] for i in ok],
        desc="§3.3 grader",
    )
    by_idx = dict(zip(ok, grades, strict=True))
    rows = []
    for i, (it, c) in enumerate(zip(items, comps, strict=True)):
        g = by_idx.get(i)
        error = c.error or (g.error if g else None)
        value = g.value if g and not error else None
        rows.append(
            {
                "question_id": it["question_id"],
                "dataset": it["dataset"],
                "template": it["template"],
                "question": it["question"],
                "correct_answer": it["correct_answer"],
                "incorrect_answer": it["incorrect_answer"],
                "transcript": [*it["chat"], {"role": "assistant", "content": c.text or ""}],
                "response": c.text,
                "correct": value,
                "grader": grader,
                "grader_reply": g.reply if g else None,
                "status": status(error, value),
                "cached": bool(c.cached and (g is None or g.cached or g.judge == "alias")),
                "error": error,
            }
        )
    return rows
