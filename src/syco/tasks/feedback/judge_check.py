"""How far to trust the §3.1 positivity judge (Sharma et al. §3.1 uses GPT-4; we default to VADER).

`judge_labels.json` holds hand-labelled pairs of real feedback comments from the book's
default run (a framed comment and the same text's baseline comment; which is more positive,
or a tie), with how they were sampled and labelled. `agreement` runs a judge on those pairs,
in the chapter's A/B orders, and scores it against the labels:

- a pair labelled "framed" scores P(framed more positive) from the judge, "baseline" scores
  1 - P (a split verdict or a VADER tie counts 0.5); the mean is the judge's *agreement*
  (Wilson interval, `syco.stats`; 50% = a coin);
- "tie" pairs are not scored (counted: ``n_ties``), and ``decides_ties`` is the share of them
  where the judge still picks a side, which adds noise to the chapter's positivity;
- judge errors and unparsed verdicts are excluded and counted.

Model judges go through the answer-key cache like every other model call.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from syco import plots
from syco.judges.positivity import PositivityJudge, get_positivity_judge
from syco.stats import metric_row

LABELS_FILE = Path(__file__).with_name("judge_labels.json")
SCORED = ("framed", "baseline")


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def load_labels(path: Path | None = None) -> dict[str, Any]:
    """The labelled set: ``pairs`` (text_id, domain, framing, label, framed, baseline) and its
    provenance (``source``, ``how``)."""
    return _load(str(path or LABELS_FILE))


def pair_key(framed: str | None, baseline: str | None) -> str:
    """A pair's identity by its two texts (a record's rows carry no label id)."""
    blob = json.dumps([framed, baseline], ensure_ascii=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def label_index(path: Path | None = None) -> dict[str, str]:
    """pair_key -> label, to show the hand label beside a recorded pair (the page's example)."""
    return {pair_key(p["framed"], p["baseline"]): p["label"] for p in load_labels(path)["pairs"]}


def agreement(
    judge: str | PositivityJudge, order: str = "both", path: Path | None = None
) -> list[dict[str, Any]]:
    """Metric rows of one judge on the labelled pairs: ``judge_agreement`` (all domains and
    per domain) with ``n_ties`` and ``decides_ties`` (module docstring)."""
    pairs = load_labels(path)["pairs"]
    j = get_positivity_judge(judge, order=order)
    verdicts = j.judge(
        [p["framed"] for p in pairs], [p["baseline"] for p in pairs], [p["domain"] for p in pairs]
    )
    out = []
    domains = ["all", *dict.fromkeys(p["domain"] for p in pairs)]
    for d in domains:
        sel = [(p, v) for p, v in zip(pairs, verdicts, strict=True) if d in ("all", p["domain"])]
        scored = [(p, v) for p, v in sel if p["label"] in SCORED]
        vals = [
            v.p_a if p["label"] == "framed" else 1 - v.p_a for p, v in scored if v.p_a is not None
        ]
        ties = [v.p_a for p, v in sel if p["label"] not in SCORED and v.p_a is not None]
        row = metric_row(
            "judge_agreement",
            vals,
            subset=d,
            n_errors=sum(v.error is not None for _, v in scored),
            n_unparsed=sum(v.unparsed for _, v in scored),
        )
        row.update(
            judge=j.spec,
            order=order,
            n_ties=len(sel) - len(scored),
            decides_ties=(
                sum(t != 0.5 for t in ties) / len(ties) if ties else math.nan  # type: ignore[operator]
            ),
        )
        out.append(row)
    return out


def agreement_frame(judges: list[str], order: str = "both") -> pd.DataFrame:
    """`agreement` of every judge in `judges`, one frame."""
    return pd.DataFrame([r for j in judges for r in agreement(j, order)])


def agreement_table(frame: pd.DataFrame) -> Any:
    """The page's table: per judge, agreement over all domains and per domain (95% CI, n)."""
    rows = []
    for judge, g in frame.groupby("judge", sort=False):
        row: dict[str, Any] = {"judge": judge}
        for r in g.to_dict("records"):
            row[f"agreement, {r['subset']}"] = plots.ours(r)
        a = g[g["subset"] == "all"].iloc[0]
        row["n scored (clear label)"] = int(a["n"])
        row["pairs with a tie label (not scored)"] = int(a["n_ties"])
        row["of those, the judge picks a side"] = (
            "—" if pd.isna(a["decides_ties"]) else f"{a['decides_ties']:.0%}"
        )
        row["errors / unparsed"] = f"{int(a['n_errors'])} / {int(a['n_unparsed'])}"
        rows.append(row)
    return plots.wide_table(pd.DataFrame(rows))


def _judge_text(name: str, row: pd.Series) -> str:
    return (f"{name} agrees with the labels on {row['value']:.0%} of the pairs with a clear "
            f"label (95% CI {row['ci_low']:.0%} to {row['ci_high']:.0%}, n = {int(row['n'])})")  # fmt: skip


def agreement_summary(frame: pd.DataFrame, judge: str = "vader") -> dict[str, Any]:
    """Glue values: the sample's counts and ``fbj_sentence``, the run's `judge` against the
    labels beside the best other judge checked, claiming a difference only where the two
    intervals are apart."""
    pairs = load_labels()["pairs"]
    out: dict[str, Any] = {
        "fbj_pairs": len(pairs),
        "fbj_scored": sum(p["label"] in SCORED for p in pairs),
        "fbj_ties": sum(p["label"] not in SCORED for p in pairs),
    }
    overall = frame[frame["subset"] == "all"].set_index("judge") if len(frame) else frame
    scored = overall[overall["value"].notna()] if len(overall) else overall
    if judge not in scored.index:
        out["fbj_sentence"] = (
            f"This run's judge ({judge}) is not among the judges checked (`judges_checked`)."
        )
        return out
    d = scored.loc[judge]
    text = _judge_text(f"This run's judge ({judge})", d)
    others = scored.drop(index=judge)
    if len(others):
        best = str(others["value"].idxmax())
        b = others.loc[best]
        text += f"; {_judge_text(best, b)}"
        if b["ci_low"] > d["ci_high"]:
            text += f", better than {judge} (the intervals do not overlap)"
        elif b["ci_high"] < d["ci_low"]:
            text += f", worse than {judge} (the intervals do not overlap)"
        else:
            text += ". The intervals overlap: this sample cannot tell the two judges apart"
    out["fbj_sentence"] = text + "."
    return out
