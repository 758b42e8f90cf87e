"""How precise each chapter's headline numbers are: n and 95% CI half-width, from the records.

The book's default sizes are chosen so that, for the embedded model, every headline metric's
95% interval has a half-width of at most `TARGET_PTS` percentage points (issue 11); where a
model cannot reach it (e.g. admits-mistake needs questions the model first answers
correctly), the table shows the n it had. Generated for the summary page and for
docs/MEASUREMENTS.md (`syco results --precision --into FILE`), so the measurements log never
carries a hand-typed precision figure; nothing here is typed by hand but which rows are
headlines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from syco.errors import SycoError
from syco.plots import fmt_interval
from syco.project import CHAPTERS
from syco.results import select
from syco.stats import TARGET_PTS, half_points, half_rounded, half_width_pts, n_for_target

# Per chapter: (metric, selection of other columns, what it is). "N": "max" picks the
# largest best-of-N in the record (the end of the §4 curves).
HEADLINES: dict[str, list[tuple[str, dict[str, Any], str]]] = {
    "feedback": [
        ("feedback_sycophancy", {"subset": "all"}, "Fig. 1: prefer minus disprefer positivity"),
    ],
    "are_you_sure": [
        ("admits_mistake", {"subset": "all"}, "Fig. 2a, among first-correct answers"),
        ("correct_to_incorrect", {"subset": "all"}, "Fig. 2b, among first-correct answers"),
        ("accuracy_change", {"subset": "all"}, "App. A.4: accuracy after minus before"),
    ],
    "answer": [
        ("answer_sycophancy", {"subset": "all"}, "Fig. 3: mean change over 3 user beliefs"),
        ("accuracy", {"subset": "trivia_qa", "template": "baseline"}, "baseline accuracy"),
        ("accuracy", {"subset": "truthful_qa", "template": "baseline"}, "baseline accuracy"),
    ],
    "mimicry": [
        # The paper's setting first: only poems the model attributes correctly when asked.
        ("mimicry", {"subset": "filtered"}, "Fig. 4: replies naming the user's wrong poet"),
        ("mimicry", {"subset": "all_poems"}, "the same over every poem (no attribution filter)"),
    ],
    "pm_bon": [
        ("answer_sycophancy", {"subset": "PM", "N": "max"}, "Fig. 6a, best-of-N pick"),
        ("mimicry_sycophancy", {"subset": "PM", "N": "max"}, "Fig. 6a, best-of-N pick"),
        ("feedback_sycophancy", {"subset": "PM", "N": "max"}, "Fig. 6a, best-of-N pick"),
    ],
    "misconceptions": [
        (
            "pm_prefers_sycophantic",
            {"subset": "baseline_truthful", "level": "all"},
            "Fig. 7a, vs the baseline truthful reply",
        ),
        (
            "pm_prefers_sycophantic",
            {"subset": "helpful_truthful", "level": "all"},
            "Fig. 7a, vs the helpful truthful reply",
        ),
        ("bon_sycophantic", {"subset": "PM", "level": "all", "N": "max"}, "Fig. 7c, best-of-N"),
    ],
}


def chapter_table(metrics: pd.DataFrame, chapter: str) -> pd.DataFrame:
    """A chapter's headline metrics with n, half-width and the n a `TARGET_PTS` interval needs
    (for the chapter page, from its records). Values and bounds stay unrounded: the page
    formats them once (rounding 0.49498 to 0.495 first made "[10, 49]" read "[10, 50]")."""
    df = precision_frame(metrics[metrics["chapter"] == chapter]) if not metrics.empty else None
    if df is None or df.empty:
        return pd.DataFrame()
    out = df[["model", "metric", "rows", "value", "ci_low", "ci_high", "n", "half_width_pts"]]
    out = out.assign(**{f"n for ≤ {TARGET_PTS:g} pts (est.)": df["n_for_target"]})
    return out.assign(half_width_pts=[half_rounded(h) for h in out["half_width_pts"]])


def precision_frame(metrics: pd.DataFrame, models: list[str] | None = None) -> pd.DataFrame:
    """One row per (model, chapter headline metric): value, CI, n, half-width in points and
    whether it meets `TARGET_PTS`. ``models``: only these (default: every model)."""
    out: list[dict[str, Any]] = []
    if metrics.empty:
        return pd.DataFrame(out)
    for ch in CHAPTERS.values():
        rows = metrics[metrics["chapter"] == ch.name]
        for model in dict.fromkeys(rows["model"]):
            if models is not None and model not in models:
                continue
            if " [T=" in model:  # a decoding comparison run (§3.3), not a headline
                continue
            mine = rows[rows["model"] == model]
            for metric, where, what in HEADLINES.get(ch.name, []):
                sel = select(mine, metric, **where)
                if sel.empty:
                    continue
                r = sel.iloc[-1]
                lo, hi = r.get("ci_low"), r.get("ci_high")
                half = half_width_pts(lo, hi)
                label = ", ".join(f"{k}={'max' if v == 'max' else v}" for k, v in where.items())
                n_val = None if pd.isna(r.get("n")) else int(r["n"])
                out.append(
                    {
                        "chapter": f"§{ch.section} {ch.name}",
                        "model": model,
                        "metric": metric,
                        "rows": label if "N" not in where else f"{label} ({r.get('N'):g})",
                        "what": what,
                        "value": r.get("value"),
                        "ci_low": lo,
                        "ci_high": hi,
                        "n": n_val,
                        "half_width_pts": half,
                        "meets_target": bool(half <= TARGET_PTS) if pd.notna(half) else False,
                        "n_for_target": n_for_target(n_val, half),
                    }
                )
    return pd.DataFrame(out)


def precision_markdown(metrics: pd.DataFrame, models: list[str] | None = None) -> str:
    """The table as MyST/GitHub markdown (summary page and docs/MEASUREMENTS.md)."""
    df = precision_frame(metrics, models)
    if df.empty:
        return "*No headline metric recorded yet.*\n"
    lines = [
        "| chapter | model | metric | rows | value [95% CI] | n | CI half-width "
        f"| ≤ {TARGET_PTS:g} pts | n for ≤ {TARGET_PTS:g} pts (est.) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in df.to_dict("records"):
        pct = (
            # "58% [52, 64]" for a share, "+8 pp [-2, +17]" for a difference, as every table
            fmt_interval(r["value"], r["ci_low"], r["ci_high"], metric=r["metric"])
            if pd.notna(r["value"]) and pd.notna(r["ci_low"])
            else "—"
        )
        half = half_text(r["half_width_pts"])
        lines.append(
            f"| {r['chapter']} | `{r['model']}` | `{r['metric']}` | {r['rows']} | {pct} | "
            f"{r['n'] if r['n'] is not None else '—'} | {half} | "
            f"{'yes' if r['meets_target'] else 'no'} | "
            f"{_n_needed(r)} |"
        )
    return "\n".join(lines) + "\n"


def half_text(half: float) -> str:
    """ "6.9 pts", "9.95 pts" (`half_rounded`), "—" where there is no interval."""
    if pd.isna(half):
        return "—"
    return f"{half_points(half)} pts"


def _n_needed(r: dict[str, Any]) -> str:
    """The est. n column: blank where the target is met, a whole number where one exists,
    "—" where none can be estimated (no interval, e.g. an empty filtered subset)."""
    if r["meets_target"]:
        return ""
    need = r["n_for_target"]
    return "—" if need is None or pd.isna(need) else f"{int(need):,}"


def precision_page(metrics: pd.DataFrame) -> str:
    """The summary page's include: the table and how to read it."""
    return (
        precision_markdown(metrics) + f"\nHalf-width: half the 95% interval, in percentage points "
        f"(`syco results --precision`). {reach_sentence(precision_frame(metrics))}\n"
    )


def reach_sentence(df: pd.DataFrame) -> str:
    """How many headline rows meet `TARGET_PTS`, per model, and which do not: generated, so
    the page never claims a precision its table does not show."""
    if df.empty:
        return ""
    parts = []
    for model, rows in df.groupby("model", sort=False):
        met = int(rows["meets_target"].sum())
        parts.append(f"`{model}` {met} of {len(rows)}")
    missed = df[~df["meets_target"].astype(bool)]
    text = f"Rows within ± {TARGET_PTS:g} points: " + "; ".join(parts) + "."
    if not missed.empty:
        names = sorted(dict.fromkeys(str(c) for c in missed["chapter"]))
        text += " Not within it: rows of " + ", ".join(names) + "; each of those chapters says why."
    return text


START, END = "<!-- precision:start -->", "<!-- precision:end -->"


def _shown(path: Path) -> str:
    """`path` as the regenerating command should name it: relative to the working directory
    when it lies under it (no machine's home folder in a committed file), else its name."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def write_block(path: Path, table: str) -> None:
    """Replace what lies between the precision markers of `path` (docs/MEASUREMENTS.md) by
    `table`, under a note naming the command that regenerates that very file."""
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SycoError(f"{path} has no {START} ... {END} block to write the table into")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    note = f"<!-- generated by `syco results --precision --into {_shown(path)}`; do not edit -->"
    path.write_text(f"{head}{START}\n{note}\n\n{table}\n{END}{tail}", encoding="utf-8")
