"""Tables round once, from the recorded value, in the unit the metric declares.

The reader's review of the rendered book: §3.1's table showed "wrote/all 52%" where the
prose said 51% (0.5148 rounded to 0.515 before the percent format); §3.2's mc_pooled rows
had an empty subset; §4.1's correlation read "-26%" and log-odds coefficients "14% [7, 21]".
"""

from __future__ import annotations

import pandas as pd

from syco.book.pages import summary_table
from syco.plots import ci_method_name, display_frame, fmt_interval, ours
from syco.results import metrics_table
from syco.tasks import are_you_sure as ays
from syco.tasks.are_you_sure.metrics import MC_POOLED
from syco.units import DIFF, NUMBER, SHARE, unit_of


def _row(metric: str, value: float, lo: float | None, hi: float | None, **kw: object) -> dict:
    return {"chapter": "feedback", "model": "smollm2", "metric": metric, "subset": "all",
            "value": value, "ci_low": lo, "ci_high": hi, "n": 180, "n_errors": 0,
            "n_unparsed": 0, **kw}  # fmt: skip


def test_a_table_rounds_the_recorded_value_once_as_the_prose_does():
    # §3.1 wrote/all, smollm2: 0.5148 [0.4418, 0.5873], n=180; prose: 51%
    df = pd.DataFrame([_row("positivity", 0.5148, 0.4418, 0.5873, subset="wrote/all",
                            ci_method="wilson")])  # fmt: skip
    table = metrics_table(df)
    assert table["value"].iloc[0] == 0.5148  # not 0.515
    assert display_frame(table)["value [95% CI]"].iloc[0] == "51% [44, 59]"
    # wrote/math: 0.5778 [0.4746, 0.6745] showed [48, 68] after rounding to 0.475 / 0.675
    math_row = _row("positivity", 0.5778, 0.4746, 0.6745, ci_method="wilson")
    assert (
        display_frame(metrics_table(pd.DataFrame([math_row])))["value [95% CI]"].iloc[0]
        == "58% [47, 67]"
    )


def test_the_mc_pooled_rows_keep_their_subset_in_the_are_you_sure_table():
    rows = [
        _row("letter_change", 0.30, 0.22, 0.39, subset="aqua_mc"),
        _row("letter_change", 0.39, 0.34, 0.44, subset="all"),
        _row("letter_change", 0.42, 0.37, 0.46, subset=MC_POOLED),
        _row("correct_to_incorrect", 0.40, 0.31, 0.50, subset=MC_POOLED),
    ]
    table = ays.metrics_table(pd.DataFrame(rows))
    assert table["subset"].notna().all()
    assert list(table["subset"].astype(str)) == ["aqua_mc", "all", MC_POOLED, MC_POOLED]
    shown = display_frame(table)
    assert (shown["subset"] == MC_POOLED).sum() == 2 and (shown["subset"] != "").all()


def test_a_correlation_and_a_coefficient_are_numbers_not_percentages():
    # §4.1 proxy: posterior_corr_strongest -0.2649 (no CI); mle_coef "longer" 0.1367
    assert fmt_interval(-0.2649, None, None, None, "posterior_corr_strongest") == ("-0.265 [no CI]")
    assert fmt_interval(0.1367, 0.0673, 0.2061, None, "mle_coef") == "0.137 [0.067, 0.206]"
    # one coefficient with |CI| > 1 and one without read alike (was "-0.220" beside "14%")
    assert fmt_interval(-0.2201, -1.2262, 0.7860, None, "mle_coef") == ("-0.220 [-1.226, 0.786]")
    df = pd.DataFrame([
        _row("posterior_corr_strongest", -0.2649, None, None, chapter="preference_data"),
        _row("mle_coef", 0.1367, 0.0673, 0.2061, chapter="preference_data"),
    ])  # fmt: skip
    shown = list(display_frame(metrics_table(df))["value [95% CI]"])
    assert shown == ["-0.265 [no CI]", "0.137 [0.067, 0.206]"]
    assert ours(df.iloc[0].to_dict()) == "-0.265 [no CI]"
    html = summary_table(df)
    assert (
        "-0.265 <span class='syco-ci'>[no CI]" in html
        and "0.137 <span class='syco-ci'>[0.067, 0.206]" in html
    )
    assert "-26%" not in html and "14% <span" not in html


def test_a_difference_of_shares_is_in_signed_percentage_points():
    r = _row("feedback_sycophancy", 0.052, -0.01, 0.113, ci_method="newcombe-paired")
    assert fmt_interval(r["value"], r["ci_low"], r["ci_high"], r["ci_method"], r["metric"]) == (
        "+5 pp [-1, +11]"
    )
    assert ours(r) == "+5 pp [-1, +11]"
    html = summary_table(pd.DataFrame([r]))
    assert "+5 pp <span class='syco-ci'>[-1, +11]</span>" in html
    # a share beside it keeps its percent
    assert fmt_interval(0.58, 0.52, 0.64, "wilson", "positivity") == "58% [52, 64]"
    assert fmt_interval(0.0, -0.05, 0.05, None, "delta_accuracy") == "0 pp [-5, +5]"


def test_units_come_from_the_name_with_a_safe_default():
    assert unit_of("positivity") == SHARE
    assert unit_of("accuracy_change", "newcombe-paired-strata") == DIFF
    assert unit_of("feedback_sycophancy", "wilson-rescaled") == DIFF
    assert unit_of("mimicry_sycophancy_pm_minus", "newcombe-paired-rescaled") == DIFF
    for method in ("paired-t-bounded", "paired-t-bounded-cluster", "paired-identical"):
        assert unit_of(None, method) == DIFF  # §4.2's PM-minus rows (`syco.stats_paired`)
        assert ci_method_name(method) != method  # named in words on the page
    got = fmt_interval(0.093, -0.006, 0.188, "paired-t-bounded", "feedback_sycophancy_pm_minus")
    assert got == "+9 pp [-1, +19]"
    assert unit_of("posterior_corr_beliefs") == NUMBER
    assert unit_of("some_new_metric", "wilson") == SHARE  # the method places an unknown name
    assert unit_of("some_new_metric") == NUMBER  # never a percent by its value's range
    assert unit_of(None, None) is None  # a bare value: the caller decides
