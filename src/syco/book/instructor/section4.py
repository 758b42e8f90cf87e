"""Instructor solutions for the §4 exercises (Sharma et al. §4.1-§4.3): the preference data,
best-of-N against a PM and the misconceptions, each from one chapter's records
(`syco.book.instructor`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from syco.book.instructor.common import (
    Missing,
    excerpt,
    frame,
    pct,
    raw,
)
from syco.book.pages import esc

# --- §4.1 -------------------------------------------------------------------------------------


def preference_sensitivity(metrics: pd.DataFrame, rows: pd.DataFrame, model: str) -> str:
    from syco.tasks.preference_data.figures import sensitivity_frame

    if not (metrics["metric"] == "p_preferred_loso").any():
        raise Missing("no leave-one-sixth-out refits (run with `-p sensitivity=True`)")
    df = sensitivity_frame(metrics, model)
    full = df[df["split"] == "all"].set_index("subset")
    refits = df[df["split"] != "all"]
    if full.empty or refits.empty:
        raise Missing("no leave-one-sixth-out refits (run with `-p sensitivity=True`)")
    out = []
    for f, g in refits.groupby("subset"):
        side = {bool(v > 0.5) for v in [*g["value"], full.loc[f, "value"]]}
        out.append(
            {
                "feature": f,
                "all pairs": f"{full.loc[f, 'value']:.1%}",
                "refits (min – max)": f"{g['value'].min():.1%} – {g['value'].max():.1%}",
                "same side of 50% in every fit": "yes" if len(side) == 1 else "no",
                "rank (all pairs)": int(full.loc[f, "rank"]),
                "rank range in refits": f"{int(g['rank'].min())}–{int(g['rank'].max())}",
            }
        )
    t = pd.DataFrame(out).sort_values("rank (all pairs)")
    stable = t[t["same side of 50% in every fit"] == "yes"]["feature"].tolist()
    flips = t[t["same side of 50% in every fit"] == "no"]["feature"].tolist()
    return "\n".join(
        [
            f"Median P(preferred) per feature in the full fit and the {refits['split'].nunique()} "
            f"refits (labeller `{model}`):",
            "",
            frame(t),
            "",
            f"On the same side of 50% in every fit: {', '.join(stable) or 'none'}. Changing "
            f"side in some refit: {', '.join(flips) or 'none'}: their direction rests on a few "
            "pairs, so the chapter's reading of them is fragile. (The prior's scale is a "
            "separate question: rerun with `-p prior_b=0.1` and `-p prior_b=0.001` and compare "
            "the same table.)",
        ]
    )


def preference_labels(metrics: pd.DataFrame, rows: pd.DataFrame, model: str) -> str:
    r = rows[(rows["model"] == model) & rows["labels"].map(lambda v: isinstance(v, dict))]
    if r.empty:
        raise Missing("no labelled pair")
    feat = "agrees_with_stated_view"
    lab = r["labels"].map(lambda d: d.get(feat))
    marked = r[lab.isin([1, -1])].head(10)
    other = r[lab == 0].head(20 - len(marked))
    twenty = pd.concat([marked, other])
    t = pd.DataFrame(
        {
            "pair": twenty["pair_id"],
            "labeller's label": [d.get(feat) for d in twenty["labels"]],
            "human-preferred response": ["A" if c else "B" for c in twenty["a_is_chosen"]],
        }
    )
    nz_all = int(lab.isin([1, -1]).sum())
    agree = sum(
        (v == 1) == bool(c)
        for v, c in zip(t["labeller's label"], twenty["a_is_chosen"], strict=True)
        if v in (1, -1)
    )
    return "\n".join(
        [
            f"The labeller (`{model}`) marks {pct(nz_all, len(lab))} labelled pairs for this "
            f"feature (+1: response A matches the user's stated view more than B, −1: less, "
            f"0: no difference or no view stated). Twenty pairs to label: the first "
            f"{len(marked)} it marks, then {len(other)} it leaves at 0:",
            "",
            frame(t),
            "",
            f"Among the marked ones, humans preferred the matching response in {agree} of "
            f"{len(marked)}. With so few nonzero labels, most agreement with the labeller over "
            "all pairs would be both of you saying 0: report Cohen's kappa beside raw "
            "agreement, and compare on the marked pairs, which are where the feature's "
            "effect in Fig. 5 comes from.",
        ]
    )


# --- §4.2 -------------------------------------------------------------------------------------


def pm_bon_curve(metrics: pd.DataFrame, rows: pd.DataFrame, model: str) -> str:
    from syco.pm import bon_expectation

    r = rows[(rows["model"] == model) & (rows["task"] == "mimicry")]
    pools = []
    for _, g in r.groupby("prompt_id", sort=False):
        ok = g[g["error"].isna() & g["pm_score"].map(lambda d: isinstance(d, dict))]
        ok = ok[ok["pm_score"].map(lambda d: d.get("PM") is not None)]
        if len(ok):
            pools.append(
                (np.array([d["PM"] for d in ok["pm_score"]], float), ok["value"].astype(float))
            )
    if not pools:
        raise Missing("no mimicry pool with PM scores")
    m = min(len(s) for s, _ in pools)
    rng = np.random.default_rng(0)
    out = []
    for n in sorted({1, 2, 4, 8, 16, 32, m} & set(range(1, m + 1))):
        exact = float(np.nanmean([bon_expectation(s, v, n)[0] for s, v in pools]))
        draws = []
        for _ in range(200):  # the same curve point from one random N-subset per prompt
            vals = []
            for s, v in pools:
                idx = rng.choice(len(s), size=n, replace=False)
                vals.append(float(np.asarray(v)[idx[np.argmax(s[idx])]]))
            draws.append(float(np.nanmean(vals)))
        rec = metrics[
            (metrics["model"] == model)
            & (metrics["metric"] == "mimicry_sycophancy")
            & (metrics["subset"] == "PM")
            & (metrics["N"].astype(float) == n)
        ]
        out.append(
            {
                "N": n,
                "exact, from the rows": f"{exact:.1%}",
                "the chapter's record": f"{rec['value'].iloc[-1]:.1%}" if len(rec) else "–",
                "one random subset per prompt: mean ± sd": f"{np.mean(draws):.1%} ± "
                f"{np.std(draws):.1%}",
            }
        )
    return "\n".join(
        [
            f"Mimicry sycophancy of the PM's best-of-N pick, recomputed from the "
            f"{len(pools):,} mimicry prompts' samples and PM scores (pool of {m} samples each):",
            "",
            frame(pd.DataFrame(out)),
            "",
            "The exact estimator weights every sample by its probability of being the best "
            "of a random N-subset of the pool (`syco.pm.bon_weights`): the expectation over "
            "*all* subsets, with no sampling noise. Drawing one subset per prompt gives the "
            "same mean only on average; the ± column is the noise it adds at these few prompts "
            "(200 repetitions), noise the exact estimator does not have. At N = M every subset "
            "is the whole pool, so both agree exactly.",
        ]
    )


# --- §4.3 -------------------------------------------------------------------------------------


def misconceptions_hardest(metrics: pd.DataFrame, rows: pd.DataFrame, model: str) -> str:
    r = rows[(rows["model"] == model) & rows["error"].isna()]
    levels = pd.to_numeric(r["level"], errors="coerce")
    if levels.dropna().empty:
        raise Missing("no item with a difficulty level")
    top = int(levels.max())
    hard = r[levels == top]
    # items whose truthful reply the judge accepts first: the others test nobody
    ok_items = hard[(hard["kind"] == "helpful_truthful") & (hard["truthful"] == True)]  # noqa: E712
    items = list(dict.fromkeys([*ok_items["item_id"], *hard["item_id"]]))[:5]
    blocks = []
    for item in items:
        g = hard[hard["item_id"] == item]
        syc = g[g["kind"] == "sycophantic"].head(1)
        tru = g[g["kind"] == "helpful_truthful"].head(1)
        if syc.empty or tru.empty:
            continue
        prompt = syc["transcript"].iloc[0][0]["content"] if _chat(syc) else item
        s, t = syc.iloc[0], tru.iloc[0]
        ps, pt = (x["pm_score"].get("PM") if isinstance(x["pm_score"], dict) else None
                  for x in (s, t))  # fmt: skip
        pm = (
            "–"
            if ps is None or pt is None
            else ("the sycophantic one" if ps > pt else "the truthful one" if pt > ps else "tie")
        )
        judged = {True: "truthful", False: "not truthful"}.get(t.get("truthful"), "not judged")
        blocks.append(
            f"<p><b>{esc(prompt)}</b></p><p>A (sycophantic, agrees with the user):</p>"
            f"{excerpt(s['response'], 400)}<p>B (written to be truthful; the chapter's judge "
            f"says {esc(judged)}):</p>{excerpt(t['response'], 400)}"
            f"<p>The PM prefers {esc(pm)}.</p>"
        )
    if not blocks:
        raise Missing(f"no item at level {top} with both a sycophantic and a truthful reply")
    return "\n".join(
        [
            f"The hardest level recorded is {top}. For its first {len(blocks)} misconception(s), "
            "the answer key (A is always the sycophantic reply here; shuffle them for the class):",
            "",
            raw("".join(blocks)),
            "",
            'A "truthful" reply the judge marks not truthful is no test of the students (or '
            "of the PM): skip it, as the chapter's metric does. The classroom activity on the "
            "teaching page builds the real, shuffled sheets.",
        ]
    )


def _chat(df: pd.DataFrame) -> bool:
    t = df["transcript"].iloc[0] if "transcript" in df else None
    return isinstance(t, list) and bool(t) and isinstance(t[0], dict)
