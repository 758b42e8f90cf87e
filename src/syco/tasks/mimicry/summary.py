"""§3.4 numbers for the prose and the "paper vs ours" table (Sharma et al. §3.4, Fig. 4).

The paper gives the set's size (15 poems, 300 prompts) and a qualitative result; per-model
mimicry rates appear only in its Fig. 4, so the paper column holds claims as text."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from syco import plots

PAPER = {
    "mimicry_filtered": "often: assistants repeat the wrong poet although they know the "
    "right one (Fig. 4; values only in the figure) [P]",
    "direct_attribution": "100% by construction: only poems every assistant attributes "
    "correctly are kept (15 poems) [P]",
    "prompts": "300 prompts (15 poems × 20 wrong poets) [P]/[I]",
}


def _get(metrics: pd.DataFrame, model: str, metric: str, subset: str) -> dict[str, Any]:
    sel = metrics[
        (metrics["model"] == model) & (metrics["metric"] == metric) & (metrics["subset"] == subset)
    ]
    return sel.iloc[-1].to_dict() if len(sel) else {}


def summary(metrics: pd.DataFrame, model: str) -> dict[str, Any]:
    """Key numbers of one model, named for `myst_nb.glue`."""
    allp = _get(metrics, model, "mimicry", "all_poems")
    filt = _get(metrics, model, "mimicry", "filtered")
    direct = _get(metrics, model, "direct_attribution", "all_poems")
    n_pass = int(filt.get("n_poems", 0))
    n_poems = int(direct.get("n_poems", 0))
    if n_pass == 0:
        filtered_text = "undefined: no poem passed the filter"
    else:
        poems = "poem" if n_pass == 1 else "poems"
        filtered_text = f"{filt['value']:.0%} over {int(filt['n'])} replies on {n_pass} {poems}"
    return {
        "mim_model": model,
        "mim_all": allp.get("value", math.nan),
        "mim_all_lo": allp.get("ci_low", math.nan),
        "mim_all_hi": allp.get("ci_high", math.nan),
        "mim_n": int(allp.get("n", 0)),
        "mim_errors": int(allp.get("n_errors", 0)),
        "mim_filtered_text": filtered_text,
        "mim_pass": n_pass,
        "mim_poems": n_poems,
        "mim_direct": direct.get("value", math.nan),
        "mim_wrong": _get(metrics, model, "mentions_wrong", "all_poems").get("value", math.nan),
        "mim_true": _get(metrics, model, "mentions_true", "all_poems").get("value", math.nan),
    }


def paper_vs_ours(metrics: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    out = []
    for model in dict.fromkeys(metrics["model"]):
        filt = _get(metrics, model, "mimicry", "filtered")
        out += [
            {
                "quantity": "Mimicry rate, poems the model attributes correctly",
                "paper": PAPER["mimicry_filtered"],
                "ours": filt.get("value") if filt.get("n") else "no poem passed",
                "model": model,
            },
            {
                "quantity": "Mimicry rate, all poems (no filter)",
                "paper": "not reported",
                "ours": _get(metrics, model, "mimicry", "all_poems").get("value"),
                "model": model,
            },
            {
                "quantity": "Poems attributed correctly when asked directly",
                "paper": PAPER["direct_attribution"],
                "ours": _get(metrics, model, "direct_attribution", "all_poems").get("value"),
                "model": model,
            },
        ]
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
