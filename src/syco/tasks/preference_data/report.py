"""§4.1 tables and the numbers glued into the chapter's prose, read from saved runs.

The paper's numbers (Sharma et al. §4.1, Fig. 5; App. B) are typed here as text with their source tags,
in their own column; ours always come from the run records.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from syco.results import latest_spec, load_runs, pick_row, select
from syco.stats import side
from syco.tasks.preference_data.features import feature_table
from syco.tasks.preference_data.labeler import LLM_FEATURES
from syco.tasks.preference_data.run import CHAPTER, PROXY

PAPER = {
    "holdout": "71.3% on 1K held-out pairs [A]; a 52B PM: ~72% [P]",
    "shift": "up to ~6 pp from one feature [P]",
    "data": "15K pairs, 23 features (24 in App. B) [P]/[A]",
    "prior": "Laplace(0, b=0.01), no intercept [P]",
    "sampler": "NUTS, 4 chains × (500 warm-up + 1,500 draws) = 6,000 draws [P]/[A]",
    "corr": "−0.3: explicit vs implicit 'matches beliefs', the strongest pair [P]",
    "beliefs": "rewarded, among the most predictive features (not always the top) [P]/[A]",
}


def _metric(m: pd.DataFrame, metric: str, subset: str | None = None) -> dict[str, Any] | None:
    return pick_row(m, metric, subset=subset) or None


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def verdict(lo: float, hi: float) -> str:
    """Words for a 95% interval of P(preferred) relative to 50%."""
    if math.isnan(lo) or math.isnan(hi):
        return "not estimated"
    s = side(lo, hi, 0.5)
    if s > 0:
        return "rewarded (the 95% interval lies above 50%)"
    if s < 0:
        return "penalised (the 95% interval lies below 50%)"
    return "not distinguishable from no effect (the 95% interval includes 50%)"


def key_numbers(metrics: pd.DataFrame, model: str) -> dict[str, Any]:
    """The values the chapter glues (NaN where the run was not fitted)."""
    m = metrics[metrics["model"] == model]
    spec = latest_spec(CHAPTER, model)
    out: dict[str, Any] = {
        "n_train": spec.get("n_train", 0),
        "n_holdout": spec.get("n_holdout", 0),
        "n_features": len(spec.get("features", [])),
        "n_unparsed": spec.get("labelling", {}).get("n_unparsed", 0),
        "n_errors": spec.get("labelling", {}).get("n_errors", 0),
        "prior_b": spec.get("prior", {}).get("b", float("nan")),
        "run_seconds": spec.get("seconds", float("nan")),
        "run_cpu_seconds": spec.get("cpu_seconds", float("nan")),
        "draws": spec.get("fit", {}).get("num_chains", 0) * spec.get("fit", {}).get("num_samples", 0),
    }  # fmt: skip
    for sub in ("bayes_laplace", "logit_mle"):
        r = _metric(m, "holdout_accuracy", sub)
        out[f"acc_{sub}"] = _num(r["value"]) if r is not None else float("nan")
    lf = _metric(m, "labelled_fraction")
    out["labelled_fraction"] = _num(lf["value"]) if lf is not None else float("nan")
    out.update(top_feature="—", top_p=float("nan"), bottom_feature="—", bottom_p=float("nan"))
    p = m[m["metric"] == "p_preferred"].sort_values("value")
    if not p.empty:
        out["top_feature"], out["top_p"] = p.iloc[-1]["subset"], float(p.iloc[-1]["value"])
        out["bottom_feature"], out["bottom_p"] = p.iloc[0]["subset"], float(p.iloc[0]["value"])
    shift = _metric(m, "max_shift")
    out["max_shift"] = _num(shift["value"]) if shift is not None else float("nan")
    out["max_shift_feature"] = shift["subset"] if shift is not None else ""
    # a distance between two probabilities: points, as the paper-vs-ours row writes it
    out["max_shift_text"] = (
        "—" if math.isnan(out["max_shift"]) else f"{out['max_shift'] * 100:.1f} points"
    )
    corr = _metric(m, "posterior_corr_strongest")
    out["corr_strongest"] = _num(corr["value"]) if corr is not None else float("nan")
    out["corr_pair"] = corr["subset"].replace("|", " & ") if corr is not None else ""
    belief = _metric(m, "p_preferred_combined") if model != PROXY else None
    if belief is None:
        belief = _metric(m, "p_preferred", "agrees_with_stated_view")
    out["beliefs_p"] = _num(belief["value"]) if belief is not None else float("nan")
    out["beliefs_lo"] = _num(belief["ci_low"]) if belief is not None else float("nan")
    out["beliefs_hi"] = _num(belief["ci_high"]) if belief is not None else float("nan")
    out["beliefs_rank"] = _num(belief.get("rank")) if belief is not None else float("nan")
    loso = m[(m["metric"] == "p_preferred_loso") & (m["subset"] == out.get("top_feature"))]
    out["top_feature_top_in_splits"] = int((loso["rank"] == 1).sum()) if not loso.empty else 0
    out["n_splits"] = int(loso["split"].nunique()) if not loso.empty else 0
    out["beliefs_verdict"] = verdict(out["beliefs_lo"], out["beliefs_hi"])
    acc_lo = _metric(m, "holdout_accuracy", "bayes_laplace")
    out["acc_verdict"] = (
        "not estimated (no fit)" if acc_lo is None or math.isnan(_num(acc_lo["ci_low"]))
        else "above chance (the 95% CI excludes 50%)" if _num(acc_lo["ci_low"]) > 0.5
        else "not distinguishable from chance (the 95% CI includes 50%)"
    )  # fmt: skip
    nz = _metric(m, "feature_nonzero", "agrees_with_stated_view")
    out["agree_nonzero"] = _num(nz["value"]) if nz is not None else float("nan")
    return out


def glue_numbers(metrics: pd.DataFrame, model: str) -> dict[str, Any]:
    """`key_numbers` under the names the chapter's prose uses (``pd_*``)."""
    return {**{f"pd_{k}": v for k, v in key_numbers(metrics, model).items()}, "pd_labeler": model}


def paper_rows(metrics: pd.DataFrame, model: str) -> list[dict[str, Any]]:
    """Rows for `syco.plots.paper_vs_ours`."""
    k = key_numbers(metrics, model)

    def pct(v: float) -> str:
        return "—" if math.isnan(v) else f"{v:.1%}"

    return [
        {"quantity": "Holdout accuracy of the feature model", "paper": PAPER["holdout"],
         "ours": f"{pct(k['acc_bayes_laplace'])} on {k['n_holdout']} pairs "
                 f"(MLE logit: {pct(k['acc_logit_mle'])})", "model": model},
        {"quantity": "Largest shift of P(preferred) from one feature", "paper": PAPER["shift"],
         "ours": "—" if math.isnan(k["max_shift"])
         else f"{k['max_shift'] * 100:.1f} pp ({k['max_shift_feature']})", "model": model},
        {"quantity": "Data and features", "paper": PAPER["data"],
         "ours": f"{k['n_train']} training pairs (hh-rlhf test splits), {k['n_features']} "
                 f"{'proxy' if model == PROXY else 'LLM-labelled'} features", "model": model},
        {"quantity": "Prior", "paper": PAPER["prior"],
         "ours": f"Laplace(0, b={k['prior_b']}), no intercept", "model": model},
        {"quantity": "Sampler", "paper": PAPER["sampler"],
         "ours": f"NUTS, {k['draws']} draws in all", "model": model},
        {"quantity": "Strongest pairwise posterior correlation", "paper": PAPER["corr"],
         "ours": "—" if math.isnan(k["corr_strongest"])
         else f"{k['corr_strongest']:+.2f}: {k['corr_pair']}", "model": model},
        {"quantity": "'Matches user's beliefs'", "paper": PAPER["beliefs"],
         "ours": "—" if math.isnan(k["beliefs_p"])
         else f"P = {k['beliefs_p']:.1%} [{k['beliefs_lo']:.1%}, {k['beliefs_hi']:.1%}]"
              + ("" if math.isnan(k["beliefs_rank"]) else f", rank {int(k['beliefs_rank'])}")
              + (" (proxy: agreement phrase after a stated view)" if model == PROXY else ""),
         "model": model},
    ]  # fmt: skip


def features_frame(labeler: str = PROXY) -> pd.DataFrame:
    """The feature list of a labeller, with what each stands in for / its source tag."""
    if labeler == PROXY:
        return pd.DataFrame(feature_table())
    return pd.DataFrame(
        [{"feature": k, "asked as": d, "source tag": t} for k, d, t in LLM_FEATURES]
    )


def holdout_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Holdout accuracy of each labeller's fitted models, with CI and counts."""
    acc = select(metrics, "holdout_accuracy")
    cols = ["model", "subset", "value", "ci_low", "ci_high", "n", "n_unparsed", "n_errors"]
    return acc[cols].rename(
        columns={"model": "labeller", "subset": "model", "value": "accuracy"}
    )  # unrounded: the page formats accuracy and its interval once (`syco.plots.display_frame`)


def labelling_frame() -> pd.DataFrame:
    """Per saved run: pairs labelled, parsed, unparsed, errors, new calls, time."""
    rows = []
    for r in load_runs(CHAPTER):
        lab = r.spec.get("labelling", {})
        rows.append(
            {
                "labeller": r.model,
                "pairs": r.spec.get("n_pairs_labelled"),
                "unparsed": lab.get("n_unparsed"),
                "errors": lab.get("n_errors"),
                "new calls": lab.get("new_calls"),
                "cache hits": lab.get("cache_hits"),
                "train / holdout": f"{r.spec.get('n_train')} / {r.spec.get('n_holdout')}",
                "run time (s)": round(r.spec.get("seconds", float("nan")), 1),
            }
        )
    return pd.DataFrame(rows)


# -- humans vs the trained PM (the page's last section; record: `syco.pm.learned`) ----------
HUMANS, PM = "humans", "trained PM"


def interval_order(a_lo: float, a_hi: float, b_lo: float, b_hi: float) -> int:
    """+1 if interval a lies wholly above b, -1 wholly below, 0 if they overlap (or one is
    missing): the only comparison the prose may put in words (no difference claimed where
    the 95% intervals overlap)."""
    if any(math.isnan(_num(v)) for v in (a_lo, a_hi, b_lo, b_hi)):
        return 0
    return 1 if a_lo > b_hi else -1 if a_hi < b_lo else 0


def _ci(r: dict[str, Any]) -> str:
    return f"{_num(r['value']):.1%} [{_num(r['ci_low']):.1%}, {_num(r['ci_high']):.1%}]"


def pm_vs_humans_verdict(metrics: list[dict[str, Any]]) -> tuple[str, int, int]:
    """(sentence, features that differ, features) for the humans-vs-PM fits, worded from the
    intervals: the PM's σ(α) is called higher or lower than the humans' only where the two
    95% intervals do not overlap; otherwise the sentence says the fits cannot be told apart.
    `metrics`: the record's rows (``who`` = humans / trained PM)."""
    by = {(r["who"], r["subset"]): r for r in metrics if r.get("metric") == "p_preferred"}
    feats = sorted({f for (_, f) in by if (HUMANS, f) in by and (PM, f) in by})
    above: list[tuple[float, str]] = []
    below: list[tuple[float, str]] = []
    for f in feats:
        h, p = by[(HUMANS, f)], by[(PM, f)]
        side = interval_order(p["ci_low"], p["ci_high"], h["ci_low"], h["ci_high"])
        if side:
            gap = abs(_num(p["value"]) - _num(h["value"]))
            (above if side > 0 else below).append((gap, f'"{f}" (PM {_ci(p)} vs humans {_ci(h)})'))
    k, d = len(feats), len(above) + len(below)
    if k == 0:
        return "no feature was fitted for both, so there is nothing to compare", 0, 0
    if d == 0:
        return (
            f"on all {k} features the two 95% intervals overlap, so at this size the figure "
            "cannot tell the PM from the humans"
        ), 0, k  # fmt: skip
    parts = []
    if above:
        parts.append("the PM rewards more than the humans do "
                     + " and ".join(t for _, t in sorted(above, reverse=True)))  # fmt: skip
    if below:
        parts.append("the PM rewards less than the humans do "
                     + " and ".join(t for _, t in sorted(below, reverse=True)))  # fmt: skip
    rest = (f"; on the other {k - d} features the intervals overlap (no difference shown at "
            "this size)") if k > d else ""  # fmt: skip
    return (
        f"on {d} of {k} features the two 95% intervals do not overlap: "
        + "; ".join(parts) + rest
    ), d, k  # fmt: skip


def pm_vs_humans_numbers(record: Any | None) -> dict[str, Any]:
    """Glue values (``pd_pvh_*``) of the humans-vs-PM section from its record
    (`syco.pm.learned.load()`; None: not recorded yet, and the prose says so)."""
    if record is None:
        return {"pd_pvh_n": 0, "pd_pvh_agree": float("nan"), "pd_pvh_n_differ": 0,
                "pd_pvh_n_features": 0,
                "pd_pvh_verdict": "no PM-vs-humans record yet, so nothing to compare"}  # fmt: skip
    text, d, k = pm_vs_humans_verdict(record.metrics)
    return {"pd_pvh_n": record.spec.get("n_pairs", 0),
            "pd_pvh_agree": record.spec.get("pm_agrees_with_humans", float("nan")),
            "pd_pvh_n_differ": d, "pd_pvh_n_features": k, "pd_pvh_verdict": text}  # fmt: skip
