"""§3.2 "Are you sure?" figures and tables (Sharma et al. §3.2, Fig. 2; App. A.4, Figs. 13, 16, 17).

Fig. 2a: admits mistake (first answer correct); Fig. 2b: correct -> incorrect; plus the
accuracy before and after the challenge. One bar per model, each with the 95% CI its metric
row records (`figure2_ci_text` names them for the caption)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from syco import results
from syco.plots import bar_ci, ci_method_name, one_legend, ours, paper_vs_ours, set_style
from syco.results import pick_row
from syco.tasks.are_you_sure.metrics import MC_POOLED


def _order(metrics: pd.DataFrame) -> list[str]:
    """Sub-datasets, then their average ("all") and pooled; the multiple-choice scope of the
    re-guesser null (`MC_POOLED`) has its own table, not a bar."""
    subs = [s for s in dict.fromkeys(metrics["subset"]) if s not in ("all", "pooled", MC_POOLED)]
    return subs + [s for s in ("all", "pooled") if s in set(metrics["subset"])]


FIG2_METRICS = ("admits_mistake", "correct_to_incorrect")


def figure2_rows(metrics: pd.DataFrame) -> pd.DataFrame:
    """The rows Fig. 2's bars draw (value, CI and n each), so its caption can name the
    intervals they carry (`figure2_ci_text`)."""
    m = metrics[metrics.metric.isin(FIG2_METRICS)]
    return m[m["subset"].isin(_order(metrics))]


def ci_text(rows: pd.DataFrame) -> str:
    """The interval methods of a figure's rows, in words, from their ``ci_method`` (the
    method `syco.stats` used for each): a caption says what the error bars are."""
    if rows.empty or "ci_method" not in rows:
        return "no bars yet"
    parts = []
    for method, sub in rows.groupby(rows["ci_method"].astype(str), sort=False):
        subsets = list(dict.fromkeys(sub["subset"]))
        per = [s for s in subsets if s not in ("all", "pooled")]
        names = (["each sub-dataset"] if per else []) + [
            {"all": "their average (all)", "pooled": "pooled"}[s]
            for s in subsets
            if s in ("all", "pooled")
        ]
        parts.append(f"{ci_method_name(method)} for {', '.join(names)}")
    return "95% CIs: " + "; ".join(parts)


def figure2_ci_text(metrics: pd.DataFrame) -> str:
    """Fig. 2's interval methods in words (`ci_text` of `figure2_rows`)."""
    return ci_text(figure2_rows(metrics))


def figure_accuracy_rows(metrics: pd.DataFrame) -> pd.DataFrame:
    """The rows the accuracy figure's bars draw (before and after, every model)."""
    m = metrics[metrics.metric.isin(["accuracy_before", "accuracy_after"])]
    return m[m["subset"].isin(_order(metrics))]


def figure_accuracy_ci_text(metrics: pd.DataFrame) -> str:
    """The accuracy figure's interval methods in words (`ci_text`)."""
    return ci_text(figure_accuracy_rows(metrics))


def figure2(metrics: pd.DataFrame) -> plt.Figure:
    """(a) admits mistake and (b) correct -> incorrect, per subset, their average ("all") and pooled."""
    order = _order(metrics)
    rows = figure2_rows(metrics)
    set_style()
    fig, axes = plt.subplots(2, 1, figsize=(max(8, 1.4 * len(order) + 2), 7.4))
    for ax, metric, title in (
        (axes[0], FIG2_METRICS[0], "(a) Apologises / admits a mistake (first answer correct)"),
        (axes[1], FIG2_METRICS[1], "(b) Correct → incorrect after “Are you sure?”"),
    ):
        bar_ci(
            rows[rows.metric == metric],
            x="subset",
            ax=ax,
            title=title,
            ylabel="Frequency",
            order=order,
        )
        ax.set_xlabel("")
        ax.set_ylim(0, 100)
    fig.tight_layout()
    return one_legend(fig)


def figure_accuracy(metrics: pd.DataFrame) -> plt.Figure:
    """Accuracy before vs after the challenge, one panel per model (App. A.4, Fig. 16)."""
    models = list(dict.fromkeys(metrics["model"]))
    order = _order(metrics)
    set_style()
    fig, axes = plt.subplots(
        len(models), 1, figsize=(max(8, 1.4 * len(order) + 2), 3.5 * len(models)), squeeze=False
    )
    rows = figure_accuracy_rows(metrics)
    for ax, model in zip(axes[:, 0], models, strict=True):
        m = rows[rows.model == model]
        m = m.assign(when=m.metric.map({"accuracy_before": "before", "accuracy_after": "after"}))
        bar_ci(
            m,
            x="subset",
            hue="when",
            ax=ax,
            order=order,
            ylabel="Accuracy",
            title=f"{model}: accuracy before and after “Are you sure?”",
        )
        ax.set_xlabel("")
    fig.tight_layout()
    return one_legend(fig)


METRIC_ORDER = [
    "accuracy_before",
    "accuracy_after",
    "admits_mistake",
    "correct_to_incorrect",
    "incorrect_to_correct",
    "letter_change",
    "grade_flip",
    "truncated_reasoning",
    "truncated_answer",
    "truncated_challenge",
]


def metrics_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Every metric per model x subset with CI and counts, in the paper's order (a metric
    not in `METRIC_ORDER` keeps its name and comes after the known ones)."""
    m = results.metrics_table(metrics, lead=("model", "subset"))
    order = list(dict.fromkeys([*METRIC_ORDER, *m["metric"]]))
    m["metric"] = pd.Categorical(m["metric"], order, ordered=True)
    # every subset the rows have, the multiple-choice pool (`MC_POOLED`) too: a subset
    # missing from the categories would turn into NaN and show as an empty cell
    subsets = list(dict.fromkeys([*_order(metrics), MC_POOLED, *m["subset"]]))
    m["subset"] = pd.Categorical(m["subset"], subsets, ordered=True)
    return m.sort_values(["model", "subset", "metric"]).reset_index(drop=True)


def paper_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """The paper's numbers (Sharma et al. §3.2, Fig. 2; App. A.4, Fig. 16) beside ours (average of sub-datasets), labelled."""
    rows = []
    for model in dict.fromkeys(metrics["model"]):

        def v(metric: str, model: str = model) -> str | None:
            return ours(pick_row(metrics, metric, model=model, subset="all"))

        rows += [
            {
                "quantity": "Admits mistake when first answer correct",
                "paper": "42% (GPT-4) – 98% (Claude 1.3) [A]; Claude 1.3 98% [P]",
                "ours": v("admits_mistake"),
                "model": model,
            },
            {
                "quantity": "Changes its answer; ours: another letter (multiple choice only, "
                "letter_change)",
                "paper": "32% (GPT-4) – 86% (Claude 1.3) [A]",
                "ours": v("letter_change"),
                "model": model,
            },
            {
                "quantity": "Changes its answer; ours: the grade flips, right ↔ wrong (every "
                "question, grade_flip)",
                "paper": "(the same 32%–86% [A]; our two measures split it)",
                "ours": v("grade_flip"),
                "model": model,
            },
            {
                "quantity": "Correct → incorrect",
                "paper": "~20% (GPT-4) – ~80% (Claude 1.3), figure reads [F]",
                "ours": v("correct_to_incorrect"),
                "model": model,
            },
            {
                "quantity": "Incorrect → correct",
                "paper": "fewer than correct → incorrect (Fig. 17) [A]",
                "ours": v("incorrect_to_correct"),
                "model": model,
            },
            {
                "quantity": "Accuracy change after the challenge",
                "paper": "down by up to 27% (Claude 1.3), mean of 6 datasets [A]",
                "ours": v("accuracy_change"),
                "model": model,
            },
        ]
    return paper_vs_ours(rows, cite="§3.2, Fig. 2; App. A.4, Figs. 16–17")


def conditioning_table(metrics: pd.DataFrame, model: str, target: int = 100) -> pd.DataFrame:
    """Why admits-mistake and correct -> incorrect rest on few items: they count only the
    questions a model first answers correctly. Per sub-dataset, from the model's record: its
    first-answer accuracy, the first-correct items behind those metrics, the questions it
    would need for `target` of them at that accuracy, and how many the set holds."""
    from syco.data import load

    m = metrics[(metrics["model"] == model) & ~metrics["subset"].isin(["all", "pooled"])]
    sizes = pd.Series([r["base"]["dataset"] for r in load("are_you_sure")]).value_counts()
    out = []
    for subset in dict.fromkeys(m["subset"]):
        acc = pick_row(m, "accuracy_before", subset=subset)
        cond = pick_row(m, "admits_mistake", subset=subset)
        if not acc or not cond:
            continue
        p = float(acc["value"])
        out.append(
            {
                "subset": subset,
                "questions": int(acc["n"]),
                "first-answer accuracy": round(p, 3),
                "first-correct (admits-mistake n)": int(cond["n"]),
                f"questions for {target} first-correct": round(target / p) if p > 0 else None,
                "questions in the set": int(sizes.get(subset, 0)),
            }
        )
    return pd.DataFrame(out)
