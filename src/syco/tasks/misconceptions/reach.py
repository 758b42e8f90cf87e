"""§4.3's "how precise" text: per model and headline metric, whether its 95% interval meets
`TARGET_PTS` and, where not, what it would take (items, the data set's size, the time at a
published recording's measured rate). Issue 20: "meet <= 10 points or say why"."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from syco.results import latest_spec, pick_row
from syco.stats import TARGET_PTS, half_points, half_width_pts, n_for_target

# The chapter's headline rows (`syco.book.precision.HEADLINES["misconceptions"]`, which a
# task may not import; tests/test_misconceptions_reach.py checks the two agree): metric,
# selection, what it is in words, and whether only judged-truthful helpful replies enter it.
HEADLINE_ROWS: list[tuple[str, dict[str, Any], str, bool]] = [
    ("pm_prefers_sycophantic", {"subset": "baseline_truthful", "level": "all"},
     "PM prefers the sycophantic reply over the baseline truthful reply", False),
    ("pm_prefers_sycophantic", {"subset": "helpful_truthful", "level": "all"},
     "PM prefers the sycophantic reply over the helpful truthful reply", True),
    ("bon_sycophantic", {"subset": "PM", "level": "all", "N": "max"},
     "the PM's best-of-N pick is sycophantic", False),
]  # fmt: skip


@dataclass(frozen=True)
class Cost:
    """A published recording's measured time (its manifest): ``seconds`` for ``items``
    misconceptions on ``cores`` CPU cores."""

    seconds: float
    items: int
    cores: int | None = None

    def per_item(self) -> float:
        return self.seconds / self.items

    def text(self) -> str:
        on = f" on {self.cores} cores" if self.cores else ""
        return (
            f"the published recording took {self.seconds:,.0f} s for {_mcs(self.items)}{on}, "
            f"about {self.per_item():.0f} s per misconception"
        )


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def cost_of(manifest: dict[str, Any], model: str, spec: dict[str, Any]) -> Cost | None:
    """The measured time of a published recording (its manifest), where that recording made
    this very record (model and PM: ``records_made``) with the record's pool size and reply
    cap, the settings that set the time per misconception; else None."""
    params = manifest.get("parameters") or {}
    same = all(params.get(k) == spec.get(k) for k in ("pool_size", "max_tokens"))
    n, seconds = params.get("n"), manifest.get("seconds")
    if model not in (manifest.get("records_made") or []) or not same or not n or not seconds:
        return None
    return Cost(float(seconds), int(n), (manifest.get("machine") or {}).get("cores"))


def published_costs(models: Iterable[str]) -> dict[str, Cost]:
    """Per record name in ``models`` (repeats allowed: a metrics frame's column), `cost_of`
    its published recording (`syco.keyfile` manifest), where there is one: the rate the
    reach text extrapolates from."""
    from syco import keyfile
    from syco.project import project_root
    from syco.tasks.misconceptions import CHAPTER

    out: dict[str, Cost] = {}
    for model in dict.fromkeys(str(m) for m in models):
        manifest = keyfile.manifest(project_root(), CHAPTER, model.split(" [", 1)[0].strip())
        if manifest is not None:
            cost = cost_of(manifest, model, latest_spec(CHAPTER, model))
            if cost is not None:
                out[model] = cost
    return out


def _need_cost(items: int, cost: Cost | None) -> str:
    """ ", about 2.2 h on 2 cores at that rate" for `items` misconceptions ("" without a
    measured rate)."""
    if cost is None:
        return ""
    on = f" on {cost.cores} cores" if cost.cores else ""
    return f", about {_duration(items * cost.per_item())}{on} at the recorded rate"


def _mcs(n: int) -> str:
    return f"{n} misconception" + ("" if n == 1 else "s")


def _reach_plain(row: dict[str, Any], half: float, n_available: int, cost: Cost | None) -> str:
    """A headline every misconception enters: the misconceptions it needs against the data
    set's."""
    n = int(row["n"])
    if half <= TARGET_PTS:
        return f"±{half_points(half)} points with n = {_mcs(n)} (meets {TARGET_PTS:g})."
    need = n_for_target(n, half) or n
    head = f"±{half_points(half)} points with n = {_mcs(n)}; {TARGET_PTS:g} points need about {need} (est.)"
    if need <= n_available:
        return (
            f"{head} and the data set has {n_available}: a run at n = {need} would reach them"
            f"{_need_cost(need, cost)}."
        )
    return (
        f"{head}, but the data set has only {n_available}: all of them would give about "
        f"±{half * math.sqrt(n / n_available):.1f} points (est.{_need_cost(n_available, cost)}), "
        f"so it cannot reach {TARGET_PTS:g} points on this data set."
    )


def _reach_helpful(
    row: dict[str, Any], judged: dict[str, Any], half: float, n_available: int, cost: Cost | None
) -> str:
    """The comparison with the helpful reply: only the misconceptions whose helpful reply the
    judge calls truthful enter it, so the misconceptions it needs are the entering ones it
    needs divided by the share that enters (issue 20)."""
    n = int(row["n"])
    if pd.notna(row.get("n_not_truthful")):  # the row's own count of those left out
        total = n + int(row["n_not_truthful"]) + int(row.get("n_errors", 0) or 0)
    else:  # a record from before n_not_truthful: the judged helpful replies
        total = int(judged.get("n", 0) or 0) or n
    share = n / total
    entered = (
        f"only misconceptions whose helpful reply the judge calls truthful enter it "
        f"({n} of {total}, {share:.0%})"
    )
    if half <= TARGET_PTS:
        return f"±{half_points(half)} points with n = {n}: {entered}; meets {TARGET_PTS:g}."
    need = n_for_target(n, half) or n
    total_need = math.ceil(round(need / share, 6))
    head = (
        f"±{half_points(half)} points with n = {n}: {entered}. {TARGET_PTS:g} points need about {need} "
        f"of them (est.), so about {total_need} misconceptions at this share"
    )
    if total_need <= n_available:
        return (
            f"{head}, and the data set has {n_available}: a run at n = {total_need} would reach "
            f"them{_need_cost(total_need, cost)}."
        )
    expect = share * n_available
    return (
        f"{head}, but the data set has only {n_available}: all of them would give about "
        f"{expect:.0f} judged-truthful helpful replies and ±{half * math.sqrt(n / expect):.1f} "
        f"points (est.{_need_cost(n_available, cost)}), so with this policy and judge it "
        f"cannot reach {TARGET_PTS:g} points on this data set. By the same estimate it would "
        f"where the judge calls {need / n_available:.0%} or more of the helpful replies truthful "
        f"({need} of {n_available})."
    )


def reach_text(
    metrics: pd.DataFrame, n_available: int, costs: dict[str, Cost] | None = None
) -> str:
    """Per model and headline metric, whether its 95% interval meets `TARGET_PTS` and, where
    not, what it would take: the misconceptions it needs (for the comparison with the helpful
    reply, those it needs divided by the share whose helpful reply the judge calls truthful)
    against the ``n_available`` of the data set, and the time at a published recording's
    measured rate (``costs``, `published_costs`). Issue 20: "meet <= 10 points or say why".
    Markdown, from the records."""
    blocks = []
    for model in dict.fromkeys(metrics["model"]) if len(metrics) else []:
        if " [T=" in str(model):  # a decoding comparison run, not a headline (as the table)
            continue
        m = metrics[metrics["model"] == model]
        cost = (costs or {}).get(model)
        lines = [f"`{model}`" + (f" ({cost.text()}):" if cost else ":"), ""]
        judged = pick_row(m, "judged_truthful", subset="helpful_truthful", level="all")
        for metric, where, words, helpful in HEADLINE_ROWS:
            row = pick_row(m, metric, **where)
            half = half_width_pts(row.get("ci_low"), row.get("ci_high"))
            label = words + (f" (N = {row['N']:g})" if "N" in where and row else "")
            if not row or not row.get("n") or pd.isna(half):
                lines.append(f"- {label}: no value in this record, so no precision.")
            elif helpful:
                lines.append(f"- {label}: {_reach_helpful(row, judged, half, n_available, cost)}")
            else:
                lines.append(f"- {label}: {_reach_plain(row, half, n_available, cost)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else "*No record of this chapter yet.*\n"
