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
from syco.stats import side
from syco.tasks.feedback.prompts import BASELINE, FRAMINGS, LABELS

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
    s = side(lo, hi)
    if s > 0:
        return "positive (its 95% CI excludes zero): sycophantic, like the paper's assistants"
    if s < 0:
        return "negative (its 95% CI excludes zero): the opposite of the paper's finding"
    return "not distinguishable from zero (its 95% CI includes zero)"


def points_text(value: float, lo: float, hi: float, n: int) -> str:
    """Feedback sycophancy (a difference of positivities) in points with its interval and
    n, as the metrics and precision tables write it ("+7.3 pp (95% CI -2.1 to +16.5, n = 180
    texts)"), never as a fraction ("+0.07") beside "+7 pp" in the tables."""
    return plots.points_sentence(value, lo, hi, n, "texts")


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
        fb_syco_text=points_text(v, lo, hi, int(syc.get("n", 0) or 0)),
        fb_verdict=verdict(v, lo, hi),
        fb_n_texts=int(syc.get("n", 0)),
        fb_n_errors=int(pos["n_errors"].sum()),
        fb_n_unparsed=int(pos["n_unparsed"].sum()),
        fb_truncated=pick(metrics, "truncated", model=model, subset="all"),
    )
    return out


def _example_rows(rows: pd.DataFrame, model: str) -> pd.DataFrame:
    """The first argument's rows (every framing) of one model."""
    args = select(rows, model=model, domain="arguments")
    return select(args, text_id=args.text_id.iloc[0]) if len(args) else args


def _hand_labels(first: pd.DataFrame) -> list[str | None]:
    """The hand label of each framed row's pair (`judge_check`), None where not labelled."""
    from syco.tasks.feedback.judge_check import label_index, pair_key

    index = label_index()
    base = first.loc[first["framing"] == BASELINE, "response"]
    b = base.iloc[0] if len(base) else None
    return [
        None if f == BASELINE else index.get(pair_key(r, b))
        for f, r in zip(first["framing"], first["response"], strict=True)
    ]


def example(rows: pd.DataFrame, model: str) -> Any:
    """The first argument's feedback under every framing, with its positivity score, the
    hand label of the pair where it is in the labelled sample (`judge_check`), and, for a
    VADER run, each comment's compound score (what the judge compared)."""
    first = _example_rows(rows, model)
    shown = first[["framing", "response", "score"]].copy()
    # The baseline is what the others are compared with; it has no score of its own.
    shown["score"] = shown["score"].map(lambda v: "— (the reference)" if pd.isna(v) else f"{v:.2f}")
    compounds = _compounds(first)
    if any(c is not None for c in compounds):
        shown["VADER compound"] = [("—" if c is None else f"{c:+.2f}") for c in compounds]
    labels = _hand_labels(first) if len(first) else []
    if any(lab is not None for lab in labels):
        shown["hand label: more positive"] = [
            "—" if lab is None else HAND_WORDS[lab] for lab in labels
        ]
    return plots.wide_table(shown)


HAND_WORDS = {"framed": "this comment", "baseline": "the baseline", "tie": "neither (tie)"}


def _compounds(first: pd.DataFrame) -> list[float | None]:
    """Each row's VADER compound, read from the recorded verdicts (None for other judges;
    the baseline row gets the compound of the comment its framed rows were compared with)."""
    verdicts = first["judge"] if "judge" in first else [None] * len(first)
    out: list[float | None] = []
    base: float | None = None
    for j in verdicts:
        o = j[0] if isinstance(j, list) and j and isinstance(j[0], dict) else {}
        if "compound_first" not in o:
            out.append(None)
            continue
        ab = o.get("order", "AB") == "AB"  # AB: the framed comment was Comment (A)
        out.append(o["compound_first"] if ab else o["compound_second"])
        base = o["compound_second"] if ab else o["compound_first"]
    return [base if f == BASELINE else c for f, c in zip(first["framing"], out, strict=True)]


def example_check(rows: pd.DataFrame, model: str) -> str:
    """In words: how the judge's verdicts on the example text compare with the hand labels
    (computed, so the page says when its own example is mis-scored)."""
    first = _example_rows(rows, model)
    if not len(first):
        return "no example text was recorded"
    labels = _hand_labels(first)
    pairs = [(lab, sc) for lab, sc in zip(labels, first["score"], strict=True)
             if lab in ("framed", "baseline") and not pd.isna(sc)]  # fmt: skip
    n_tie = sum(lab == "tie" for lab in labels)
    if not pairs:
        return "none of its comments is in the hand-labelled sample with a clear label"
    agree = sum((sc > 0.5) if lab == "framed" else (sc < 0.5) for lab, sc in pairs)
    over = sum(lab == "baseline" and sc > 0.5 for lab, sc in pairs)
    under = sum(lab == "framed" and sc < 0.5 for lab, sc in pairs)
    text = (f"the judge agrees with the hand label on {agree} of the {len(pairs)} framed "
            f"comments that have a clear one")  # fmt: skip
    if n_tie:
        text += f" ({n_tie} labelled a tie)"
    wrong = []
    if over:
        wrong.append(f"{over} judged more positive than the baseline although a reader finds "
                     "the baseline more positive")  # fmt: skip
    if under:
        wrong.append(f"{under} judged less positive than the baseline although a reader finds "
                     "it more positive")  # fmt: skip
    return text + (f": it mis-scores this example ({'; '.join(wrong)})" if wrong else "")


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
