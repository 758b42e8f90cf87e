"""What did the trained PM learn? The §4.1 feature model (Sharma et al. §4.1, Fig. 5)
fitted twice on the same hh-rlhf pairs: once to the humans' choices, once to the trained
PM's choices. If the PM rewards "matches the user's beliefs" as the humans did, the two
σ(α) for that feature agree; the paper argues this link and never shows it directly.

The PM's choices are out-of-sample on every pair: held-out pairs are scored by the final
head, training pairs by the cross-validation head that never saw them (cross-fitting, so
the PM cannot simply echo the human label it was fitted to). Features are §4.1's offline
proxy labels (text rules; the paper's GPT-4 labels were never released). A/B order is
randomised per pair by a hash of its id, so the outcomes take both signs (no intercept).

This module holds the PM's side (cross-fitted margins) and the record (read, drawn on the
§4.1 page); the fit itself uses §4.1's feature model, so it lives with that chapter
(`syco.tasks.preference_data.pm_vs_humans.run`): the PM package sits a floor below the
chapters (docs/CONVENTIONS.md, Floors).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from syco.pm import train
from syco.results import RunRecord

CHAPTER = "pm_vs_humans"
RECORD = Path(__file__).parent / "trained" / "pm_vs_humans.json"


def crossfit_margins(x: np.ndarray, pairs: list[dict[str, Any]], l2: float) -> np.ndarray:
    """r(chosen) - r(rejected) per pair, never from a head that trained on that pair."""
    tr = np.array([p["part"] == "train" for p in pairs])
    ids = np.array([p["pair_id"] for p in pairs])
    d = (x[:, 0] - x[:, 1]).astype(np.float64)
    scale = d[tr].std(axis=0)
    scale[scale == 0] = 1.0
    fold = np.array([int(train._u(f"syco-pm-fold:{p}") * train.CV_FOLDS) for p in ids])
    out = np.empty(len(pairs))
    w_all = train._bt_fit(d[tr] / scale, l2)
    out[~tr] = (d[~tr] / scale) @ w_all
    for k in range(train.CV_FOLDS):
        fit = tr & (fold != k)
        w = train._bt_fit(d[fit] / scale, l2)
        sel = tr & (fold == k)
        out[sel] = (d[sel] / scale) @ w
    return out


def save(record: RunRecord, path: Path = RECORD) -> Path:
    from dataclasses import asdict

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(record), default=float) + "\n")
    return path


def load(path: Path = RECORD) -> RunRecord | None:
    if not path.exists():
        return None
    d = json.loads(path.read_text())
    return RunRecord(**{k: d[k] for k in ("chapter", "model", "spec", "rows", "metrics")})


def figure(record: RunRecord):
    """Fig. 5 style, humans and the trained PM side by side on one feature axis (sorted by
    the humans' median): dot = median σ(α), thick = 50%, thin = 95% credible interval."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from syco.plots import PALETTE, set_style

    set_style()
    df = pd.DataFrame(record.metrics)
    order = df[df.who == "humans"].sort_values("value")["subset"].tolist()
    pos = {f: i for i, f in enumerate(order)}
    import seaborn as sns

    colors = sns.color_palette(PALETTE, 2)
    fig, ax = plt.subplots(figsize=(7.5, 0.36 * len(order) + 1.4))
    for j, (who, color) in enumerate(zip(("humans", "trained PM"), colors, strict=True)):
        sub = df[df.who == who]
        y = sub["subset"].map(pos) + (0.17 if j == 0 else -0.17)
        ax.hlines(y, sub["ci_low"] * 100, sub["ci_high"] * 100, color=color, lw=1.2)
        ax.hlines(y, sub["q25"] * 100, sub["q75"] * 100, color=color, lw=4, label=who)
        ax.plot(sub["value"] * 100, y, "o", color="black", ms=3)
    ax.axvline(50, color="grey", lw=0.8, ls="--")
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel("P(response with more of the feature is preferred) (%)")
    n = record.spec["n_pairs"]
    ax.set_title(f"same {n} hh-rlhf pairs: humans' choices vs the trained PM's", fontsize="medium")
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    fig.tight_layout()
    return fig


def show(path: Path = RECORD) -> None:
    """The §4.1 page's PM-vs-humans section: the glued figure, the agreement line and the
    per-feature table (or how to make the record when there is none yet)."""
    from IPython.display import display

    from syco.plots import glue_figure

    pvh = load(path)
    if pvh is None:
        print("No PM-vs-humans record yet: python -c 'from syco.pm import learned; "
              "from syco.tasks.preference_data import pm_vs_humans; "
              "learned.save(pm_vs_humans.run())'")  # fmt: skip
        return
    glue_figure("pd_pm_vs_humans", figure(pvh))
    print(f"{pvh.spec['n_pairs']} pairs; the PM agrees with the humans on "
          f"{pvh.spec['pm_agrees_with_humans']:.1%} of them")  # fmt: skip
    display(table(pvh))


def table(record: RunRecord):
    """Per proxy feature: P(preferred) fitted to the humans' and to the PM's choices, each
    posterior median with its 95% credible interval in percent, as the prose beside it
    writes them ("51% [50, 54]"), sorted by the humans' median; n pairs."""
    import pandas as pd

    from syco.plots import fmt_interval

    m = pd.DataFrame(record.metrics)
    cell = [fmt_interval(v, lo, hi, None, k) for v, lo, hi, k in
            zip(m["value"], m["ci_low"], m["ci_high"], m["metric"], strict=True)]  # fmt: skip
    m = m.assign(cell=cell)
    wide = m.pivot(index="subset", columns="who", values="cell")
    order = m[m["who"] == "humans"].set_index("subset")["value"].sort_values().index
    wide = wide.reindex(order).rename_axis("feature").reset_index()
    wide.columns.name = None
    wide = wide.rename(columns={"humans": "humans: P(preferred) [95% CrI]",
                                "trained PM": "trained PM: P(preferred) [95% CrI]"})  # fmt: skip
    return wide.assign(n=int(record.spec.get("n_pairs", m["n"].max())))
