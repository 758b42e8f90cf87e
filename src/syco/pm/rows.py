"""The PM role of §4.2 and §4.3 (Sharma et al. §4.2–§4.3, Figs. 6–7; App. C.1), once: the PM and the non-sycophantic PM
(the same loaded model with the truthfulness request as a prefix), and the loop that scores a
chapter's sample rows with both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from syco.models import Chat
from syco.pm.model import PreferenceModel
from syco.pm.prompts import NON_SYC_PREFIX

Row = dict[str, Any]


def pm_pair(
    pm: str, *, prefix: list[dict[str, str]] | None = None, contrast: bool = False
) -> dict[str, PreferenceModel]:
    """{"PM": the PM, "non-syc PM": the same PM (same loaded model) with ``prefix``, by
    default our wording of the truthfulness request}."""
    base = PreferenceModel(pm, contrast=contrast)
    return {
        "PM": base,
        "non-syc PM": base.with_prefix(NON_SYC_PREFIX if prefix is None else prefix),
    }


def score_rows(
    rows: list[Row],
    pms: dict[str, PreferenceModel],
    *,
    context: Callable[[Row], Chat],
    reference: Callable[[Row], str | None],
    wanted: Callable[[str, Row], bool] = lambda label, row: True,
    desc: str,
) -> dict[str, int]:
    """Set ``pm_score[label]`` and ``pm_error[label]`` on every row, for each PM; returns the
    number of unscored rows per PM (``<label>_errors``).

    A row is scored when its sample has no error and ``wanted(label, row)``; the others keep
    None. A judge PM (generation only) scores a response against ``reference(row)`` (rows
    without one are not scored); reward and prompted PMs score responses alone."""
    for r in rows:
        r["pm_score"] = dict.fromkeys(pms)
        r["pm_error"] = {label: r["error"] for label in pms}
    counts: dict[str, int] = {}
    for label, pm in pms.items():
        todo = [r for r in rows if r["error"] is None and wanted(label, r)]
        refs = None
        if pm.kind == "judge":
            todo = [r for r in todo if reference(r) is not None]
            refs = [reference(r) or "" for r in todo]
        got = pm.score(
            [context(r) for r in todo],
            [r["response"] for r in todo],
            references=refs,
            desc=f"{desc} {label}",
        )
        for r, s in zip(todo, got, strict=True):
            r["pm_score"][label] = s.value
            r["pm_error"][label] = s.error or ("unparsed" if s.unparsed else None)
        counts[f"{label}_errors"] = sum(1 for r in rows if r["pm_score"][label] is None)
    return counts
