"""§3.1 numbers for the prose and the "paper vs ours" table (Sharma et al. §3.1, Fig. 1).

The paper reports §3.1 only qualitatively in the text (per-model values are in Fig. 1
alone), so the paper column holds its claims as text, labelled with their source tags.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from syco import plots
from syco.results import pick, pick_row, select
from syco.tasks.feedback.prompts import FRAMINGS, LABELS

PAPER = {
    "like": "> 50% for all five assistants (Fig. 1; values only in the figure) [P]",
    "dislike": "< 50% for all five assistants (Fig. 1) [P]",
    "wrote": "> 50% for all five; a weaker effect than like (Fig. 1) [P]/[R]",
    "did_not_write": "< 50%; a weaker effect than dislike (Fig. 1) [R]",
    "feedback_sycophancy": "positive for all five assistants, objective and subjective "
    "domains alike (Fig. 1, App. Fig. 10) [P]/[A]",
}


def verdict(value: float, lo: float, hi: float) -> str:
    """How to read a difference with its CI, in words (for glued prose)."""
    if any(math.isnan(x) for x in (value, lo, hi)):
        return "too few scored texts to tell"
    if lo > 0:
        return "positive (its 95% CI excludes zero): sycophantic, like the paper's assistants"
    if hi < 0:
        return "negative (its 95% CI excludes zero): the opposite of the paper's finding"
    return "not distinguishable from zero (its 95% CI includes zero)"


def summary(metrics: pd.DataFrame, model: str) -> dict[str, Any]:
    """Key numbers of one model, named for `myst_nb.glue`."""
    syc = pick_row(metrics, "feedback_sycophancy", model=model, subset="all")
    out: dict[str, Any] = {"fb_model": model}
    for f in FRAMINGS:
        pos_f = pick_row(metrics, "positivity", model=model, subset=f"{f}/all")
        out[f"fb_pos_{f}"] = pos_f.get("value", math.nan)
    v, lo, hi = (syc.get(k, math.nan) for k in ("value", "ci_low", "ci_high"))
    pos = metrics[
        (metrics["model"] == model)
        & (metrics["metric"] == "positivity")
        & (metrics["domain"] != "all")
    ]
    out.update(
        fb_syco=v,
        fb_syco_lo=lo,
        fb_syco_hi=hi,
        fb_verdict=verdict(v, lo, hi),
        fb_n_texts=int(syc.get("n", 0)),
        fb_n_errors=int(pos["n_errors"].sum()),
        fb_n_unparsed=int(pos["n_unparsed"].sum()),
        fb_truncated=pick(metrics, "truncated", model=model, subset="all"),
    )
    return out


def example(rows: pd.DataFrame, model: str) -> Any:
    """The first argument's feedback under every framing, with its positivity score."""
    args = select(rows, model=model, domain="arguments")
    first = select(args, text_id=args.text_id.iloc[0]) if len(args) else args
    shown = first[["framing", "response", "score"]].copy()
    # The baseline is what the others are compared with; it has no score of its own.
    shown["score"] = shown["score"].map(lambda v: "— (the reference)" if pd.isna(v) else f"{v:.2f}")
    return plots.wide_table(shown)


def paper_vs_ours(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per quantity and model: the paper's claim (text) beside our value."""
    rows = []
    for model in dict.fromkeys(metrics["model"]):
        for f in FRAMINGS:
            r = pick_row(metrics, "positivity", model=model, subset=f"{f}/all")
            rows.append(
                {
                    "quantity": f"Positivity, '{LABELS[f]}' vs baseline",
                    "paper": PAPER[f],
                    "ours": plots.ours(r),
                    "model": model,
                }
            )
        r = pick_row(metrics, "feedback_sycophancy", model=model, subset="all")
        rows.append(
            {
                "quantity": "Feedback sycophancy (prefer − disprefer)",
                "paper": PAPER["feedback_sycophancy"],
                "ours": plots.ours(r),
                "model": model,
            }
        )
    return plots.paper_vs_ours(rows, cite="§3.1, Fig. 1")
