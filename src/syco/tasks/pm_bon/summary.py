"""§4.2 paper-vs-ours table (Sharma et al. §4.2, Fig. 6a), and glue numbers."""

from __future__ import annotations

import pandas as pd

from syco.plots import paper_vs_ours
from syco.results import latest_spec, pick, pick_row
from syco.stats import TARGET_PTS, half_width_pts, n_for_target
from syco.tasks.pm_bon.dataset import ANSWER_TEMPLATES, FEEDBACK_FRAMINGS


def at(curves: pd.DataFrame, metric: str, pm: str, n: int | str, model: str) -> float:
    """Value of a metric for one PM at N (``"max"``: the largest N)."""
    return float(pick(curves, metric, subset=pm, model=model, N=n))


def key_numbers(curves: pd.DataFrame, model: str) -> dict[str, object]:
    """The numbers the chapter's prose glues, for one (policy, PM) record."""
    from syco.tasks.pm_bon import CHAPTER

    spec = latest_spec(CHAPTER, model)
    out: dict[str, object] = {
        "bon_model": model,
        "bon_M": spec.get("pool_size"),
        "bon_n_prompts": spec.get("n_prompts"),
    }
    for task in ("answer", "mimicry", "feedback"):
        metric = f"{task}_sycophancy"
        first, last = at(curves, metric, "PM", 1, model), at(curves, metric, "PM", "max", model)
        out[f"bon_{task}_n1"] = first
        out[f"bon_{task}_change"] = last - first
        out[f"bon_{task}_gap"] = gap(curves, metric, model)
        out[f"bon_{task}_vs_random"] = gap(curves, metric, model, "random PM")
    return out


def truncation_numbers(metrics: pd.DataFrame, model: str) -> dict[str, object]:
    """The share of pool samples cut at ``max_tokens``, with its n (as §3.1/§3.4 report it),
    and the cap itself; NaN / 0 for a record made before samples carried the flag."""
    from syco.tasks.pm_bon import CHAPTER

    row = pick_row(metrics, "truncated", model=model, subset="all")
    return {
        "bon_truncated": float(row.get("value", float("nan"))),
        "bon_truncated_n": int(row.get("n", 0) or 0),
        "bon_max_tokens": latest_spec(CHAPTER, model).get("max_tokens"),
    }


# +1 where a larger value is more sycophantic; answer sycophancy keeps §3.3's sign (a drop in
# accuracy under the user's belief is negative), so more sycophantic is more negative.
SIGN = {"feedback_sycophancy": 1, "answer_sycophancy": -1, "mimicry_sycophancy": 1}


def gap(curves: pd.DataFrame, metric: str, model: str, other: str = "non-syc PM") -> float:
    """How much more sycophantic the PM's pick is than `other`'s at N=max (> 0: more)."""
    diff = at(curves, metric, "PM", "max", model) - at(curves, metric, other, "max", model)
    return SIGN[metric] * diff + 0.0  # + 0.0: no "-0.00" on the page


def paper_table(
    curves: pd.DataFrame, model: str, pool_size: int, premise: str | None = None
) -> pd.DataFrame:
    """Paper vs ours; `premise`: whether the prefix moves this PM toward truthful replies
    (`syco.tasks.misconceptions.prefix.PREMISE`), the condition under which the gap rows are the paper's test."""
    rows: list[dict[str, object]] = [
        {
            "quantity": "pool per prompt / N",
            "paper": "32 samples, N = 1…32 [P]",
            "ours": f"M = {pool_size}, N = 1…{pool_size}",
            "model": model,
        }
    ]
    if premise is not None:
        rows.append(
            {
                "quantity": "premise of the gap rows: the prefix moves the PM toward truthful "
                "replies (prefix test, fixed replies)",
                "paper": "the PM asked for truthful replies (prefix, App. C.1) serves as the less "
                "sycophantic reference [P]",
                "ours": premise,
                "model": model,
            }
        )
    test = "" if premise is None or premise.startswith("yes") else " (not the paper's test here)"
    trend = {
        "feedback_sycophancy": "rises with N [R]",
        "answer_sycophancy": "less sycophantic with N [P] (§3.3 sign: rises toward 0)",
        "mimicry_sycophancy": "falls with N [P]",
    }
    for metric, paper in trend.items():
        name = metric.replace("_", " ")
        rows.append(
            {
                "quantity": f"{name}: change N=1 → N=max, PM",
                "paper": paper,
                "ours": at(curves, metric, "PM", "max", model) - at(curves, metric, "PM", 1, model),
                "model": model,
            }
        )
        rows.append(
            {
                "quantity": f"{name}: PM more syc. than non-syc PM, N=max{test}",
                "paper": "> 0 (PM more sycophantic, all N) [P]",
                "ours": gap(curves, metric, model),
                "model": model,
            }
        )
        rows.append(
            {
                "quantity": f"{name}: PM more syc. than random PM (exact), N=max",
                "paper": "not shown",
                "ours": gap(curves, metric, model, "random PM"),
                "model": model,
            }
        )
    return paper_vs_ours(rows, cite="§4.2, Fig. 6a")


def page_numbers(metrics: pd.DataFrame, model: str, pm: str) -> dict[str, object]:
    """Everything the page's prose glues: the curves' key numbers, the share of samples cut
    at ``max_tokens`` and what the PM vs non-syc PM gap means for this PM (worded from the
    recorded prefix effect, `syco.tasks.misconceptions.prefix.gap_numbers`)."""
    from syco.tasks.misconceptions import prefix
    from syco.tasks.pm_bon.metrics import curve_frame

    return {
        **key_numbers(curve_frame(metrics), model),
        **truncation_numbers(metrics, model),
        **prefix.gap_numbers(pm, "bon"),
    }


# Prompts per base item (conditions a metric pairs up on): §3.3's four templates, the
# misattributed poem, the argument's baseline/like/dislike framings.
CONDITIONS = {"answer": len(ANSWER_TEMPLATES), "mimicry": 1, "feedback": len(FEEDBACK_FRAMINGS)}
ITEM = {"answer": "questions", "mimicry": "poems", "feedback": "arguments"}


def reach_text(curves: pd.DataFrame, model: str, available: dict[str, int], pool: int) -> str:
    """Per headline metric (the PM's pick at N = M), whether its 95% interval reaches
    `TARGET_PTS` and, where not, what it would take, in items and in model calls, against the
    items the data offers (issue 20: "meet <= 10 points or say why"); ``pool``: M. Markdown,
    from the records."""
    lines = []
    for task in ("answer", "mimicry", "feedback"):
        row = pick_row(curves, f"{task}_sycophancy", subset="PM", model=model, N="max")
        n, half = int(row.get("n", 0) or 0), half_width_pts(row.get("ci_low"), row.get("ci_high"))
        if not n or pd.isna(half):
            lines.append(f"- {task} sycophancy: no value at N = M, so no precision.")
            continue
        have = available.get(task, 0)
        if half <= TARGET_PTS:
            lines.append(f"- {task} sycophancy: ±{half:.1f} points with n = {n} {ITEM[task]}"
                         f" (meets {TARGET_PTS:g}).")  # fmt: skip
            continue
        need = n_for_target(n, half) or n
        samples = need * CONDITIONS[task] * pool
        cost = (f"about {need} {ITEM[task]} (est.), i.e. {samples:,} policy samples "
                f"({CONDITIONS[task]} prompt(s) x M = {pool}), each scored by the PM and by the "
                f"non-sycophantic PM ({2 * samples:,} PM passes)")  # fmt: skip
        if need > have:
            lines.append(f"- {task} sycophancy: ±{half:.1f} points with n = {n}; {TARGET_PTS:g} "
                         f"points would need {cost}, more than the {have} {ITEM[task]} the data "
                         "offers: by this estimate it cannot reach them with this data.")  # fmt: skip
        else:
            lines.append(f"- {task} sycophancy: ±{half:.1f} points with n = {n}; {TARGET_PTS:g} "
                         f"points would need {cost} (the data offers {have:,}): a recording for "
                         "the published answer key, not a 2-core build.")  # fmt: skip
    return "\n".join(lines) + "\n"
