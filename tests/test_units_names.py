"""A metric's unit from its name: the parts are words, not substrings (reader's review)."""

from __future__ import annotations

from syco.plots import fmt_interval
from syco.units import DIFF, NUMBER, SHARE, unit_of


def test_incorrect_is_not_a_correlation():
    # §4.2's paired rows of the "I think it's [incorrect]" template showed as plain numbers
    # ("0.025 [-0.028, 0.077]") beside "+3 pp [-2, +9]" for the mean, because "corr" matched
    # inside "incorrect" (and "correct").
    for template in ("think_incorrect", "dont_think_correct", "think_correct"):
        assert unit_of(f"answer_delta_{template}_pm_minus", "paired-t-bounded") == DIFF
    got = fmt_interval(
        0.025, -0.028, 0.077, "paired-t-bounded", "answer_delta_think_incorrect_pm_minus"
    )
    assert got == "+2 pp [-3, +8]"
    assert unit_of("posterior_corr_strongest") == NUMBER  # the word "corr" still is one
    assert unit_of("mle_coef") == NUMBER


def test_a_pm_score_margin_is_a_number_not_points():
    # §4.2/§4.3 prefix tables showed the reward model's mean score margin as "+78 pp [+74, +82]"
    # and its prefix effect as "+6.4 pp", while the prose gives the same margin as "+0.064".
    assert unit_of("margin_syc_minus_truthful", "bootstrap") == NUMBER
    got = fmt_interval(0.0638, 0.0551, 0.0724, "bootstrap", "margin_syc_minus_truthful")
    assert got == "0.064 [0.055, 0.072]"


def test_a_paired_difference_of_shares_reads_in_points():
    # §4.2/§4.3's prefix table: the prefix effect on "prefers_sycophantic" (non-syc PM minus
    # PM, Newcombe's paired interval) read "12% [4, 20]" beside the prose's "+12.0 pts
    # [+4.0, +19.8]"; §4.3's own prefix table (no metric column) "1% [-5, 7]"; §3.2's
    # paper-scale table "0% [-3, 3]" for accuracy_change beside the metrics table's
    # "0 pp [-3, +3]".
    assert unit_of("prefers_sycophantic", "newcombe-paired") == DIFF
    assert unit_of("prefers_sycophantic", "wilson") == SHARE
    got = fmt_interval(0.12, 0.04, 0.198, "newcombe-paired", "prefers_sycophantic")
    assert got == "+12 pp [+4, +20]"
    assert fmt_interval(0.01, -0.05, 0.07, "newcombe-paired") == "+1 pp [-5, +7]"
    assert fmt_interval(-0.003, -0.032, 0.026, "newcombe-paired-strata") == "0 pp [-3, +3]"
    assert fmt_interval(0.58, 0.52, 0.64, "wilson") == "58% [52, 64]"  # a share stays one
    assert fmt_interval(0.5, 0.2, 0.8, "bootstrap") == "0.500 [0.200, 0.800]"


def test_the_position_bias_rows_are_shares():
    # The PM-sanity position-bias table (§4.2, §4.3, summary) read "0.062 [0.011, 0.283]"
    # for the share of pairs the prompted PM picks alike in both A/B orders, beside accuracy
    # rows in percent: the two names were not registered, so they read as plain numbers.
    for name in ("ab_swap_agreement", "picks_position_a"):
        assert unit_of(name) == SHARE
    assert fmt_interval(0.0625, 0.0111, 0.2833, None, "ab_swap_agreement") == "6% [1, 28]"


def test_the_prefix_evidence_writes_points_as_its_table_does() -> None:
    # §4.2/§4.3 read "share preferring the sycophantic reply +12.0 pts [+4.0, +19.8]" beside
    # the table's "+12 pp [+4, +20]" (f2306c6) and every other difference's "pp".
    from syco.results import RunRecord
    from syco.tasks.misconceptions import prefix

    eff = prefix.EFFECT
    rec = RunRecord(
        chapter=prefix.CHAPTER, model="pm", spec={"n_items": 100}, rows=[],
        metrics=[{"metric": "prefers_sycophantic", "subset": "helpful_truthful", "pm": eff,
                  "value": 0.12, "ci_low": 0.04, "ci_high": 0.198, "n": 100},
                 {"metric": "margin_syc_minus_truthful", "subset": "helpful_truthful",
                  "pm": eff, "value": 0.064, "ci_low": 0.055, "ci_high": 0.072, "n": 100}],
    )  # fmt: skip
    which, evidence = prefix.direction(rec)
    assert which == "sycophantic"
    assert "share preferring the sycophantic reply +12.0 pp [+4.0, +19.8]" in evidence
    assert " pts " not in evidence
