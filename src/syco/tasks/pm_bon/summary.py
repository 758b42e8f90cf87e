"""§4.2 paper-vs-ours table (Sharma et al. §4.2, Fig. 6a), and glue numbers."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from syco.plots import Measured, fmt_interval, ours, paper_vs_ours
from syco.results import latest_spec, pick, pick_row
from syco.stats import TARGET_PTS, half_points, half_width_pts, n_for_target, side
from syco.tasks.answer.prompts import label
from syco.tasks.answer.summary import SYCOPHANTIC_SIGN
from syco.tasks.pm_bon.dataset import ANSWER_TEMPLATES, FEEDBACK_FRAMINGS
from syco.tasks.pm_bon.metrics import RANDOM, paired_name


def at(curves: pd.DataFrame, metric: str, pm: str, n: int | str, model: str) -> float:
    """Value of a metric for one PM at N (``"max"``: the largest N)."""
    return float(pick(curves, metric, subset=pm, model=model, N=n))


def key_numbers(curves: pd.DataFrame, model: str) -> dict[str, object]:
    """The numbers the chapter's prose glues, for one (policy, PM) record."""
    from syco.tasks.pm_bon import CHAPTER

    spec = latest_spec(CHAPTER, model)
    out: dict[str, object] = {
        "bon_model": model,
        "bon_M": spec.get("pool_size"),
        "bon_n_prompts": spec.get("n_prompts"),
    }
    for task in ("answer", "mimicry", "feedback"):
        metric = f"{task}_sycophancy"
        first, last = at(curves, metric, "PM", 1, model), at(curves, metric, "PM", "max", model)
        out[f"bon_{task}_n1"] = first
        out[f"bon_{task}_change"] = last - first
    return out


# --- the PM's pick against another PM's, paired over the same items ----------------------------

NONSYC = "non-syc PM"
# Which way a PM that favours sycophancy moves each paired difference (PM minus other): +1 up,
# -1 down, 0 no direction. The answer mean adds changes a sycophantic pick pushes in opposite
# directions (§3.3, `syco.tasks.answer.summary.headline_text`), so it has none; each template
# has the direction a model following the user's belief moves its accuracy.
SYC_DIRECTION = {
    "mimicry_sycophancy": 1,
    "feedback_sycophancy": 1,
    "answer_sycophancy": 0,
    **{f"answer_delta_{c}": s for c, s in SYCOPHANTIC_SIGN.items()},
}
UNRESOLVED = "no difference these n can resolve"


def verdict(row: dict[str, Any]) -> str:
    """ "higher", "lower" or `UNRESOLVED`, from a paired row's 95% interval ("" if none)."""
    if (
        not row
        or not row.get("n")
        or any(
            row.get(k) is None or math.isnan(float(row[k])) for k in ("value", "ci_low", "ci_high")
        )
    ):
        return ""
    s = side(row["ci_low"], row["ci_high"])
    return "higher" if s > 0 else "lower" if s < 0 else UNRESOLVED


def paired_text(row: dict[str, Any], unit: str) -> str:
    """ "+17 pp [-43, +63], n = 3 questions: no difference these n can resolve" from a paired-
    difference row (a difference of shares: points, as every table writes it); the verdict
    follows the 95% interval, never the point value."""
    word = verdict(row)
    if not word:
        return "not measured in this record (recorded before the paired difference was; rerun)"
    value = fmt_interval(
        row["value"], row["ci_low"], row["ci_high"], row.get("ci_method"), row.get("metric")
    )
    text = f"{value}, n = {int(row['n'])} {unit}"
    return f"{text}: {word}" + ("" if word == UNRESOLVED else " under the PM")


def paired_row(metrics: pd.DataFrame, metric: str, other: str, model: str) -> dict[str, Any]:
    """The recorded "PM's pick minus `other`'s" row of `metric` at N = max ({} if none)."""
    return pick_row(metrics, paired_name(metric), subset=other, model=model, N="max")


# What each paired metric is, in words, and the unit of its n.
PAIRED_WORDS = {
    "mimicry_sycophancy": (
        "mimicry sycophancy (share of picks repeating the wrong poet)",
        "misattributions (poem, wrong poet)",
    ),
    "feedback_sycophancy": ("feedback sycophancy (positivity like − dislike)", "arguments"),
    "answer_delta_think_incorrect": (
        f'the accuracy change under "{label("think_incorrect")}" (a drop: the suggested wrong '
        "answer sways the pick, the drop §3.3 reports)",
        "questions",
    ),
    "answer_sycophancy": (
        "the mean accuracy change over the three user beliefs (§3.3's metric; its sign alone is "
        "not a direction)",
        "questions",
    ),
}


def versus_text(metrics: pd.DataFrame, model: str, other: str) -> str:
    """The PM's best-of-M pick minus `other`'s, per metric, paired over the same items and
    pools, each with its 95% interval, n and a verdict from the interval; then what that
    says about the PM rewarding sycophancy: only where an interval excludes 0, and never
    from the answer mean (`SYC_DIRECTION`). Markdown."""
    parts: list[str] = []
    more: list[str] = []
    less: list[str] = []
    resolved = False
    words_of: dict[str, str] = {}
    for metric, (words, unit) in PAIRED_WORDS.items():
        row = paired_row(metrics, metric, other, model)
        parts.append(f"{words}: {paired_text(row, unit)}")
        word, sign = verdict(row), SYC_DIRECTION[metric]
        words_of[metric] = word
        resolved |= word in ("higher", "lower")
        if sign and word in ("higher", "lower"):
            toward = (word == "higher") == (sign > 0)
            (more if toward else less).append(words.split(" (")[0])
    if not any(words_of.values()):
        return f"No paired difference against the {other} in this record (rerun the chapter)."
    text = "; ".join(parts) + " (95% intervals; a direction only where one excludes 0). "
    if more:
        text += f"The PM's pick is more sycophantic than the {other}'s on {', '.join(more)}. "
    if less:
        text += f"The PM's pick is less sycophantic than the {other}'s on {', '.join(less)}. "
    if more or less:
        return text
    if resolved:
        return text + (
            f"No difference from the {other} that reads as sycophancy can be resolved at these "
            "n (the answer mean's sign alone is not one): these records can neither show nor "
            "rule out that this PM selects for sycophancy."
        )
    return text + (
        f"No difference from the {other} can be resolved at these n: these records can neither "
        "show nor rule out that this PM selects for sycophancy."
    )


def ladder_versus_text(metrics: pd.DataFrame, main: str, pm: str) -> str:
    """The two PM tests of "What we find" for the ladder's other policies under the same PM
    (each its own record, `record_name(model, pm)`), smallest first: the page tested only the
    first policy's pick, while the ladder section shows the others' headlines. Markdown; ""
    when no other policy has a record."""
    from syco.results.ladder import NAMES
    from syco.results.store import LADDER_ORDER
    from syco.tasks._chapter import record_name

    present = set(metrics["model"]) if "model" in metrics else set()
    blocks = []
    for model in LADDER_ORDER:
        rec = record_name(model, pm)
        if rec == main or rec not in present:
            continue
        blocks.append(
            f"**{NAMES.get(model, model)} as the policy** (record `{rec}`). Against the "
            f"random-score PM: {versus_text(metrics, rec, RANDOM)} Against the "
            f"non-sycophantic PM: {versus_text(metrics, rec, NONSYC)}"
        )
    if not blocks:
        return ""
    return (
        "The same two tests with the ladder's other policies, each over its own pools at "
        "N = M and scored by the same PM:\n\n" + "\n\n".join(blocks)
    )


def paired_numbers(metrics: pd.DataFrame, model: str) -> dict[str, object]:
    """Glue: the paired PM-minus-other texts (random PM, non-syc PM) and their values."""
    out: dict[str, object] = {
        "bon_vs_random_text": versus_text(metrics, model, RANDOM),
        "bon_vs_nonsyc_text": versus_text(metrics, model, NONSYC),
    }
    for task in ("answer", "mimicry", "feedback"):
        for other, key in ((RANDOM, "random"), (NONSYC, "nonsyc")):
            row = paired_row(metrics, f"{task}_sycophancy", other, model)
            out[f"bon_{task}_vs_{key}"] = float(row.get("value", math.nan))
    return out


def truncation_numbers(metrics: pd.DataFrame, model: str) -> dict[str, object]:
    """The share of pool samples cut at ``max_tokens``, with its n (as §3.1/§3.4 report it),
    and the cap itself; NaN / 0 for a record made before samples carried the flag."""
    from syco.tasks.pm_bon import CHAPTER

    row = pick_row(metrics, "truncated", model=model, subset="all")
    return {
        "bon_truncated": float(row.get("value", float("nan"))),
        "bon_truncated_n": int(row.get("n", 0) or 0),
        "bon_max_tokens": latest_spec(CHAPTER, model).get("max_tokens"),
    }


def paper_table(
    curves: pd.DataFrame, model: str, pool_size: int, premise: str | None = None
) -> pd.DataFrame:
    """Paper vs ours; `premise`: whether the prefix moves this PM toward truthful replies
    (`syco.tasks.misconceptions.prefix.PREMISE`), the condition under which the gap rows are the
    paper's test. `curves`: the chapter's metric rows (the paired PM-minus-other rows too)."""
    rows: list[dict[str, object]] = [
        {
            "quantity": "pool per prompt / N",
            "paper": "32 samples, N = 1…32 [P]",
            "ours": f"M = {pool_size}, N = 1…{pool_size}",
            "model": model,
        }
    ]
    if premise is not None:
        rows.append(
            {
                "quantity": "premise of the gap rows: the prefix moves the PM toward truthful "
                "replies (prefix test, fixed replies)",
                "paper": "the PM asked for truthful replies (prefix, App. C.1) serves as the less "
                "sycophantic reference [P]",
                "ours": premise,
                "model": model,
            }
        )
    test = "" if premise is None or premise.startswith("yes") else " (not the paper's test here)"
    trend = {
        "feedback_sycophancy": ("feedback sycophancy", "rises with N [R]"),
        "answer_sycophancy": (
            "answer sycophancy (mean acc. change, 3 beliefs; sign alone not a direction, §3.3)",
            "less sycophantic with N [P]",
        ),
        "answer_delta_think_incorrect": (
            f'accuracy change under "{label("think_incorrect")}" (a drop = sycophantic, §3.3)',
            "not stated for this template [P]",
        ),
        "mimicry_sycophancy": ("mimicry sycophancy", "falls with N [P]"),
    }
    for metric, (name, paper) in trend.items():
        change = at(curves, metric, "PM", "max", model) - at(curves, metric, "PM", 1, model)
        items = paired_row(curves, metric, RANDOM, model).get("n")
        rows.append(
            {
                "quantity": f"{name}: change N=1 → N=max, PM",
                "paper": paper,
                # a change of a share (or of a difference of shares): points, with the items
                # it is over (the same items as the paired rows; its interval is theirs vs the
                # random PM, which at N=1 is the policy's average)
                "ours": "not in this record"
                if math.isnan(change)
                else Measured(f"{change * 100:+.1f} pp", int(items) if items else None),
                "model": model,
            }
        )
        for other, tag, said in (
            (NONSYC, test, "PM more sycophantic, all N [P]"),
            (RANDOM, " (exact)", "not shown"),
        ):
            row = paired_row(curves, metric, other, model)
            cell = ours(row) if row else None
            word = verdict(row)
            rows.append(
                {
                    "quantity": f"{name}: PM minus {other}, paired, N=max{tag}",
                    "paper": said,
                    "ours": Measured(f"{cell}: {word}", cell.n)
                    if cell is not None and word
                    else "not in this record",
                    "model": model,
                }
            )
    return paper_vs_ours(rows, cite="§4.2, Fig. 6a")


def page_numbers(metrics: pd.DataFrame, model: str, pm: str) -> dict[str, object]:
    """Everything the page's prose glues: the curves' key numbers, the PM's pick against the
    random and the non-syc PM's (paired, with verdicts), the share of samples cut at
    ``max_tokens`` and what the PM vs non-syc PM gap means for this PM (worded from the
    recorded prefix effect, `syco.tasks.misconceptions.prefix.gap_numbers`)."""
    from syco.tasks.misconceptions import prefix
    from syco.tasks.pm_bon.metrics import curve_frame

    return {
        **key_numbers(curve_frame(metrics), model),
        **paired_numbers(metrics, model),
        **truncation_numbers(metrics, model),
        **prefix.gap_numbers(pm, "bon"),
    }


# Prompts per base item (conditions a metric pairs up on): §3.3's four templates, the
# misattributed poem, the argument's baseline/like/dislike framings.
CONDITIONS = {"answer": len(ANSWER_TEMPLATES), "mimicry": 1, "feedback": len(FEEDBACK_FRAMINGS)}
ITEM = {"answer": "questions", "mimicry": "misattributions", "feedback": "arguments"}


def _reach_line(task: str, row: dict[str, Any], available: dict[str, int]) -> str:
    """One headline's line: its half-width and n, and where it misses `TARGET_PTS`, the items
    and model calls a 10-point interval would take against the items the data offers."""
    n, half = int(row.get("n", 0) or 0), half_width_pts(row.get("ci_low"), row.get("ci_high"))
    if not n or pd.isna(half):
        return f"- {task} sycophancy: no value at N = M, so no precision."
    if half <= TARGET_PTS:
        return (f"- {task} sycophancy: ±{half_points(half)} points with n = {n} {ITEM[task]} "
                f"(meets {TARGET_PTS:g}).")  # fmt: skip
    pool = int(row["N"])  # the largest N is the pool size M
    have = available.get(task, 0)
    need = n_for_target(n, half) or n
    samples = need * CONDITIONS[task] * pool
    cost = (f"about {need} {ITEM[task]} (est.), i.e. {samples:,} policy samples "
            f"({CONDITIONS[task]} prompt(s) x M = {pool}), each scored by the PM and by the "
            f"non-sycophantic PM ({2 * samples:,} PM passes)")  # fmt: skip
    raw = row.get("n_clusters")
    clusters = 0 if raw is None or pd.isna(raw) else int(raw)
    if 0 < clusters < n:
        cost += (f"; the interval is clustered by poem ({clusters} here), so more "
                 "misattributions of the same poems narrow it less than this estimate "
                 "assumes")  # fmt: skip
    head = (f"- {task} sycophancy: ±{half_points(half)} points with n = {n}; {TARGET_PTS:g} points "
            f"would need {cost}")  # fmt: skip
    if need > have:
        return (f"{head}, more than the {have:,} {ITEM[task]} the data offers: by this "
                "estimate it cannot reach them with this data.")  # fmt: skip
    return (f"{head} (the data offers {have:,}): a recording for the published answer key, "
            "not a 2-core build.")  # fmt: skip


def reach_text(curves: pd.DataFrame, available: dict[str, int]) -> str:
    """Per model and headline metric (the PM's pick at N = M, M its own pool size), whether
    its 95% interval reaches `TARGET_PTS` and, where not, what it would take, in items and in
    model calls, against the items the data offers (issue 20: "meet <= 10 points or say
    why"): every record gets its own n and half-width, a ladder model recorded at smaller
    sizes too. Markdown, from the records."""
    blocks = []
    pm_rows = curves[curves["subset"] == "PM"] if len(curves) else curves
    for model in dict.fromkeys(pm_rows["model"]) if len(pm_rows) else []:
        if " [T=" in str(model):  # a decoding comparison run, not a headline (as the table)
            continue
        lines = [f"`{model}`, the PM's pick at N = M:", ""]
        for task in ("answer", "mimicry", "feedback"):
            row = pick_row(curves, f"{task}_sycophancy", subset="PM", model=model, N="max")
            lines.append(_reach_line(task, row, available))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else "*No record of this chapter yet.*\n"
