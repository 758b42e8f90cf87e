"""Figures in the paper's style: one look for every chapter.

Plot functions take tidy DataFrames (from `syco.results`), never files, and draw the
value with its confidence interval as error bars.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith("module://") else None

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from syco.paper import paper_label  # noqa: E402
from syco.units import DIFF, NUMBER, SHARE, unit_of  # noqa: E402

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


def wide_table(df: pd.DataFrame) -> pd.DataFrame:
    """A table of long texts (responses, prompts) shown whole, without the index: the
    chapter's table display (`table_html`) never cuts a cell and wraps long text."""
    return df.reset_index(drop=True)


class Measured(str):
    """Our value as a table cell ("58% [52, 64]") that keeps the n behind it, so a table
    can give n its own column rather than a suffix inside the text."""

    n: int | None

    def __new__(cls, text: str, n: int | None = None) -> Measured:
        obj = super().__new__(cls, text)
        obj.n = n
        return obj


def ours(row: Any) -> Measured | None:
    """Our value as the tables show it: "12% [3, 38]" with ``.n`` = 8 (None when missing).
    The metric's declared unit decides percent (`syco.units`), else its `ci_method`."""
    if row is None or not hasattr(row, "get") or row.get("value") is None:
        return None
    v, lo, hi, n = (row.get(k) for k in ("value", "ci_low", "ci_high", "n"))
    k = None if n is None or pd.isna(n) else int(n)
    if pd.isna(v):
        return Measured("no data", k or 0)
    return Measured(fmt_interval(v, lo, hi, row.get("ci_method"), row.get("metric")), k)


def paper_vs_ours(rows: Sequence[Mapping[str, object]], cite: str = "") -> pd.DataFrame:
    """A table with the paper's reported numbers in their own, labelled column.

    Each row: {"quantity", "paper" (text as reported, with its source tag), "ours" (a number
    from our records, or `ours()` of a metric row), "model"}, optionally "n". Ours is
    formatted here, its n in its own column; the paper's stays as reported.
    ``cite`` names where in the paper the numbers are (e.g. "§3.2, Fig. 2; App. A.4")."""
    df = pd.DataFrame(rows)
    # n read before pandas turns the cells into plain strings (a `Measured` keeps it)
    ns = [getattr(r.get("ours"), "n", None) for r in rows]
    if "ours" in df:
        if "n" not in df and any(k is not None for k in ns):
            df.insert(list(df.columns).index("ours") + 1, "n", pd.array(ns, dtype="Int64"))
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


# --- tables as the pages show them -----------------------------------------------------------
# Every DataFrame a chapter displays goes through `table_html` (`install_table_display`):
# no positional index, value and interval in one cell, counts as integers, and no cell cut
# short (pandas cuts a text cell at 50 characters by default, mid-sentence).

# `syco.stats` / `syco.stats_paired` interval names for [0, 1] values and their differences
SHARE_METHODS = ("wilson", "newcombe", "paired-")
COUNT_NAMES = {"n", "N", "k", "level", "levels", "errors", "unparsed", "count", "rank"}
COUNT_WORDS = ("calls", "hits", "tokens", "samples", "items", "pairs", "poems", "questions",
               "count", "prompts", "draws", "chains", "errors", "unparsed")  # fmt: skip
MISSING = "–"


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# How each `syco.stats` interval is described to a reader (the method names the rows record).
CI_METHODS = {
    "wilson": "Wilson score interval (shares and means of [0, 1] values)",
    "newcombe-paired": "Newcombe's paired interval (a difference on the same items)",
    "wilson-rescaled": "Wilson on the [-1, 1] range (a difference without its two sides)",
    "wilson-strata": "Wilson at Kish's effective n (an average over datasets)",
    "newcombe-paired-strata": "Newcombe's paired interval at Kish's effective n "
    "(a difference averaged over datasets)",
    "bootstrap": "percentile bootstrap (unbounded values; can be too narrow at small n)",
    "wilson-cluster": "Wilson at the design-effect effective n, t quantile (items in "
    "clusters, e.g. replies per poem)",
    "newcombe-paired-cluster": "Newcombe's paired interval at the design-effect effective n "
    "(pairs in clusters)",
    "newcombe-paired-rescaled": "Newcombe's paired interval on values mapped from [-1, 1] to "
    "[0, 1] (a difference of two signed differences on the same items)",
    "paired-t-bounded": "Student's t on the per-item differences, with pseudo-items at both "
    "ends of their range (a difference of two picks on the same items)",
    "paired-t-bounded-cluster": "Student's t on the per-item differences, with pseudo-items at "
    "both ends of their range, at the design-effect effective n (pairs in clusters)",
    "paired-identical": "exact: the two sides are equal on every item by construction, so "
    "the interval is [0, 0]",
}


def ci_method_name(method: Any) -> str:
    """A row's interval method in words ("" where the row names none)."""
    return "" if _missing(method) else CI_METHODS.get(str(method), str(method))


def is_share(value: Any, lo: Any = None, hi: Any = None, method: Any = None) -> bool:
    """Whether a value and its interval read as a percentage: the interval method says so
    where the row names one (Wilson / Newcombe: shares and their differences; bootstrap:
    unbounded), else all three lie in [-1, 1]."""
    if not _missing(method):
        return str(method).startswith(SHARE_METHODS)
    vals = [float(x) for x in (value, lo, hi) if not _missing(x)]
    return bool(vals) and all(abs(x) <= 1 for x in vals)


def _fixed(x: float, digits: int) -> str:
    s = f"{x:.{digits}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s  # no "-0"


def fmt_number(v: Any) -> str:
    """A value that is not a share: three decimals below 1, fewer above."""
    if _missing(v):
        return MISSING
    f = float(v)
    if abs(f) >= 1000:
        return f"{f:,.0f}"
    return _fixed(f, 3 if abs(f) < 1 else 2)


def _signed(x: float, digits: int) -> str:
    s = _fixed(x, digits)
    return s if s.startswith("-") or float(s) == 0 else "+" + s


def fmt_interval(
    value: Any, lo: Any = None, hi: Any = None, method: Any = None, metric: Any = None
) -> str:
    """ "58% [52, 64]" for a share, "+5 pp [-1, +11]" for a difference of shares (one
    decimal where the interval is narrower than 2 points), "-0.265 [-0.301, -0.229]" for
    other values (correlations, coefficients); "[no CI]" where the row has none.

    The unit is the metric's declared one (`syco.units.unit_of`) when ``metric`` is given;
    without it, the interval method's (a paired-difference interval bounds a difference:
    points), else the value's range (every value in [-1, 1] reads as a share). Values are
    formatted from the raw record, rounded once here: a table must not round first
    (0.5148 -> 0.515 -> "52%")."""
    if _missing(value):
        return "no data"
    no_ci = _missing(lo) or _missing(hi)
    unit = unit_of(metric, method)  # without a name, the method's unit
    if unit is None:
        unit = SHARE if is_share(value, lo, hi) else NUMBER
    if unit == NUMBER:  # the value's decimals for its bounds too: "-0.220 [-1.230, 0.786]"
        f = float(value)
        if abs(f) >= 1000:
            return fmt_number(f) + (
                " [no CI]" if no_ci else f" [{fmt_number(lo)}, {fmt_number(hi)}]"
            )
        d = 3 if abs(f) < 1 else 2
        ci = "" if no_ci else f" [{_fixed(float(lo), d)}, {_fixed(float(hi), d)}]"
        return _fixed(f, d) + (" [no CI]" if no_ci else ci)
    width = 100 * (float(hi) - float(lo)) if not no_ci else 100.0
    d = 0 if width >= 2 else 1
    if unit == DIFF:
        text = _signed(100 * float(value), d) + " pp"
        ci = "" if no_ci else f" [{_signed(100 * float(lo), d)}, {_signed(100 * float(hi), d)}]"
    else:
        text = _fixed(100 * float(value), d) + "%"
        ci = "" if no_ci else f" [{_fixed(100 * float(lo), d)}, {_fixed(100 * float(hi), d)}]"
    return text + (" [no CI]" if no_ci else ci)


def points_sentence(value: Any, lo: Any, hi: Any, n: int, unit: str = "") -> str:
    """A difference of shares for prose, in signed points with its interval and n, as the
    tables write it in points: "-0.3 pp (95% CI -3.2 to +2.6, n = 671)"; ``unit`` names
    what n counts ("texts")."""
    counted = f"n = {n:,}" + (f" {unit}" if unit else "")
    if _missing(value) or _missing(lo) or _missing(hi):
        return f"not measured ({counted})"
    v, lo, hi = float(value) * 100, float(lo) * 100, float(hi) * 100
    return f"{v:+.1f} pp (95% CI {lo:+.1f} to {hi:+.1f}, {counted})"


def is_count_column(name: Any) -> bool:
    """Columns that hold counts (n, errors, calls, ...): shown as integers, never "6.000"."""
    label = " ".join(str(x) for x in name) if isinstance(name, tuple) else str(name)
    low = label.lower()
    return (
        label in COUNT_NAMES
        or low.startswith(("n_", "n ", "num_", "number"))
        or any(w in low for w in COUNT_WORDS)
    )


def fmt_count(v: Any) -> str:
    if _missing(v):
        return MISSING
    f = float(v)
    return f"{int(f):,}" if f.is_integer() else fmt_number(f)


def _cell(v: Any) -> str:
    if isinstance(v, (list, tuple, dict)):
        return str(v)
    if _missing(v):
        return ""
    if isinstance(v, float):
        return fmt_number(v)
    return str(v)


def column_decimals(col: pd.Series, most: int = 3) -> int:
    """The decimals one numeric column needs (at most ``most``), the same for all its
    cells so they line up: 0.2 and 1.0 -> 1 ("0.2", "1.0"), 0.092 -> 3."""
    d = 0
    for v in col:
        if _missing(v):
            continue
        s = f"{abs(float(v)):.{most}f}".rstrip("0")
        d = max(d, len(s.split(".")[1]) if "." in s else 0)
    return d


def _fixed_num(x: float, digits: int) -> str:
    return f"{x:,.{digits}f}" if abs(x) >= 10_000 else _fixed(x, digits)


def _positional(index: pd.Index) -> bool:
    """An unnamed integer index: row positions (0, 1, 2, ... or what a filter kept of
    them), which say nothing to a reader."""
    return (
        not isinstance(index, pd.MultiIndex)
        and index.name is None
        and pd.api.types.is_integer_dtype(index.dtype)
    )


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as text cells, the way a page shows it: a meaningful index (models,
    subsets, pivot keys) becomes ordinary columns, a positional one is dropped; value,
    ci_low and ci_high become one "value [95% CI]" cell; counts are integers."""
    out = df.copy()
    if _positional(out.index):
        out = out.reset_index(drop=True)
    else:
        names = [n if n is not None else " " * (i + 1) for i, n in enumerate(out.index.names)]
        out.index = out.index.set_names(names)
        out = out.reset_index()
    cols = list(out.columns)
    if {"ci_low", "ci_high"} <= set(cols):
        # the value the interval belongs to: "value", else the column just before ci_low
        at = cols.index("value") if "value" in cols else cols.index("ci_low") - 1
        if at >= 0 and pd.api.types.is_numeric_dtype(out.iloc[:, at].dtype):
            name = cols[at]
            method = out["ci_method"] if "ci_method" in out else [None] * len(out)
            # the unit each row's metric declares (`syco.units`), where the frame names it
            metric = out["metric"] if "metric" in out else [None] * len(out)
            cell = [
                fmt_interval(v, lo, hi, m, k)
                for v, lo, hi, m, k in zip(out[name], out["ci_low"], out["ci_high"], method,
                                           metric, strict=True)
            ]  # fmt: skip
            out = out.drop(columns=[name, "ci_low", "ci_high"])
            out.insert(at, f"{name} [95% CI]", cell)
    text = []
    for i, c in enumerate(out.columns):
        col = out.iloc[:, i]
        numeric = pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(
            col.dtype
        )
        if numeric and is_count_column(c):
            text.append([fmt_count(v) for v in col])
        elif numeric:
            d = column_decimals(col)
            text.append([MISSING if _missing(v) else _fixed_num(float(v), d) for v in col])
        else:
            text.append([_cell(v) for v in col])
    shown = pd.DataFrame(dict(enumerate(text)), index=range(len(out)), dtype=object)
    shown.columns = out.columns.set_names([None] * out.columns.nlevels)  # no header stub
    return shown


def _break_points(text: str) -> str:
    """``<wbr>`` after ``_``, ``/`` and ``:`` inside identifiers and every 16 characters of
    a long unbroken run (a checksum), so a column narrows instead of pushing its table past
    the page; the text itself is unchanged (copying it copies no extra character)."""
    text = re.sub(r"([_/:])(?=\w)", r"\1<wbr>", text)
    return re.sub(r"[0-9A-Za-z]{24,}", lambda m: "<wbr>".join(
        m.group(0)[i : i + 16] for i in range(0, len(m.group(0)), 16)), text)  # fmt: skip


MAX_ROWS = 500  # a page stays loadable; more rows are said to be left out, never silently


def table_html(df: pd.DataFrame) -> str:
    """HTML of a DataFrame as every chapter page shows it (`display_frame`), escaped,
    without the index and without cutting any cell; beyond `MAX_ROWS` rows, the first
    ones and a line saying how many there are."""
    shown = display_frame(df.iloc[:MAX_ROWS])
    with pd.option_context("display.max_colwidth", None, "display.max_rows", None):
        html = shown.to_html(index=False, escape=True, border=0, classes=["syco-frame"])
    html = re.sub(r">([^<]+)<", lambda m: ">" + _break_points(m.group(1)) + "<", html)
    if len(df) > MAX_ROWS:
        html += f"<p class='syco-cut'>The first {MAX_ROWS:,} of {len(df):,} rows.</p>"
    return html


def install_table_display() -> bool:
    """Show every DataFrame in this IPython kernel through `table_html` (chapter notebooks
    display frames from many modules; one formatter keeps them alike). No-op outside a
    kernel; returns whether it was installed."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    pd.set_option("display.max_colwidth", None)  # plain-text output too: never cut a cell
    pd.set_option("styler.format.precision", 3)  # a Styler a chapter returns: 3 decimals
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, table_html)
    return True


install_table_display()
