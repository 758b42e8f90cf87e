"""PM sanity: how well does a preference model do the one thing a PM is for?

Before §4.2–§4.3 use a PM, the book shows its accuracy at picking the human-preferred
response of held-out hh-rlhf helpfulness pairs (95% Wilson interval, n), beside chance and
the rule "the longer response wins" on the same pairs, and the position bias of a pairwise
PM: how often its choice survives swapping the A/B order. Pairs are the held-out part of
`syco.pm.train` (never trained on). Computing this costs model calls, so it runs once
(`syco pm eval`) and is saved as a record in the project (`RECORDS`), which the pages read.

Beating chance is not enough: on hh-rlhf the longer response is preferred more often than not,
so a PM that only rewards length also beats chance. The verdict (`verdict`, `verdicts`) also
compares each PM with the length rule on the same pairs, paired (`load` derives the paired
difference, Newcombe's interval, from each record's rows).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from syco.errors import SycoError
from syco.results import RunRecord
from syco.results.store import slug
from syco.stats import metric_row, paired_diff_row, side, vote

CHAPTER = "pm_sanity"
RECORDS = Path(__file__).parent / "trained" / "sanity"
TRAINED = "smollm2-rm"


def accuracy_rows(rows: list[dict[str, Any]], metric: str, key: str) -> list[dict[str, Any]]:
    """Accuracy (share of pairs where ``row[key]`` is 1; ties 0.5; Wilson interval) overall
    and per split; rows where ``row[key]`` is None are counted as errors."""
    out = []
    for split in ["all", *sorted({r["split"] for r in rows})]:
        sub = [r for r in rows if split == "all" or r["split"] == split]
        vals = [r[key] for r in sub if r.get(key) is not None]
        out.append(metric_row(metric, vals, subset=split, n_errors=len(sub) - len(vals)))
    return out


def length_rule_rows(rows: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
    """The PM's accuracy minus the length rule's on the same pairs (``correct`` minus
    ``length_rule`` per pair, ties 0.5; Newcombe's paired interval), overall and per split;
    pairs the PM did not score are left out of both sides and counted as errors."""
    out = []
    for split in ["all", *sorted({r["split"] for r in rows})]:
        sub = [r for r in rows if split == "all" or r["split"] == split]
        use = [r for r in sub if r.get("correct") is not None]
        out.append(paired_diff_row(metric, [r["correct"] for r in use],
                                   [r["length_rule"] for r in use], subset=split,
                                   n_errors=len(sub) - len(use)))  # fmt: skip
    return out


def comparison_metrics(record: RunRecord) -> list[dict[str, Any]]:
    """The paired PM-minus-length-rule rows of a record, on the pairs each of its accuracy
    metrics covers: ``heldout_minus_length_rule`` on the common pairs (rows marked
    ``common``, or all rows of a record without that mark) and, where the record has the
    trained PM's every-held-out-pair accuracy, ``heldout_minus_length_rule_all_pairs``."""
    names = {m["metric"] for m in record.metrics}
    out = []
    if "heldout_accuracy" in names:
        common = [r for r in record.rows if r.get("common", True)]
        out += length_rule_rows(common, "heldout_minus_length_rule")
    if "heldout_accuracy_all_pairs" in names:
        out += length_rule_rows(record.rows, "heldout_minus_length_rule_all_pairs")
    return out


def heldout(n: int | None, *, n_pairs: int | None = None) -> list[dict[str, Any]]:
    """The first `n` held-out pairs of the trained PM's order (within its first `n_pairs`)."""
    from syco.pm import train

    _, manifest = train.load_artefact()
    s = manifest["settings"]
    pairs = train.ordered_pairs(s["seed"], s["holdout_frac"])[: n_pairs or s["n_pairs"]]
    return [p for p in pairs if p["part"] == "heldout"][:n]


def _base_rows(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for p in pairs:
        lc, lr = len(p["chosen"]), len(p["rejected"])
        rows.append({"pair_id": p["pair_id"], "split": p["split"], "chosen_chars": lc,
                     "rejected_chars": lr, "length_rule": vote(lc, lr)})  # fmt: skip
    return rows


def trim_context(context: list[dict[str, str]], max_chars: int) -> list[dict[str, str]]:
    """The latest turns of a conversation within `max_chars` (the oldest go first; the last
    turn is cut from its start if it alone is longer): a prompted PM then reads about the
    window the trained PM reads (its last `max_len` tokens), at a cost this machine affords."""
    out: list[dict[str, str]] = []
    used = 0
    for m in reversed(context):
        room = max_chars - used
        if room <= 0:
            break
        text = m["content"] if len(m["content"]) <= room else "…" + m["content"][-room:]
        out.insert(0, {**m, "content": text})
        used += len(m["content"])
    return out


def score_pairs(
    spec: Any, pairs: list[dict[str, Any]], rows: list[dict[str, Any]], *, n_ab: int = 0,
    max_context_chars: int | None = None,
) -> None:  # fmt: skip
    """``correct`` per row from a PM's absolute scores of the chosen and rejected response
    (None where either failed); for a prompted PM also its pairwise choice in both A/B
    orders on the first `n_ab` pairs."""
    from syco.pm import PreferenceModel

    pm = spec if isinstance(spec, PreferenceModel) else PreferenceModel(spec, contrast=False)
    trim = max_context_chars if pm.kind != "reward" else None
    ctx = [trim_context(p["context"], trim) if trim else p["context"] for p in pairs]
    k = len(pairs)
    sc = pm.score(ctx + ctx, [p["chosen"] for p in pairs] + [p["rejected"] for p in pairs],
                  desc=f"PM sanity {spec}")  # fmt: skip
    for r, c, j in zip(rows, sc[:k], sc[k:], strict=True):
        r["chosen_score"], r["rejected_score"] = c.value, j.value
        r["correct"] = vote(c.value, j.value) if c.ok and j.ok else None
        r["error"] = c.error or j.error
    if pm.kind == "prompted" and n_ab > 0:
        ab_pairs(pm, pairs[:n_ab], ctx[:n_ab], rows[:n_ab])


def ab_pairs(pm: Any, pairs: list[dict[str, Any]], ctx: list[Any], rows: list[dict[str, Any]]):
    """A prompted PM's pairwise choice in both A/B orders (position bias shows only here)."""
    from syco.pm import prompts

    k = len(pairs)
    trip = list(zip(ctx, pairs, strict=True))
    fwd = [prompts.compare_chat(c, p["chosen"], p["rejected"]) for c, p in trip]
    rev = [prompts.compare_chat(c, p["rejected"], p["chosen"]) for c, p in trip]
    lp = pm.model.logprobs(fwd + fwd + rev + rev, ["A"] * k + ["B"] * k + ["A"] * k + ["B"] * k,
                           desc=f"PM sanity {pm.spec} A/B")  # fmt: skip
    for i, r in enumerate(rows):
        fa, fb, ra, rb = lp[i], lp[k + i], lp[2 * k + i], lp[3 * k + i]
        if not all(s.ok for s in (fa, fb, ra, rb)):
            r["pair_first"] = r["pair_second"] = r["pair_correct"] = None
            continue
        r["pair_first"] = vote(fa.value, fb.value)  # chosen shown first: picks it?
        r["pair_second"] = vote(rb.value, ra.value)  # chosen shown second: picks it?
        # P(chosen) averaged over both orders, as PreferenceModel.compare does.
        p = 1 / (1 + math.exp(fb.value - fa.value)) + 1 / (1 + math.exp(ra.value - rb.value))
        r["pair_correct"] = 0.5 if abs(p / 2 - 0.5) < 1e-9 else float(p / 2 > 0.5)


def position_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A/B swap agreement (same response picked in both orders) and P(picks position A)."""
    asked = [r for r in rows if "pair_first" in r]
    use = [r for r in asked if r["pair_first"] is not None]
    agree = [float(r["pair_first"] == r["pair_second"]) for r in use]
    first = [(r["pair_first"] + (1 - r["pair_second"])) / 2 for r in use]
    return [
        metric_row(name, vals, n_errors=len(asked) - len(use))
        for name, vals in (("ab_swap_agreement", agree), ("picks_position_a", first))
    ]


def evaluate(
    spec: str,
    pairs: list[dict[str, Any]],
    *,
    n_ab: int = 0,
    max_context_chars: int = 800,
    answered_only: bool = False,
) -> RunRecord:
    """Score `pairs` with the PM `spec` through its ordinary path (a prompted or judge PM
    reads the conversation's last `max_context_chars`), the A/B mode on the first `n_ab`;
    the length rule and chance on the same pairs. ``answered_only`` (with SYCO_OFFLINE=1:
    the answer key only) keeps the pairs that were scored and says how many were not."""
    t0 = time.time()
    rows = _base_rows(pairs)
    score_pairs(spec, pairs, rows, n_ab=n_ab, max_context_chars=max_context_chars)
    extra = {"path": "PreferenceModel.score", "n_ab": n_ab,
             "max_context_chars": max_context_chars}  # fmt: skip
    if answered_only:
        keep = [i for i, r in enumerate(rows) if r["correct"] is not None]
        extra["n_not_scored"] = len(rows) - len(keep)
        for r in rows:
            if r.get("pair_first", 0) is None:
                del r["pair_first"], r["pair_second"], r["pair_correct"]
        rows, pairs = [rows[i] for i in keep], [pairs[i] for i in keep]
    return _record(spec, rows, pairs, time.time() - t0, extra)


def _record(spec, rows, pairs, seconds, extra) -> RunRecord:
    from syco.pm import train

    metrics = accuracy_rows(rows, "heldout_accuracy", "correct")
    metrics += accuracy_rows(rows, "length_rule_accuracy", "length_rule")
    if any(r.get("pair_first") is not None for r in rows):  # over the pairs asked A/B
        asked = [r for r in rows if "pair_first" in r]
        metrics += accuracy_rows(asked, "pairwise_accuracy", "pair_correct")
        metrics += position_rows(rows)
    _, manifest = train.load_artefact()
    spec_d = {"pm": spec, "pairs": "hh-rlhf helpfulness test pairs held out from the trained "
              "PM (syco.pm.train)", "n_pairs": len(pairs),
              "pair_ids_sha256": train.hashlib.sha256(
                  "\n".join(p["pair_id"] for p in pairs).encode()).hexdigest(),
              "data_checksum": manifest["data"]["checksum"],
              "trained_pm_head": manifest["head_sha256"], "seconds": round(seconds, 1),
              **extra}  # fmt: skip
    return RunRecord(chapter=CHAPTER, model=spec, spec=spec_d, rows=rows, metrics=metrics)


def evaluate_trained_from_features(common: list[dict[str, Any]]) -> RunRecord:
    """The trained PM from the cached features (the same numbers its ``hf/`` folder
    computes, up to float error and the truncation note in `syco.pm.features`): on the
    `common` pairs every PM is compared on, and on every held-out pair it has."""
    from syco.pm import features as feat
    from syco.pm import train

    t0 = time.time()
    w, manifest = train.load_artefact()
    s = manifest["settings"]
    pairs, F = train.featurise(n_pairs=s["n_pairs"], max_len=s["max_len"], seed=s["seed"],
                               holdout_frac=s["holdout_frac"], layers=s.get("layers"), log=lambda m: None)  # fmt: skip
    x = F["features"][:, :, feat.POOLS.index(s["pool"]), :].astype(np.float64)
    r = x @ w[0].astype(np.float64)
    held = [(p, sc) for p, sc in zip(pairs, r, strict=True) if p["part"] == "heldout"]
    rows = _base_rows([p for p, _ in held])
    by_id = {p["pair_id"]: sc for p, sc in held}
    common_ids = {p["pair_id"] for p in common}
    for row in rows:
        c, j = by_id[row["pair_id"]]
        row["chosen_score"], row["rejected_score"] = float(c), float(j)
        row["correct"] = vote(c, j)
        row["error"] = None
        row["common"] = row["pair_id"] in common_ids
    shared = [row for row in rows if row["common"]]
    rec = _record(TRAINED, shared, common, time.time() - t0,
                  {"path": "cached features · committed head"})  # fmt: skip
    rec.rows = rows
    full = accuracy_rows(rows, "heldout_accuracy_all_pairs", "correct")
    full += accuracy_rows(rows, "length_rule_accuracy_all_pairs", "length_rule")
    rec.metrics += full
    return rec


def save(record: RunRecord, folder: Path = RECORDS) -> Path:
    """Write a record into the project (the pages read these; never recomputed there)."""
    from dataclasses import asdict

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(record.model)}.json"
    path.write_text(json.dumps(asdict(record), indent=0, default=float) + "\n")
    return path


def load_record(model: str, folder: Path = RECORDS) -> RunRecord | None:
    """The saved PM-sanity record of one PM, if any."""
    path = folder / f"{slug(model)}.json"
    if not path.exists():
        return None
    d = json.loads(path.read_text())
    return RunRecord(**{k: d[k] for k in ("chapter", "model", "spec", "rows", "metrics")})


def load(folder: Path = RECORDS):
    """Metrics of every saved PM-sanity record, as one DataFrame (empty if none), with the
    paired comparison with the length rule derived from each record's rows
    (`comparison_metrics`; records saved before it existed have the rows it needs)."""
    import pandas as pd

    frames = []
    for f in sorted(folder.glob("*.json")):
        rec = load_record(json.loads(f.read_text())["model"], folder)
        if rec is not None:
            have = {m["metric"] for m in rec.metrics}
            rec.metrics += [m for m in comparison_metrics(rec) if m["metric"] not in have]
            frames.append(rec.metrics_df())
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def require_pairs(pairs: list[dict[str, Any]]) -> None:
    if not pairs:
        raise SycoError("no held-out pairs: train the PM first (`syco pm train`)")


# -- what the pages show ------------------------------------------------------------------
LABELS = {
    TRAINED: "trained PM (smollm2-rm: reward head on SmolLM2-135M)",
    "smollm2": 'prompted PM (smollm2: log P(" Yes") to "good response?")',
}
# The pairwise mode (`ab_pairs`) asks which of two responses is better, in both orders, and
# compares log P("A") with log P("B"): no " Yes" is scored there.
PAIRWISE_LABEL = 'prompted PM, pairwise (smollm2: log P("A") vs log P("B"), both orders)'


def _fmt(row) -> str:
    """ "58% [52, 64]", as every table of the book writes a share and its interval: the
    table's rows are accuracies (shares) whatever their metric is called."""
    from syco.plots import fmt_interval

    return fmt_interval(
        row["value"], row["ci_low"], row["ci_high"], row.get("ci_method"), "accuracy"
    )


def table(metrics=None):
    """One row per scorer on the same held-out pairs (accuracy, 95% Wilson CI, n), then
    the trained PM on every held-out pair it has; chance is 50% by construction."""
    import pandas as pd

    m = load() if metrics is None else metrics
    if m.empty:
        return pd.DataFrame(columns=["scorer", "accuracy [95% CI]", "n"])
    out = []
    allm = m[m.subset == "all"]

    def add(label, sel, note=""):
        for _, row in sel.iterrows():
            out.append({"scorer": label, "accuracy [95% CI]": _fmt(row), "n": int(row["n"]),
                        "pairs": note})  # fmt: skip

    for model in (TRAINED, "smollm2", *sorted(set(allm.model) - {TRAINED, "smollm2"})):
        sel = allm[(allm.model == model) & (allm.metric == "heldout_accuracy")]
        add(LABELS.get(model, model), sel, "common")
        if model == "smollm2":
            add(
                PAIRWISE_LABEL,
                allm[(allm.model == model) & (allm.metric == "pairwise_accuracy")],
                "common",
            )
    add("longer response wins", allm[allm.metric == "length_rule_accuracy"].head(1), "common")
    n = out[0]["n"] if out else 0
    out.append({"scorer": "chance (coin flip)", "accuracy [95% CI]": "50%", "n": n,
                "pairs": "common"})  # fmt: skip
    add(LABELS[TRAINED], allm[allm.metric == "heldout_accuracy_all_pairs"], "all held-out")
    add(
        "longer response wins",
        allm[allm.metric == "length_rule_accuracy_all_pairs"],
        "all held-out",
    )
    return pd.DataFrame(out)


def by_split(metrics=None):
    """Accuracy per hh-rlhf split on the common pairs, one column per scorer."""
    import pandas as pd

    m = load() if metrics is None else metrics
    if m.empty:
        return pd.DataFrame()
    sel = m[(m.metric.isin(["heldout_accuracy", "length_rule_accuracy"])) & (m.subset != "all")]
    sel = sel.assign(scorer=[("longer wins" if met.startswith("length") else mod)
                             for met, mod in zip(sel.metric, sel.model, strict=True)],
                     cell=[f"{_fmt(r)} n={int(r['n'])}" for _, r in sel.iterrows()])  # fmt: skip
    sel = sel.drop_duplicates(["scorer", "subset"])
    return sel.pivot(index="subset", columns="scorer", values="cell")


def position_bias(metrics=None):
    """A/B swap agreement and P(picks position A) of every pairwise-capable PM."""
    m = load() if metrics is None else metrics
    if m.empty:
        return m
    sel = m[m.metric.isin(["ab_swap_agreement", "picks_position_a"])]
    return sel[["model", "metric", "value", "ci_low", "ci_high", "n"]]  # the page formats it


def _pick(m, pm: str, metric: str):
    """The overall row of one metric of one PM (None if absent)."""
    if m.empty:
        return None
    sel = m[(m.model == pm) & (m.metric == metric) & (m.subset == "all")]
    return None if sel.empty else sel.iloc[0]


def _pts(x: float) -> str:
    """A difference of shares in signed percentage points, one decimal ("+2.2", "-0.4"; a
    bound that rounds to zero keeps its side's sign: "+0.0")."""
    return f"{100 * float(x):+.1f}"


def length_verdict(diff) -> str:
    """Beats / ties with / loses to "the longer response wins", from the paired interval of
    the difference in accuracy (a direction only where the interval excludes 0)."""
    s = side(float(diff["ci_low"]), float(diff["ci_high"]))
    if s > 0:
        return '**beats "longer wins"** (the paired interval is above 0)'
    if s < 0:
        return '**loses to "longer wins"** (the paired interval is below 0)'
    return (
        '**ties with "longer wins"** (the paired interval includes 0: these n cannot tell '
        "the two apart)"
    )


def verdict(pm: str, metrics=None) -> str:
    """One paragraph for the page: is this PM distinguishable from chance, and does it beat
    the rule "the longer response wins" on the same pairs (paired difference, Newcombe)?
    On every held-out pair it was scored on: for the trained PM, more than the common
    pairs. A PM can beat chance by rewarding length alone, so only beating the length rule
    is evidence that it models human preferences beyond length."""
    m = load() if metrics is None else metrics
    row = suffix = None
    for suffix in ("_all_pairs", ""):
        row = _pick(m, pm, "heldout_accuracy" + suffix)
        if row is not None:
            break
    if row is None:
        return (
            f"The PM {pm!r} has no held-out accuracy on record: `syco pm eval --pm {pm}` "
            "measures it. Until then, read its curves as those of an unvalidated scorer."
        )
    base = (
        f"The PM {pm!r} picks the human-preferred response in {_fmt(row)} of "
        f"n = {int(row['n'])} held-out hh-rlhf pairs"
    )
    vs_chance = side(row["ci_low"], row["ci_high"], 0.5)
    if vs_chance > 0:
        chance = "better than chance (the 95% interval excludes 50%)"
    elif vs_chance < 0:
        chance = "worse than chance (the 95% interval is below 50%)"
    else:
        chance = "**indistinguishable from chance** (the 95% interval includes 50%)"
    diff = _pick(m, pm, f"heldout_minus_length_rule{suffix}")
    length = _pick(m, pm, f"length_rule_accuracy{suffix}")
    if diff is None or length is None:
        return (
            f'{base}: {chance}. Its paired comparison with the rule "the longer response '
            'wins" on the same pairs is not on record (`sanity.load()` derives it from the '
            "saved record's rows), so these pairs cannot say whether it models more than "
            "length."
        )
    vs = (
        f'Against the rule "the longer response wins" on the same pairs '
        f"({_fmt(length)}), its accuracy differs by {_pts(diff['value'])} points "
        f"[{_pts(diff['ci_low'])}, {_pts(diff['ci_high'])}] (paired, Newcombe 95% interval, "
        f"n = {int(diff['n'])}): it {length_verdict(diff)}"
    )
    if side(float(diff["ci_low"]), float(diff["ci_high"])) > 0:
        meaning = "so these pairs show it models human preferences beyond response length."
    elif vs_chance > 0:
        meaning = (
            "so these pairs show that it does better than a coin flip, not that it models "
            "human preferences beyond response length."
        )
    else:
        meaning = "so these pairs give no evidence that it models human preferences."
    return f"{base}: {chance}. {vs}, {meaning}"


def verdicts(roles: dict[str, str] | None = None, metrics=None) -> str:
    """One markdown bullet per role, e.g. ``{"PM": pm, "selector": selector or pm}`` (a
    page that uses two PMs says how far each can be trusted); roles that share a PM share a
    line. Without `roles`: every PM that has sanity results, the trained PM first."""
    m = load() if metrics is None else metrics
    if roles is None:
        found = [] if m.empty else list(dict.fromkeys(m.model))
        order = [x for x in (TRAINED, "smollm2") if x in found]
        roles = {x: x for x in order + sorted(set(found) - set(order))}
    by_pm: dict[str, list[str]] = {}
    for role, pm in roles.items():
        by_pm.setdefault(pm, []).append(role)
    if not by_pm:
        return "*No PM has been evaluated yet: `syco pm eval --pm SPEC`.*"
    lines = []
    for pm, names in by_pm.items():
        label = " and ".join(names)
        lead = "" if names == [pm] else f"**{label}** (`{pm}`): "
        lines.append(f"- {lead}{verdict(pm, m)}")
    return "\n".join(lines)
