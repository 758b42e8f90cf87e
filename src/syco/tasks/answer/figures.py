"""§3.3 answer sycophancy figures and tables (Sharma et al. §3.3, Fig. 3; App. A.5).

Fig. 3: per dataset, the baseline accuracy and the change in accuracy under each of the
three user-belief templates, one bar per model, 95% CIs as error bars (`syco.stats`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from syco.plots import MISSING, bar_ci, fmt_interval, one_legend, ours, paper_vs_ours, set_style
from syco.results import pick_row
from syco.tasks.answer.metrics import SYC_TEMPLATE
from syco.tasks.answer.prompts import BASELINE, BIASED, label
from syco.tasks.answer.summary import PAPER, summary


def _with_labels(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["template_label"] = df["template"].map(label)
    return df


def figure3(metrics: pd.DataFrame, datasets: list[str] | None = None) -> plt.Figure:
    """Baseline accuracy (left) and delta per template (right), one row per dataset."""
    m = _with_labels(metrics)
    datasets = datasets or [d for d in dict.fromkeys(m["subset"]) if d not in ("all", "pooled")]
    set_style()
    fig, axes = plt.subplots(
        len(datasets),
        2,
        figsize=(11, 3.4 * len(datasets)),
        gridspec_kw={"width_ratios": [1, 3]},
        squeeze=False,
    )
    for row, ds in zip(axes, datasets, strict=True):
        base = m[(m.metric == "accuracy") & (m.template == BASELINE) & (m.subset == ds)]
        base = base.assign(x=ds)
        bar_ci(base, x="x", ax=row[0], ylabel="Baseline accuracy", title=ds)
        delta = m[(m.metric == "delta_accuracy") & (m.subset == ds)]
        bar_ci(
            delta,
            x="template_label",
            ax=row[1],
            ylabel="Change in accuracy",
            title=f"{ds}: accuracy change vs baseline",
            order=[label(t) for t in BIASED],
        )
        row[0].set_xlabel("")
        row[0].set_ylim(0, 100)  # an accuracy of 0 would otherwise get a ±0.04 axis
        row[1].set_xlabel("")
    fig.tight_layout()
    return one_legend(fig)


def accuracy_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per model x dataset x template, with counts and the paired change vs the
    baseline in points with its interval ("+22 pp [+14, +31]", as the paper-vs-ours table
    and the prose write it; a bare 0.215 beside accuracies in percent read as neither)."""
    m = _with_labels(metrics)
    acc = m[m.metric == "accuracy"].set_index(["model", "subset", "template"])
    delta = m[m.metric == "delta_accuracy"].set_index(["model", "subset", "template"])
    out = acc[["template_label", "value", "ci_low", "ci_high", "n", "n_errors", "n_unparsed"]]
    out = out.rename(columns={"value": "accuracy"})
    change = [
        MISSING if r is None else fmt_interval(r["value"], r["ci_low"], r["ci_high"],
                                               r.get("ci_method"), "delta_accuracy")
        for r in (delta.loc[i].to_dict() if i in delta.index else None for i in out.index)
    ]  # fmt: skip
    out["change vs baseline [95% CI]"] = change
    return out.reset_index()


def key_numbers(metrics: pd.DataFrame, model: str) -> dict[str, object]:
    """The numbers and sentences the chapter's prose glues, for one model (the average over
    datasets); the sentences follow the intervals (`syco.tasks.answer.summary`)."""
    return summary(metrics, model)


def paper_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """The paper's text-stated numbers (Sharma et al. §3.3, Fig. 3) beside ours, labelled."""
    rows = []
    for model in dict.fromkeys(metrics["model"]):

        def v(metric: str, template: str, model: str = model) -> str | None:
            return ours(pick_row(metrics, metric, model=model, subset="all", template=template))

        rows += [
            {
                "quantity": "Accuracy change, user suggests an incorrect answer",
                "paper": PAPER["think_incorrect"],
                "ours": v("delta_accuracy", "think_incorrect"),
                "model": model,
            },
            {
                "quantity": "Answer sycophancy (mean change over 3 user-belief templates)",
                "paper": PAPER["answer_sycophancy"],
                "ours": v("answer_sycophancy", "mean of 3 biased"),
                "model": model,
            },
            {
                "quantity": "Accuracy change, user suggests the correct answer",
                "paper": PAPER["think_correct"],
                "ours": v("delta_accuracy", "think_correct"),
                "model": model,
            },
            {
                "quantity": "Accuracy change, user doubts the correct answer",
                "paper": PAPER["dont_think_correct"],
                "ours": v("delta_accuracy", "dont_think_correct"),
                "model": model,
            },
        ]
    return paper_vs_ours(rows, cite="§3.3, Fig. 3")


def _decoding_pairs(models: list[str]) -> list[tuple[str, str]]:
    """(model, the same model at another sampling) for every record pair `decoding` made."""
    return [(m, o) for m in models for o in models if o.startswith(f"{m} [T=")]


def decoding_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """The decoding comparison (`syco.models.decoding`): baseline accuracy per dataset and
    answer sycophancy of a model at its recommended sampling beside the same questions at
    the paper's T=1, from the two records."""
    out = []
    pairs = _decoding_pairs(list(dict.fromkeys(metrics["model"])))
    for model, other in pairs:
        for run in (model, other):
            m = metrics[metrics["model"] == run]
            for metric, subset, template in [
                *(("accuracy", ds, BASELINE) for ds in ("trivia_qa", "truthful_qa", "all")),
                ("answer_sycophancy", "all", None),
            ]:
                r = pick_row(m, metric, subset=subset, template=template)
                if not r:
                    continue
                # the metric's own name, so the table writes it in its unit (accuracy in
                # percent, as every other table on the page; not "0.092 [0.043, 0.187]")
                out.append(
                    {
                        "run": run,
                        "metric": metric,
                        "template": template or SYC_TEMPLATE,
                        "subset": subset,
                        "value": r["value"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                        "n": r["n"],
                        "n_unparsed": r.get("n_unparsed"),
                    }
                )
    return pd.DataFrame(out)


def decoding_transcripts(rows: pd.DataFrame, k: int = 4) -> pd.DataFrame:
    """The first `k` baseline questions of each dataset, the reply at each sampling."""
    if rows.empty:
        return pd.DataFrame()
    out = []
    for model, other in _decoding_pairs(list(dict.fromkeys(rows["model"]))):
        base = rows[rows["template"] == BASELINE]
        mine, theirs = base[base["model"] == model], base[base["model"] == other]
        for ds in dict.fromkeys(mine["dataset"]):
            for r in mine[mine["dataset"] == ds].head(k).to_dict("records"):
                o = theirs[theirs["question_id"] == r["question_id"]]
                out.append(
                    {
                        "question": r["question"],
                        "gold": r["correct_answer"],
                        model: f"{r['response']} [{'✓' if r['correct'] else '✗'}]",
                        other: (
                            f"{o.iloc[0]['response']} [{'✓' if o.iloc[0]['correct'] else '✗'}]"
                            if not o.empty
                            else ""
                        ),
                    }
                )
    return pd.DataFrame(out)


def decoding_text(rows: pd.DataFrame) -> str:
    """The decoding comparison in words, from the two records' rows: baseline accuracy at
    the paper's T=1 minus at the model's recommended sampling, paired over the baseline
    questions both graded (Newcombe's paired interval); a direction only where it excludes 0."""
    from syco.stats import paired_diff_row, side

    if rows.empty:
        return "The decoding comparison was not run (`compare_decoding`)."
    pairs = _decoding_pairs(list(dict.fromkeys(rows["model"])))
    if not pairs:
        return "The decoding comparison was not run (`compare_decoding`)."
    texts = []
    for model, other in pairs:
        base = rows[(rows["template"] == BASELINE) & (rows["status"] == "scored")]
        mine = base[base["model"] == model].set_index("question_id")["correct"]
        theirs = base[base["model"] == other].set_index("question_id")["correct"]
        both = mine.index.intersection(theirs.index)
        if len(both) == 0:
            texts.append(f"{other}: no baseline question graded at both settings.")
            continue
        a = theirs.loc[both].astype(float).to_numpy()
        b = mine.loc[both].astype(float).to_numpy()
        d = paired_diff_row("accuracy_difference", a, b)
        lo, hi, v = float(d["ci_low"]), float(d["ci_high"]), float(d["value"])  # type: ignore[arg-type]
        s = side(lo, hi)
        verdict = (
            "lower"
            if s < 0
            else "higher"
            if s > 0
            else "no different by an amount these n can resolve"
        )
        setting = other.removeprefix(model).strip(" []")
        texts.append(
            f"At {setting}, its baseline accuracy is {a.mean():.1%} against {b.mean():.1%} at its "
            f"recommended sampling on the same {len(both)} questions (paired difference "
            f"{v * 100:+.1f} points, 95% CI {lo * 100:+.1f} to {hi * 100:+.1f}, Newcombe): "
            f"{verdict}."
        )
    return " ".join(texts)
