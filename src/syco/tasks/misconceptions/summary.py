"""§4.3 paper-vs-ours table (Sharma et al. §4.3, Fig. 7; App. D), and glue numbers."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from syco.plots import paper_vs_ours
from syco.results import RunRecord, latest_spec, pick, select


def value(df: pd.DataFrame, metric: str, subset: str = "all", level="all", n=None) -> float:
    return float(pick(df, metric, subset=subset, level=level, N=n))


def hardest_prefer(
    df: pd.DataFrame, versus: str, hardest: list[int], metric: str = "pm_prefers_sycophantic"
) -> float:
    """P(sycophantic preferred) pooled over the hardest levels (item-weighted); ``metric``
    names who prefers: the PM, ``pm_prefers_sycophantic_chance`` (a random-score PM) or a
    class (``human_prefers_sycophantic``)."""
    sub = df[
        (df.metric == metric)
        & (df.subset == versus)
        & df.level.astype(str).isin([str(h) for h in hardest])
        & (df.n > 0)
    ]
    return float((sub.value * sub.n).sum() / sub.n.sum()) if len(sub) else float("nan")


def key_numbers(metrics: pd.DataFrame, model: str) -> dict[str, object]:
    """The numbers the chapter's prose glues, for one (policy, PM) record."""
    from syco.tasks.misconceptions import CHAPTER

    spec = latest_spec(CHAPTER, model)
    m = select(metrics, model=model)
    out: dict[str, object] = {
        "mc_model": model,
        "mc_n": len(spec.get("items", [])),
        "mc_M": spec.get("pool_size"),
        "mc_vs_base": value(m, "pm_prefers_sycophantic", "baseline_truthful"),
        "mc_vs_helpful": value(m, "pm_prefers_sycophantic", "helpful_truthful"),
        "mc_vs_helpful_hard": hardest_prefer(
            m, "helpful_truthful", list(spec.get("hardest_levels", []))
        ),
    }
    chance = "pm_prefers_sycophantic_chance"
    out["mc_chance_base"] = value(m, chance, "baseline_truthful")
    out["mc_chance_helpful"] = value(m, chance, "helpful_truthful")
    out["mc_procedure"] = (
        "the same PM picked and judged the sycophantic response (the paper used two PMs), so "
        "these numbers are not comparable with the paper's 95% and 45%"
        if spec.get("same_pm_selects_and_judges", True)
        else "a separate selector PM picked the sycophantic response and the PM judged it, as in "
        "the paper"
    )
    bon = (("PM", "pm"), ("non-syc PM", "nonsyc"), ("oracle", "oracle"), ("random PM", "random"))
    for lab, key in bon:
        out[f"mc_bon_{key}_1"] = value(m, "bon_sycophantic", lab, "all", 1)
        out[f"mc_bon_{key}_max"] = value(m, "bon_sycophantic", lab, "all", "max")
    out["mc_p1"] = value(m, "p_true_below_1pct")
    return out


def example(record: RunRecord) -> Styler:
    """The first item as the PM saw it: the best-scored baseline phrasing, the helpful
    truthful response and the selector's favourite sycophantic sample (the user's turn
    above; the selector is the PM itself unless the run named another)."""
    rows = pd.DataFrame(record.rows)
    first = record.spec["items"][0]
    ex = rows[rows.item_id == first["item_id"]].copy()
    ex["PM score"] = ex.pm_score.map(lambda d: d.get("PM"))
    ex["selector score"] = ex.pm_score.map(lambda d: d.get("selector", d.get("PM")))
    best = ex[ex.kind == "sycophantic"].sort_values("selector score").tail(1)
    show = pd.concat(
        [
            ex[ex.kind == "baseline_truthful"].sort_values("PM score").tail(1),
            ex[ex.kind == "helpful_truthful"],
            best,
        ]
    )
    table = show[["kind", "response", "PM score", "truthful"]]
    return table.style.hide(axis="index").set_caption(first["prompt"])


def paper_table(
    df: pd.DataFrame,
    model: str,
    n_items: int,
    hardest: list[int],
    humans: float | None = None,
    same_pm: bool = True,
) -> pd.DataFrame:
    syc = "bon_sycophantic"
    chance = "pm_prefers_sycophantic_chance"
    c_base = value(df, chance, "baseline_truthful")
    c_help = hardest_prefer(df, "helpful_truthful", hardest, chance)
    rows: list[dict[str, object]] = [
        {
            "quantity": "misconceptions / difficulty levels",
            "paper": "266 / 8 [P]",
            "ours": f"{n_items} / 8",
        },
        {
            "quantity": "Fig. 7a: which PM picks / which judges",
            "paper": "helpful-only PM / Claude 2 PM [P]",
            "ours": "one PM does both (self-judged)" if same_pm else "selector / PM",
        },
        {
            "quantity": "PM prefers sycophantic over baseline truthful (all levels)",
            "paper": "95% [P]",
            "ours": value(df, "pm_prefers_sycophantic", "baseline_truthful"),
        },
        {
            "quantity": "… a random-score PM, same procedure (exact)",
            "paper": "not stated; 1/(B+1) for B phrasings",
            "ours": c_base,
        },
        {
            "quantity": "PM prefers sycophantic over helpful truthful, hardest level",
            "paper": "45% [P]",
            "ours": hardest_prefer(df, "helpful_truthful", hardest),
        },
        {
            "quantity": "… a random-score PM, same procedure (exact)",
            "paper": "50% (separate selector)",
            "ours": c_help,
        },
        {
            "quantity": "BoN (N=max), hardest: sycophantic with the oracle",
            "paper": "~25% at N=4096 [P]",
            "ours": value(df, syc, "oracle", "hardest", "max"),
        },
        {
            "quantity": "BoN (N=max), hardest: sycophantic with the PM",
            "paper": "~75% at N=4096 [P]",
            "ours": value(df, syc, "PM", "hardest", "max"),
        },
        {
            "quantity": "BoN (N=max), hardest: sycophantic with the non-syc PM",
            "paper": "about half the PM's [F]",
            "ours": value(df, syc, "non-syc PM", "hardest", "max"),
        },
        {
            "quantity": "BoN (any N), hardest: sycophantic with a random-score PM (exact)",
            "paper": "not shown",
            "ours": value(df, syc, "random PM", "hardest", "max"),
        },
        {
            "quantity": "claims with P(true) < 1% / < 5%",
            "paper": "76% / 84% [A]",
            "ours": f"{value(df, 'p_true_below_1pct'):.0%} / {value(df, 'p_true_below_5pct'):.0%}",
        },
        {
            "quantity": "humans prefer sycophantic, hardest level",
            "paper": "~35% [R]/[F]",
            "ours": humans if humans is not None else "no class ratings yet",
        },
    ]
    return paper_vs_ours([{**r, "model": model} for r in rows], cite="§4.3, Fig. 7; App. D")
