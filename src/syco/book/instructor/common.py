"""Helpers the instructor's solutions share: the main model of a record, metric rows as text
with n and interval, model text escaped into raw HTML (`syco.book.instructor`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from syco.book.pages import esc, is_missing
from syco.plots import fmt_interval, table_html

Solution = Callable[[pd.DataFrame, pd.DataFrame, str], str]
EXCERPT = 600  # characters of a reply shown in a solution (the transcripts have all of it)


class Missing(Exception):
    """What a solution needs is not in this build's records (said on the page)."""


# --- small helpers ----------------------------------------------------------------------------


def main_model(rows: pd.DataFrame, metrics: pd.DataFrame) -> str | None:
    """The record a solution reads: the embedded model's own (``smollm2``), else its run
    against the default PM, else any smollm2 record, else the first one."""
    names = list(dict.fromkeys([*rows.get("model", []), *metrics.get("model", [])]))
    for test in (
        lambda m: m == "smollm2",
        lambda m: m == "smollm2 [PM smollm2-rm]",
        lambda m: m.startswith("smollm2") and " [T=" not in m,
        lambda m: True,
    ):
        hit = [m for m in names if test(m)]
        if hit:
            return hit[0]
    return None


def raw(html: str) -> str:
    """A raw-HTML block (backticks escaped: a reply cannot close the fence)."""
    return "```{raw} html\n" + html.replace("`", "&#96;") + "\n```"


def frame(df: pd.DataFrame) -> str:
    return raw(table_html(df))


def excerpt(text: Any, limit: int = EXCERPT) -> str:
    """A reply as an escaped, wrapped block, cut at ``limit`` characters (said so)."""
    s = "" if is_missing(text) else str(text)
    more = len(s) - limit
    cut = f"<span class='syco-cut'> … ({more:,} more characters)</span>" if more > 0 else ""
    return f"<div class='syco-msg'><div class='syco-text'>{esc(s[:limit])}{cut}</div></div>"


def row_of(metrics: pd.DataFrame, metric: str, **where: Any) -> dict[str, Any]:
    sel = metrics[metrics["metric"] == metric]
    for k, v in where.items():
        if k not in sel:
            raise Missing(f"no `{k}` column in the `{metric}` rows")
        sel = sel[sel[k].astype(str) == str(v)]
    if sel.empty:
        raise Missing(f"no `{metric}` row with {where}")
    return sel.iloc[-1].to_dict()


def value(r: dict[str, Any]) -> str:
    """A metric row as prose: "58% [52, 64] (n = 240)"."""
    n = r.get("n")
    k = "?" if n is None or is_missing(n) else f"{int(n):,}"
    text = fmt_interval(
        r.get("value"), r.get("ci_low"), r.get("ci_high"), r.get("ci_method"), r.get("metric")
    )
    return f"{text} (n = {k})"


def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return not (a["ci_low"] > b["ci_high"] or b["ci_low"] > a["ci_high"])


def scored(status: Any) -> bool:
    return not is_missing(status) and str(status) not in ("error", "unparsed")


def pct(k: int, n: int) -> str:
    """ "22 of 6,190 (0.4%)": a count with its share (one decimal below 10%)."""
    if not n:
        return f"{k:,} of {n:,}"
    share = k / n
    return f"{k:,} of {n:,} ({share:.1%})" if 0 < share < 0.1 else f"{k:,} of {n:,} ({share:.0%})"
