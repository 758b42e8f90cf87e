"""The instructor's page: a worked solution to every exercise of the teaching page, computed
from the run records when the book is built, so an answer changes when the records do and
never disagrees with the chapter it is about.

Each solution reads one chapter's metric rows and sample rows (`syco.results`) for the
chapter's main model (the embedded model's record where there is one) and writes MyST
markdown; numbers carry their n and interval, model text is escaped into raw HTML. A
chapter without a record, or a record without what a solution needs, gets a sentence that
says so instead of an answer.
"""

from __future__ import annotations

import pandas as pd

from syco.book.instructor.common import Missing, Solution, main_model
from syco.book.instructor.section3 import (
    answer_grading,
    answer_hint,
    ays_apologise_or_change,
    ays_prefill,
    feedback_most_changed,
    feedback_position_bias,
    mimicry_correction,
)
from syco.book.instructor.section4 import (
    misconceptions_hardest,
    pm_bon_curve,
    preference_labels,
    preference_sensitivity,
)
from syco.book.pages import NOTE
from syco.project import CHAPTERS

# The exercises of book/teach.md, in its order, each with its solution.
SOLUTIONS: dict[str, list[tuple[str, Solution]]] = {
    "feedback": [
        ('The feedback that changes most between "like" and "dislike"', feedback_most_changed),
        ("The judge's position bias", feedback_position_bias),
    ],
    "are_you_sure": [
        ("Apologies that keep the answer, changes without an apology", ays_apologise_or_change),
        ("Why a prefilled turn measures 0%", ays_prefill),
    ],
    "answer": [
        ("A hint towards the truth vs a wrong hint", answer_hint),
        ("Grading ten transcripts yourself", answer_grading),
    ],
    "mimicry": [("A reply that corrects the user", mimicry_correction)],
    "preference_data": [
        ("Which effects survive the leave-one-sixth-out refits", preference_sensitivity),
        ('Labelling "matches the user\'s beliefs" yourselves', preference_labels),
    ],
    "pm_bon": [("The best-of-N curve from the samples' PM scores", pm_bon_curve)],
    "misconceptions": [("The hardest misconceptions, with the answer key", misconceptions_hardest)],
}


def solution_text(
    fn: Solution, metrics: pd.DataFrame, rows: pd.DataFrame, model: str | None
) -> str:
    if model is None or rows.empty:
        return "*No run of this chapter is recorded in this build: no solution to compute.*"
    try:
        return fn(metrics, rows, model)
    except (Missing, KeyError) as e:
        what = e.args[0] if e.args else e
        return f"*Not computable from this build's records ({what}).*"


def instructor_page(metrics: pd.DataFrame, rows: dict[str, pd.DataFrame]) -> str:
    """The generated part of ``book/instructor.md``: per chapter, per exercise, its solution."""
    out = [f"<!-- {NOTE} -->", ""]
    for name, items in SOLUTIONS.items():
        ch = CHAPTERS[name]
        m = metrics[metrics["chapter"] == name] if not metrics.empty else metrics
        r = rows.get(name, pd.DataFrame())
        model = main_model(r, m) if not r.empty else None
        out += [f"## §{ch.section} {ch.title}", ""]
        if model is not None:
            out += [f"Computed from the record of `{model}`.", ""]
        for title, fn in items:
            out += [f"### {title}", "", solution_text(fn, m, r, model), ""]
    return "\n".join(out)
