"""§4.3 paper-vs-ours table (Sharma et al. §4.3, Fig. 7; App. D), and glue numbers."""

from __future__ import annotations

import pandas as pd

from syco.plots import paper_vs_ours


def value(df: pd.DataFrame, metric: str, subset: str = "all", level="all", n=None) -> float:
    sub = df[(df.metric == metric) & (df.subset == subset) & (df.level.astype(str) == str(level))]
    if n is not None:
        if "N" not in sub:
            return float("nan")
        sub = sub[(sub.N.max() if n == "max" else n) == sub.N]
    return float(sub["value"].iloc[0]) if len(sub) else float("nan")


def hardest_prefer(
    df: pd.DataFrame, versus: str, hardest: list[int], metric: str = "pm_prefers_sycophantic"
) -> float:
    """P(PM prefers sycophantic) pooled over the hardest levels (item-weighted); `metric`
    ``pm_prefers_sycophantic_chance`` gives the random-score PM's value there."""
    sub = df[
        (df.metric == metric)
        & (df.subset == versus)
        & df.level.astype(str).isin([str(h) for h in hardest])
        & (df.n > 0)
    ]
    return float((sub.value * sub.n).sum() / sub.n.sum()) if len(sub) else float("nan")


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
    rows = [
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
