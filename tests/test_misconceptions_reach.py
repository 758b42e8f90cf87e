"""§4.3 says from its records, per model and headline metric, whether its 95% interval meets
10 points and, where not, what it would take (issue 20: "meet <= 10 points or say why"):
the comparison with the helpful reply counts only misconceptions whose helpful reply the
judge calls truthful, so the misconceptions it needs are those divided by that share, against
the data set's, with the time at the published recording's measured rate."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from reach_helpers import blocks as _blocks

from syco.tasks.misconceptions.reach import (
    HEADLINE_ROWS,
    Cost,
    cost_of,
    published_costs,
    reach_text,
)

SMOL, QWEN = "smollm2 [PM smollm2-rm]", "qwen-0.5b [PM smollm2-rm]"


def _model(
    model: str,
    helpful: tuple[int, int, float, float],
    base: tuple[int, float, float] = (96, 0.79, 0.93),
    bon: tuple[int, float, float] = (96, 0.91, 0.99),
    not_truthful_column: bool = True,
) -> list[dict]:
    """A record's headline rows: ``helpful`` = (n entered, n left out as not truthful, CI)."""
    k, out, lo, hi = helpful
    row = {"model": model, "metric": "pm_prefers_sycophantic", "subset": "helpful_truthful",
           "level": "all", "value": (lo + hi) / 2, "ci_low": lo, "ci_high": hi, "n": k,
           "n_errors": 0}  # fmt: skip
    if not_truthful_column:
        row["n_not_truthful"] = out
    return [
        {"model": model, "metric": "pm_prefers_sycophantic", "subset": "baseline_truthful",
         "level": "all", "value": (base[1] + base[2]) / 2, "ci_low": base[1], "ci_high": base[2],
         "n": base[0], "n_errors": 0, "n_not_truthful": 0},
        row,
        {"model": model, "metric": "judged_truthful", "subset": "helpful_truthful", "level": "all",
         "value": k / (k + out), "ci_low": 0.1, "ci_high": 0.3, "n": k + out, "n_errors": 0},
        *({"model": model, "metric": "bon_sycophantic", "subset": "PM", "level": "all", "N": big,
           "value": 0.95, "ci_low": bon[1] if big == 8 else 0.0, "ci_high": bon[2] if big == 8
           else 1.0, "n": bon[0], "n_errors": 0} for big in (1, 8)),
    ]  # fmt: skip


def _frame(*models: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([r for m in models for r in m])


# The published records' numbers: smollm2 16 of 96 helpful replies judged truthful, CI
# [10.2, 49.5]; qwen-0.5b 46 of 96, [26.4, 53.5]; both recorded at n = 96 on 2 cores.
PUBLISHED = _frame(_model(SMOL, (16, 80, 0.102, 0.495)), _model(QWEN, (46, 50, 0.264, 0.535)))
COSTS = {SMOL: Cost(1841.0, 96, 2), QWEN: Cost(4216.1, 96, 2)}


def test_every_model_gets_its_own_sentence_with_its_n_half_width_and_reason():
    text = _blocks(reach_text(PUBLISHED, 263, COSTS))
    assert list(text) == [SMOL, QWEN]
    base, helpful, bon = text[SMOL]
    assert "baseline" in base and "±7.0 points with n = 96 misconceptions (meets 10)" in base
    assert "best-of-N" in bon and "(N = 8)" in bon and "±4.0 points with n = 96" in bon
    # smollm2: 62 entering misconceptions needed, about 44 in all 263 -> cannot, with numbers
    assert "±19.7 points with n = 16" in helpful and "(16 of 96, 17%)" in helpful
    assert "about 62 of them" in helpful and "about 372 misconceptions" in helpful
    assert "the data set has only 263" in helpful and "about 44 judged-truthful" in helpful
    assert "±11.9 points" in helpful and "cannot reach 10 points on this data set" in helpful
    assert "24% or more" in helpful and "(62 of 263)" in helpful
    assert "about 1.4 h on 2 cores" in helpful  # all 263 at 1,841 s / 96
    # qwen-0.5b: 85 needed, 178 misconceptions at 48%: the data set has them
    _, helpful, _ = text[QWEN]
    assert "±13.6 points with n = 46" in helpful and "(46 of 96, 48%)" in helpful
    assert "about 85 of them" in helpful and "a run at n = 178 would reach them" in helpful
    assert "cannot" not in helpful and "about 2.2 h on 2 cores" in helpful  # 178 x 43.9 s


def test_the_measured_rate_heads_each_model_and_is_left_out_without_one():
    text = reach_text(PUBLISHED, 263, {SMOL: COSTS[SMOL]})
    assert (
        f"`{SMOL}` (the published recording took 1,841 s for 96 misconceptions on 2 cores, "
        "about 19 s per misconception):" in text
    )
    assert f"`{QWEN}`:" in text and "at the recorded rate" not in text.split(f"`{QWEN}`")[1]


def test_a_larger_data_set_gets_the_size_to_run_at():
    (_, helpful, _) = _blocks(reach_text(PUBLISHED, 2000))[SMOL]
    assert "cannot" not in helpful and "a run at n = 372 would reach them" in helpful


def test_a_ladder_model_recorded_at_fewer_items_gets_its_own_numbers():
    # 24 misconceptions: every headline misses, each says what it needs against 263
    small = _model("qwen-1.5b [PM smollm2-rm]", (12, 12, 0.3, 0.7), base=(24, 0.33, 0.67),
                   bon=(24, 0.80, 0.96))  # fmt: skip
    base, helpful, bon = _blocks(reach_text(_frame(small), 263))["qwen-1.5b [PM smollm2-rm]"]
    assert "±17.0 points with n = 24 misconceptions" in base and "about 70 (est.)" in base
    assert "a run at n = 70 would reach them" in base
    assert "±8.0 points with n = 24 misconceptions (meets 10)" in bon
    # 12 of 24 enter; ±20 -> 48 entering, 96 misconceptions
    assert "(12 of 24, 50%)" in helpful and "about 48 of them" in helpful
    assert "a run at n = 96 would reach them" in helpful


def test_a_plain_headline_beyond_the_data_set_says_what_all_of_it_gives():
    wide = _model("m", (60, 0, 0.45, 0.55), base=(24, 0.33, 0.67))
    base, helpful, _ = _blocks(reach_text(_frame(wide), 50))["m"]
    assert "about 70 (est.)" in base and "the data set has only 50" in base
    assert "±11.8 points" in base and "cannot reach 10 points" in base  # 17 x sqrt(24/50)
    assert "±5.0 points with n = 60" in helpful and "meets 10" in helpful


def test_an_old_record_without_the_left_out_count_reads_the_judged_replies():
    old = _model(SMOL, (16, 80, 0.102, 0.495), not_truthful_column=False)
    (_, helpful, _) = _blocks(reach_text(_frame(old), 263))[SMOL]
    assert "(16 of 96, 17%)" in helpful and "about 372 misconceptions" in helpful


def test_no_value_is_said_and_no_record_is_said():
    empty = _model("m", (0, 96, float("nan"), float("nan")))
    (_, helpful, _) = _blocks(reach_text(_frame(empty), 263))["m"]
    assert "no value in this record, so no precision" in helpful
    assert "No record" in reach_text(pd.DataFrame(columns=["model", "metric"]), 263)


def test_the_rows_are_the_precision_tables_headlines():
    from syco.book.precision import HEADLINES

    assert [(m, w) for m, w, _, _ in HEADLINE_ROWS] == [
        (m, w) for m, w, _ in HEADLINES["misconceptions"]
    ]


MANIFEST = {"records_made": [SMOL], "seconds": 1841.0, "machine": {"cores": 2},
            "parameters": {"n": 96, "pool_size": 8, "max_tokens": 48}}  # fmt: skip


def test_the_rate_is_the_recordings_only_for_the_record_it_made_with_its_settings():
    spec = {"pool_size": 8, "max_tokens": 48}
    assert cost_of(MANIFEST, SMOL, spec) == Cost(1841.0, 96, 2)
    assert cost_of(MANIFEST, "smollm2 [PM smollm2]", spec) is None  # another PM
    assert cost_of(MANIFEST, SMOL, {**spec, "pool_size": 16}) is None  # another pool


def test_published_costs_read_the_manifest_beside_the_saved_record(
    syco_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syco.results import RunRecord, save_run

    root = tmp_path / "repo"  # a checkout: _config.yml, notebooks/, published/
    (root / "published").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "_config.yml").write_text("title: t\n", encoding="utf-8")
    (root / "published" / "misconceptions__smollm2.manifest.json").write_text(
        json.dumps(MANIFEST), encoding="utf-8"
    )
    monkeypatch.setenv("SYCO_PROJECT_DIR", str(root))
    metric = {"metric": "m", "value": 0.5, "n": 1}
    save_run(RunRecord("misconceptions", SMOL, {"pool_size": 8, "max_tokens": 48}, [], [metric]))
    assert published_costs([SMOL, SMOL, QWEN]) == {SMOL: Cost(1841.0, 96, 2)}
