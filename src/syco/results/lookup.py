"""One way to read values out of a metrics frame (`metrics_frame`), for summaries, tables,
figures and the numbers a chapter glues into its prose.

    pick(metrics, "accuracy", model="smollm2", subset="all", template="baseline")
    pick(curves, "answer_sycophancy", subset="PM", N="max")        # the largest N
    pick_row(metrics, "mimicry", model=m, subset="filtered")       # the whole row, as a dict

Every keyword is a column to match. Values are compared as text, with whole floats written
as integers, so a level stored as 8 in one record, "8" in another and 8.0 in a column that
pandas made float (other metrics leave it empty) all match; ``N="max"`` (any column) keeps
the rows at that column's maximum. When several rows match, the last (the most recently run record) wins.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

MAX = "max"


def _text(v: Any) -> str:
    """How a cell or a wanted value compares: 8, 8.0 and "8" are all "8"."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def select(metrics: pd.DataFrame, metric: str | None = None, **where: Any) -> pd.DataFrame:
    """The rows of ``metric`` whose columns equal ``where`` (None: any value)."""
    if metrics.empty:
        return metrics
    keep = pd.Series(True, index=metrics.index)
    if metric is not None:
        keep &= metrics["metric"] == metric
    wanted_max = []
    for col, want in where.items():
        if want is None:
            continue
        if col not in metrics:
            return metrics.iloc[0:0]
        if want == MAX:
            wanted_max.append(col)
            continue
        keep &= metrics[col].map(_text) == _text(want)
    out = metrics[keep]
    for col in wanted_max:
        top = pd.to_numeric(out[col], errors="coerce")
        out = out[top == top.max()]
    return out


def pick_row(metrics: pd.DataFrame, metric: str, **where: Any) -> dict[str, Any]:
    """The matching row as a dict ({} when none matches)."""
    sel = select(metrics, metric, **where)
    return sel.iloc[-1].to_dict() if len(sel) else {}


def pick(
    metrics: pd.DataFrame, metric: str, *, field: str = "value", default: Any = math.nan, **where
) -> Any:
    """One field (default: the value) of the matching row; ``default`` when none matches."""
    return pick_row(metrics, metric, **where).get(field, default)
