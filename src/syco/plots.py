"""Figures in the paper's style: one look for every chapter.

Plot functions take tidy DataFrames (from `syco.results`), never files, and draw the
value with its confidence interval as error bars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith("module://") else None

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from syco.book.paper import paper_label  # noqa: E402

PALETTE = "colorblind"


def glue_figure(name: str, fig: Figure) -> None:
    """Glue a figure for a ``{glue:figure}`` directive and close it: otherwise the inline
    backend shows it a second time under the cell that made it."""
    from myst_nb import glue

    glue(name, fig, display=False)
    plt.close(fig)


def glue_all(values: dict[str, Any]) -> None:
    """Glue every key number of a chapter for ``{glue:text}`` in its prose (not shown)."""
    from myst_nb import glue

    for name, value in values.items():
        glue(name, value, display=False)


def one_legend(fig: Figure, title: str = "model") -> Figure:
    """Replace the panels' legends with one legend under the figure: a legend inside a
    panel full of bars covers a bar, and every panel repeats the same models."""
    entries: dict[str, Any] = {}
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_title().get_text():
            title = legend.get_title().get_text()  # the panels' hue name
        handles, labels = ax.get_legend_handles_labels()
        entries.update(
            {lab: h for h, lab in zip(handles, labels, strict=True) if lab not in entries}
        )
        if legend is not None:
            legend.remove()
    if entries:
        fig.legend(
            list(entries.values()),
            list(entries),
            title=title,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=min(len(entries), 4),
            frameon=False,
            fontsize="small",
        )
    return fig


def set_style() -> None:
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update({"figure.dpi": 110, "savefig.bbox": "tight", "axes.titleweight": "bold"})


def bar_ci(
    df: pd.DataFrame,
    *,
    x: str,
    y: str = "value",
    hue: str | None = "model",
    lo: str = "ci_low",
    hi: str = "ci_high",
    ax: plt.Axes | None = None,
    percent: bool = True,
    title: str | None = None,
    ylabel: str | None = None,
    order: list[str] | None = None,
    n: str = "n",
) -> plt.Axes:
    """Grouped bars with asymmetric CI error bars (the paper's figure form), each labelled
    with the number of samples behind it (column `n`, when the frame has one)."""
    set_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5, 1.3 * df[x].nunique() + 2), 3.6))
    order = order or list(dict.fromkeys(df[x]))
    hues = list(dict.fromkeys(df[hue])) if hue else [None]
    width = 0.8 / len(hues)
    colors = sns.color_palette(PALETTE, len(hues))
    scale = 100 if percent else 1
    for j, h in enumerate(hues):
        sub = df if h is None else df[df[hue] == h]
        sub = sub.set_index(x).reindex(order)
        xs = [i - 0.4 + width * (j + 0.5) for i in range(len(order))]
        vals = sub[y] * scale
        err = None
        if lo in sub and hi in sub:
            err = [
                (sub[y] - sub[lo]).clip(lower=0) * scale,
                (sub[hi] - sub[y]).clip(lower=0) * scale,
            ]
        ax.bar(xs, vals, width=width * 0.95, yerr=err, capsize=3, color=colors[j], label=h)
        ns = sub[n] if n in sub else [None] * len(xs)
        for xi, v, k in zip(xs, vals, ns, strict=True):
            if pd.isna(v):  # no eligible sample: say so rather than leave a silent gap
                ax.annotate("no data", (xi, 0), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", rotation=90, fontsize="x-small",
                            color="grey")  # fmt: skip
            elif k is not None and not pd.isna(k):  # n beside every value
                ax.annotate(f"n={int(k)}", (xi, 0), xytext=(0, 3 if v >= 0 else -3),
                            textcoords="offset points", ha="center",
                            va="bottom" if v >= 0 else "top", rotation=90,
                            fontsize="xx-small", color="black", alpha=0.7)  # fmt: skip
    ax.set_xticks(range(len(order)), order)
    ax.set_xlim(-0.5, len(order) - 0.5)
    ax.axhline(0, color="black", lw=0.8)
    if ylabel:
        ax.set_ylabel(ylabel + (" (%)" if percent else ""))
    if title:
        ax.set_title(title)
    if hue and len(hues) > 0:
        ax.legend(title=hue, frameon=False, fontsize="small")
    return ax


def n_range(ns: Any) -> str:
    """The label a line figure carries beside its values: "n=16", or "n=12–16" where the
    points of a curve or panel rest on different n (items left out at a larger N)."""
    vals = sorted({int(k) for k in ns if k is not None and not pd.isna(k)})
    if not vals:
        return "n=?"
    return f"n={vals[0]}" if len(vals) == 1 else f"n={vals[0]}–{vals[-1]}"


def wide_table(df: pd.DataFrame) -> Any:
    """A table of long texts (responses, prompts) shown whole, without the index."""
    return df.style.hide(axis="index")


def ours(row: Any) -> str | None:
    """Our value as the tables show it: "12.5% [3.1%, 38.4%], n=8" (None when missing)."""
    if row is None or not hasattr(row, "get") or row.get("value") is None:
        return None
    v, lo, hi, n = (row.get(k) for k in ("value", "ci_low", "ci_high", "n"))
    if pd.isna(v):
        return f"no data (n={int(n or 0)})"
    ci = "" if lo is None or pd.isna(lo) else f" [{lo:.1%}, {hi:.1%}]"
    return f"{v:.1%}{ci}, n={int(n)}"


def paper_vs_ours(rows: Sequence[Mapping[str, object]], cite: str = "") -> pd.DataFrame:
    """A table with the paper's reported numbers in their own, labelled column.

    Each row: {"quantity", "paper" (text as reported, with its source tag), "ours" (a number
    from our records), "model"}. Ours is formatted here; the paper's stays as reported.
    ``cite`` names where in the paper the numbers are (e.g. "§3.2, Fig. 2; App. A.4")."""
    df = pd.DataFrame(rows)
    if "ours" in df:
        df["ours"] = df["ours"].map(
            lambda v: f"{v:.1%}" if isinstance(v, float) and abs(v) <= 1.5 else v
        )
    return df.rename(
        columns={
            "quantity": "Quantity",
            "paper": paper_label(cite),
            "ours": "Ours (measured)",
            "model": "Our model",
        }
    )
