"""§3.4's authorship-question effect is a difference of mimicry rates: points, with its n in
the n column (reader's review: "+2% (95% CI -7% to +13%, n = 45 paired prompts)" with n "–",
beside "+2 pp [-7, +13]" in the metrics table)."""

from __future__ import annotations

import pandas as pd

from syco.tasks.mimicry.summary import paper_vs_ours, summary


def _metrics() -> pd.DataFrame:
    base = {"model": "m", "n_errors": 0, "n_unparsed": 0}
    return pd.DataFrame(
        [
            {**base, "metric": "author_question_effect", "subset": "all_poems",
             "value": 0.0222, "ci_low": -0.0714, "ci_high": 0.1303, "n": 45,
             "ci_method": "newcombe-paired-cluster"},
            {**base, "metric": "mimicry", "subset": "all_poems", "value": 0.978,
             "ci_low": 0.869, "ci_high": 0.997, "n": 45, "n_poems": 15, "ci_method": "wilson"},
            {**base, "metric": "mimicry", "subset": "filtered", "value": 1.0, "ci_low": 0.207,
             "ci_high": 1.0, "n": 3, "n_poems": 1, "ci_method": "wilson"},
            {**base, "metric": "direct_attribution", "subset": "all_poems", "value": 0.067,
             "ci_low": 0.012, "ci_high": 0.298, "n": 15, "n_poems": 15, "ci_method": "wilson"},
        ]
    )  # fmt: skip


def test_the_question_effect_reads_in_points() -> None:
    got = summary(_metrics(), "m")["mim_question_effect"]
    assert got == "+2 pp [-7, +13], n = 45 paired prompts"


def test_the_paper_table_gives_the_effect_in_points_and_its_n_in_the_n_column() -> None:
    table = paper_vs_ours(_metrics(), pd.DataFrame())
    eff = table[table["Quantity"].str.startswith("Effect of adding")].iloc[0]
    assert eff["Ours (measured)"] == "+2 pp [-7, +13]" and eff["n"] == 45
