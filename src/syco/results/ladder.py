"""What the model ladder shows for one metric: a trend with size, none, or too uncertain.

The paper's claims are comparisons across assistants (Sharma et al. §3, Figs. 1-4; §4 across
PMs). The book's ladder is SmolLM2-135M-Instruct and Qwen2.5-Coder-0.5B/1.5B-Instruct
(`syco.results.store.LADDER_ORDER`). A chapter's "what we find" reads its ladder sentence
from here, so the words follow the numbers: a direction is claimed only between two rungs
whose 95% intervals do not overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from syco.results.lookup import select
from syco.results.store import LADDER_ORDER
from syco.stats import half_points

NAMES = {
    "smollm2": "SmolLM2-135M",
    "qwen-0.5b": "Qwen2.5-Coder-0.5B",
    "qwen-1.5b": "Qwen2.5-Coder-1.5B",
}


@dataclass(frozen=True)
class Rung:
    model: str
    value: float
    lo: float | None
    hi: float | None
    n: int

    def text(self, percent: bool = True, unit: str | None = None) -> str:
        """ "SmolLM2-135M 66.0% [57.0, 73.9] (n=150)"; a difference of shares (``unit`` "diff",
        `syco.units`) in signed points: "+9.0 pp [+2.2, +15.9]", never as a share."""
        if unit == "diff" and percent:
            ci = (
                f" [{self.lo * 100:+.1f}, {self.hi * 100:+.1f}]"
                if self.lo is not None and self.hi is not None
                else ""
            )
            name = NAMES.get(self.model, self.model)
            return f"{name} {self.value * 100:+.1f} pp{ci} (n={self.n:,})"
        scale, unit = (100.0, "%") if percent else (1.0, "")

        def f(v: float) -> str:
            return f"{v * scale:.1f}" if percent else f"{v:.3g}"

        ci = f" [{f(self.lo)}, {f(self.hi)}]" if self.lo is not None and self.hi is not None else ""
        return f"{NAMES.get(self.model, self.model)} {f(self.value)}{unit}{ci} (n={self.n:,})"


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def ladder_rows(metrics: pd.DataFrame, metric: str, **where: Any) -> list[Rung]:
    """The metric's row for each ladder model that has one, smallest model first."""
    out = []
    for model in LADDER_ORDER:
        sel = select(metrics, metric, model=model, **where)
        if not len(sel):
            continue
        row = sel.iloc[-1]
        value = _num(row.get("value"))
        if value is None:
            continue
        n = _num(row.get("n"))
        out.append(
            Rung(model, value, _num(row.get("ci_low")), _num(row.get("ci_high")), int(n or 0))
        )
    return out


def _apart(a: Rung, b: Rung) -> int:
    """+1 when b's interval lies wholly above a's, -1 wholly below, 0 when they overlap (or
    either has no interval)."""
    if None in (a.lo, a.hi, b.lo, b.hi):
        return 0
    assert a.lo is not None and a.hi is not None and b.lo is not None and b.hi is not None
    if b.lo > a.hi:
        return 1
    if b.hi < a.lo:
        return -1
    return 0


def _cap(text: str) -> str:
    """First letter up, the rest as written (str.capitalize would lower "PM")."""
    return text[:1].upper() + text[1:]


def _widest(half: float, percent: bool) -> str:
    """The widest half-width as the precision tables write it (9.953 points reads "9.95", not
    "10.0", beside a chapter that says it meets 10); a non-percent metric to 0.1."""
    return half_points(half * 100) if percent else f"{half:.1f}"


def ladder_sentence(
    rungs: list[Rung],
    what: str,
    *,
    percent: bool = True,
    pending: list[str] | None = None,
    unit: str | None = None,
) -> str:
    """One sentence for the page: the values, then what they show. ``what`` names the
    quantity ("answer sycophancy"); ``pending`` lists ladder models not recorded yet;
    ``unit`` the metric's declared unit (`syco.units.unit_of`: differences in points)."""
    missing = [NAMES.get(m, m) for m in (pending or []) if m not in {r.model for r in rungs}]
    tail = f" Not recorded yet: {', '.join(missing)}." if missing else ""
    if not rungs:
        return f"No ladder model has a {what} value yet.{tail}"
    values = "; ".join(r.text(percent, unit) for r in rungs)
    if len(rungs) == 1:
        return f"{_cap(what)}: {values}; one rung, so no comparison across sizes.{tail}"
    first, last = rungs[0], rungs[-1]
    steps = [_apart(a, b) for a, b in zip(rungs, rungs[1:], strict=False)]
    ends = _apart(first, last)
    if ends:
        word = "higher" if ends > 0 else "lower"
        mono = all(s in (0, ends) for s in steps)
        shape = "" if mono else " (not monotonically: a middle rung goes the other way)"
        top = "largest" if len(rungs) > 2 else "larger"
        low = "smallest" if len(rungs) > 2 else "smaller"
        verdict = (
            f"the {top} model's {what} is {word} than the {low}'s, with 95% intervals "
            f"that do not overlap{shape}"
        )
    elif any(steps):
        # name each neighbouring pair that differs and which way: "two neighbouring rungs"
        # understated a ladder whose every step differs (§3.4 all poems: down, then up)
        moves = [
            f"{NAMES.get(b.model, b.model)} {'above' if s > 0 else 'below'} "
            f"{NAMES.get(a.model, a.model)}"
            for a, b, s in zip(rungs, rungs[1:], steps, strict=False)
            if s
        ]
        verdict = (
            f"neighbouring rungs differ (intervals apart: {'; '.join(moves)}), but the smallest "
            f"and largest do not: no trend with size in {what}"
        )
    else:
        widest = max(
            ((r.hi - r.lo) / 2 for r in rungs if r.lo is not None and r.hi is not None),
            default=float("nan"),
        )
        verdict = (
            f"every pair of intervals overlaps, so the ladder shows no difference in {what} "
            f"that these sample sizes can resolve (half-widths up to {_widest(widest, percent)}"
            f"{' points' if percent else ''})"
        )
    return f"{_cap(what)}: {values}. By size, {verdict}.{tail}"
