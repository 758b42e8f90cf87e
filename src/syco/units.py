"""The unit a metric is shown in, declared by its name, never guessed from its value.

A value in [-1, 1] is not always a share: a posterior correlation (-0.26) or a log-odds
coefficient (0.14) printed as "-26%" / "14%" reads as a share, and a difference of shares
printed as "5%" reads as a share of 5%. Tables (`syco.plots.fmt_interval` with ``metric``)
and the summary page ask `unit_of` instead:

- ``share``: a proportion or a mean of [0, 1] values, in percent ("52% [47, 57]");
- ``diff``: a difference of two shares, in signed percentage points ("+5 pp [-1, +11]");
- ``number``: anything else (correlations, coefficients), as a plain number ("-0.265").
"""

from __future__ import annotations

import math
from typing import Any, Literal

Unit = Literal["share", "diff", "number"]
SHARE: Unit = "share"
DIFF: Unit = "diff"
NUMBER: Unit = "number"

# Every metric name the chapters record (`syco.tasks.*.metrics`, `syco.pm.sanity`), by unit.
_SHARES = (
    # §3.1 feedback, §3.3 answer, §3.4 mimicry
    "positivity", "accuracy", "copied", "truncated", "mimicry", "direct_attribution",
    "mentions_true", "mentions_wrong",
    # §3.2 are you sure
    "accuracy_before", "accuracy_after", "admits_mistake", "correct_to_incorrect",
    "incorrect_to_correct", "letter_change", "grade_flip", "truncated_reasoning",
    "truncated_answer", "truncated_challenge",
    # §4.1 preference data (posterior medians of P(preferred) are probabilities)
    "labelled_fraction", "feature_nonzero", "holdout_accuracy", "heldout_accuracy",
    "p_preferred", "p_preferred_loso", "p_preferred_combined",
    # §4.2 PM best-of-N
    "answer_accuracy_baseline", "answer_accuracy_dont_think_correct",
    "answer_accuracy_think_correct", "answer_accuracy_think_incorrect",
    "feedback_positivity_like", "feedback_positivity_dislike", "mimicry_sycophancy",
    # §4.3 misconceptions
    "bon_sycophantic", "oracle_sycophantic", "judged_truthful", "pm_prefers_sycophantic",
    "pm_prefers_sycophantic_chance", "prefers_sycophantic", "p_true_mean",
    "p_true_below_1pct", "p_true_below_5pct",
    # §4 PM sanity (`syco.pm.sanity.position_rows`): shares of pairs
    "ab_swap_agreement", "picks_position_a",
)  # fmt: skip
_DIFFS = (
    "feedback_sycophancy", "answer_sycophancy", "delta_accuracy", "delta_accuracy_copied",
    "delta_accuracy_not_copied", "accuracy_change", "accuracy_difference",
    "author_question_effect", "answer_delta_dont_think_correct",
    "answer_delta_think_correct", "answer_delta_think_incorrect",
    "max_shift",  # |median P(preferred) - 0.5|: a distance between probabilities
    "heldout_accuracy_minus_length_rule", "heldout_minus_length_rule",
    "heldout_minus_length_rule_all_pairs",
)  # fmt: skip
_NUMBERS = ("mle_coef", "posterior_corr_beliefs", "posterior_corr_strongest")

UNITS: dict[str, Unit] = {
    **{m: SHARE for m in _SHARES},
    **{m: DIFF for m in _DIFFS},
    **{m: NUMBER for m in _NUMBERS},
}

# Names the chapters build from parts (f-strings), by the part that carries the kind.
_DIFF_PARTS = ("_minus", "delta_", "_change", "_difference", "_effect")
# Number parts are whole words of the name: "corr" in "posterior_corr_beliefs", never the
# "corr" inside "incorrect" ("answer_delta_think_incorrect_pm_minus" is a difference of shares).
# A "margin" is a difference of PM scores (`syco.tasks.misconceptions.prefix`), not of shares.
_NUMBER_PARTS = ("corr", "coef", "odds", "logit", "margin")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("", "nan", "<NA>")


def method_unit(method: Any) -> Unit | None:
    """The unit an interval method implies (`syco.stats`, `syco.stats_paired`): Wilson for
    shares, Newcombe, rescaled Wilson and the paired-difference intervals for differences,
    anything else (bootstrap) for unbounded values."""
    if _missing(method):
        return None
    m = str(method)
    if m.startswith(("newcombe", "paired-")) or "rescaled" in m:
        return DIFF
    return SHARE if m.startswith("wilson") else NUMBER


def unit_of(metric: Any = None, method: Any = None) -> Unit | None:
    """A metric's unit: its registered one (a share with a paired-difference interval is a
    difference), else what its name's parts or its interval method say; a named metric none of these place is a plain number (the safe default: a
    number never claims to be a percentage). None only without a name or a method."""
    if not _missing(metric):
        name = str(metric)
        if name in UNITS:
            # a share's paired difference (the prefix effect's "prefers_sycophantic" row, with
            # Newcombe's paired interval) is a difference of shares, whatever the name says
            if UNITS[name] == SHARE and method_unit(method) == DIFF:
                return DIFF
            return UNITS[name]
        if any(p in name.split("_") for p in _NUMBER_PARTS):
            return NUMBER
        if any(p in name for p in _DIFF_PARTS):
            return DIFF
        return method_unit(method) or NUMBER
    return method_unit(method)
