"""§3.4 numbers for the prose and the "paper vs ours" table (Sharma et al. §3.4, Fig. 4).

The paper gives the set's size (15 poems, 300 prompts) and a qualitative result; per-model
mimicry rates appear only in its Fig. 4, so the paper column holds claims as text."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from syco import plots
from syco.results import pick, pick_row, select

PAPER = {
    "mimicry_filtered": "often: assistants repeat the wrong poet although they know the "
    "right one (Fig. 4; values only in the figure) [P]",
    "direct_attribution": "100% by construction: only poems every assistant attributes "
    "correctly are kept (15 poems) [P]",
    "prompts": "300 prompts (15 poems × 20 wrong poets) [P]/[I]",
}


HEADLINE = ("mimicry", "filtered")  # (metric, subset): the paper's setting (Sharma et al. §3.4)
SECONDARY = ("mimicry", "all_poems")  # no filter: every poem, known or not


def _count(row: dict[str, Any], key: str) -> int:
    """An integer field of a metric row; 0 when absent or NaN (a frame pads missing ones)."""
    v = row.get(key)
    return 0 if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)


def filtered_text(filt: dict[str, Any]) -> str:
    """The headline in words: the rate on the poems the model attributes correctly, with its
    cluster-aware CI, replies and poems; says so when no poem passed."""
    n_pass = _count(filt, "n_poems")
    if n_pass == 0 or not _count(filt, "n"):
        return "undefined: no poem passed the filter"
    poems = "poem" if n_pass == 1 else "poems"
    # One poem is one cluster: no spread between poems to estimate, so `cluster_wilson_ci`
    # counts its replies as one observation (Wilson at n = 1, the worst case), not t at C-1 df.
    how = (
        "one poem, so its replies count as one observation: Wilson at n = 1"
        if n_pass == 1
        else "clustered by poem"
    )
    return (
        f"{filt['value']:.0%} (95% CI {filt['ci_low']:.0%} to {filt['ci_high']:.0%}, "
        f"{how}) over {int(filt['n'])} replies on {n_pass} {poems}"
    )


def summary(metrics: pd.DataFrame, model: str) -> dict[str, Any]:
    """Key numbers of one model, named for `myst_nb.glue`. The headline is the paper's
    setting (``mimicry``/``filtered``); all poems is the secondary number."""
    allp = pick_row(metrics, SECONDARY[0], model=model, subset=SECONDARY[1])
    filt = pick_row(metrics, HEADLINE[0], model=model, subset=HEADLINE[1])
    direct = pick_row(metrics, "direct_attribution", model=model, subset="all_poems")
    n_pass = _count(filt, "n_poems")
    n_poems = _count(direct, "n_poems")
    return {
        "mim_model": model,
        "mim_filtered": filt.get("value", math.nan),
        "mim_filtered_lo": filt.get("ci_low", math.nan),
        "mim_filtered_hi": filt.get("ci_high", math.nan),
        "mim_filtered_n": _count(filt, "n"),
        "mim_all": allp.get("value", math.nan),
        "mim_all_lo": allp.get("ci_low", math.nan),
        "mim_all_hi": allp.get("ci_high", math.nan),
        "mim_n": int(allp.get("n", 0)),
        "mim_errors": int(allp.get("n_errors", 0)),
        "mim_filtered_text": filtered_text(filt),
        "mim_pass": n_pass,
        "mim_poems": n_poems,
        "mim_direct": direct.get("value", math.nan),
        "mim_wrong": pick(metrics, "mentions_wrong", model=model, subset="all_poems"),
        "mim_true": pick(metrics, "mentions_true", model=model, subset="all_poems"),
        **_question_effect(metrics, model),
        "mim_truncated": pick(metrics, "truncated", model=model, subset="all_poems"),
    }


NOT_COMPARED = "not measured in this run (compare_ask_author=False)"


def _question_effect(metrics: pd.DataFrame, model: str) -> dict[str, Any]:
    """The authorship question's effect (a difference of mimicry rates: points, as the
    metrics table writes it), as a sentence (no second wording run: say so)."""
    eff = pick_row(metrics, "author_question_effect", model=model, subset="all_poems")
    if not eff.get("n"):
        text = NOT_COMPARED
    else:
        text = (plots.fmt_interval(eff["value"], eff["ci_low"], eff["ci_high"],
                                   eff.get("ci_method"), "author_question_effect")
                + f", n = {int(eff['n'])} paired prompts")  # fmt: skip
    return {"mim_question_effect": text}


EXAMPLE_COLUMNS = {
    "direct": ["title", "true_poet", "response", "correct"],
    "mimicry": [
        "title", "true_poet", "wrong_poet", "response", "mentions_wrong", "mentions_true", "score"
    ],
}  # fmt: skip


def examples(rows: pd.DataFrame, model: str, kind: str, n: int | None = None) -> Any:
    """A model's replies of one kind ("direct" who-wrote-it, or "mimicry"), first ``n``."""
    sel = select(rows, model=model, kind=kind)[EXAMPLE_COLUMNS[kind]]
    return plots.wide_table(sel.head(n) if n else sel)


def paper_vs_ours(metrics: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    out = []
    for model in dict.fromkeys(metrics["model"]):
        filt = pick_row(metrics, "mimicry", model=model, subset="filtered")
        out += [
            {
                "quantity": "Mimicry rate, poems the model attributes correctly",
                "paper": PAPER["mimicry_filtered"],
                "ours": plots.ours(filt) if filt.get("n") else "no poem passed",
                "model": model,
            },
            {
                "quantity": "Mimicry rate, all poems (no filter)",
                "paper": "not reported",
                "ours": plots.ours(pick_row(metrics, "mimicry", model=model, subset="all_poems")),
                "model": model,
            },
            {
                "quantity": "Poems attributed correctly when asked directly",
                "paper": PAPER["direct_attribution"],
                "ours": plots.ours(
                    pick_row(metrics, "direct_attribution", model=model, subset="all_poems")
                ),
                "model": model,
            },
        ]
        eff = pick_row(metrics, "author_question_effect", model=model, subset="all_poems")
        out.append(
            {
                "quantity": "Effect of adding 'And can you identify who wrote it?' "
                "(paired prompts)",
                "paper": "not in the paper's confirmed prompt (its ending is unpublished)",
                "ours": plots.ours(eff) if eff.get("n") else NOT_COMPARED,
                "model": model,
            }
        )
        if len(rows) and "kind" in rows:
            sel = rows[(rows["model"] == model) & (rows["kind"] == "mimicry")]
            out.append(
                {
                    "quantity": "Misattributed prompts run",
                    "paper": PAPER["prompts"],
                    "ours": f"{len(sel)} ({sel['poem_id'].nunique()} poems)",
                    "model": model,
                }
            )
    return plots.paper_vs_ours(out, cite="§3.4, Fig. 4")
