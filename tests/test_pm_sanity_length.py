"""PM sanity verdict against the length rule (reader's review): a PM that beats chance but
not "the longer response wins" on the same pairs must not read as a model of human
preferences. Known answers on synthetic records saved and loaded as the pages do; no model."""

from __future__ import annotations

import pytest

from syco.pm import sanity
from syco.results import RunRecord
from syco.stats import newcombe_paired_ci


def _rows(correct: list[float | None], length: list[float]) -> list[dict]:
    splits = ("helpful-base", "helpful-online")
    return [
        {"pair_id": f"p{i}", "split": splits[i % 2], "length_rule": lr, "correct": c}
        for i, (c, lr) in enumerate(zip(correct, length, strict=True))
    ]


def _save(folder, model: str, rows: list[dict], *, all_pairs: bool = False) -> None:
    """A record shaped like `sanity._record`'s (accuracy rows only, no comparison rows)."""
    common = [r for r in rows if r.get("common", True)]
    metrics = sanity.accuracy_rows(common, "heldout_accuracy", "correct")
    metrics += sanity.accuracy_rows(common, "length_rule_accuracy", "length_rule")
    if all_pairs:
        metrics += sanity.accuracy_rows(rows, "heldout_accuracy_all_pairs", "correct")
        metrics += sanity.accuracy_rows(rows, "length_rule_accuracy_all_pairs", "length_rule")
    rec = RunRecord(chapter=sanity.CHAPTER, model=model, spec={}, rows=rows, metrics=metrics)
    sanity.save(rec, folder)


def _overlap(n: int, k_pm: int, k_len: int) -> tuple[list[float | None], list[float]]:
    """PM right on its first k_pm pairs, the length rule on its first k_len: as aligned as
    two scorers with those accuracies can be (the strongest pairing)."""
    return [float(i < k_pm) for i in range(n)], [float(i < k_len) for i in range(n)]


def test_60_vs_59_on_the_same_pairs_is_a_tie_not_a_win(tmp_path):
    """The reader's case: 60% vs 59% is better than chance but not better than length."""
    _save(tmp_path, "pm", _rows(*_overlap(400, 240, 236)))
    text = sanity.verdict("pm", sanity.load(tmp_path))
    assert "60% [55, 65]" in text and "better than chance" in text
    assert 'ties with "longer wins"' in text and "beats" not in text.lower()
    assert "+1.0 points" in text and "n = 400" in text
    assert "not that it models human preferences beyond response length" in text


@pytest.mark.parametrize(
    ("k_pm", "k_len", "says"),
    [(160, 110, 'beats "longer wins"'), (100, 140, 'loses to "longer wins"'),
     (120, 114, 'beats "longer wins"')],
)  # fmt: skip
def test_verdict_direction_comes_from_the_paired_interval(tmp_path, k_pm, k_len, says):
    """(120, 114): 60% vs 57% on n = 200, Wilson intervals overlap, but the 6 pairs on which
    they differ all favour the PM: only the paired interval resolves it."""
    _save(tmp_path, "pm", _rows(*_overlap(200, k_pm, k_len)))
    m = sanity.load(tmp_path)
    diff = m[(m.metric == "heldout_minus_length_rule") & (m.subset == "all")].iloc[0]
    pm, length = _overlap(200, k_pm, k_len)
    assert diff["value"] == pytest.approx((k_pm - k_len) / 200)
    assert (diff["ci_low"], diff["ci_high"]) == pytest.approx(newcombe_paired_ci(pm, length))
    assert diff["ci_method"] == "newcombe-paired" and diff["n"] == 200
    assert says in sanity.verdict("pm", m)


def test_unscored_pairs_leave_both_sides_and_are_counted(tmp_path):
    pm, length = _overlap(10, 6, 4)
    pm[0] = pm[9] = None
    _save(tmp_path, "pm", _rows(pm, length))
    m = sanity.load(tmp_path)
    diff = m[(m.metric == "heldout_minus_length_rule") & (m.subset == "all")].iloc[0]
    assert diff["n"] == 8 and diff["n_errors"] == 2
    assert diff["value"] == pytest.approx((5 - 3) / 8)  # pairs 1..8: PM 5 right, length 3


def test_trained_pm_is_compared_on_every_held_out_pair(tmp_path):
    """The verdict reads the all-pairs accuracy for the trained PM: its comparison must be
    on those pairs too, not on the common subset."""
    pm, length = _overlap(300, 200, 150)
    rows = _rows(pm, length)
    for i, r in enumerate(rows):
        r["common"] = i >= 200  # common pairs: PM 0 right, length 0 right
    _save(tmp_path, sanity.TRAINED, rows, all_pairs=True)
    m = sanity.load(tmp_path)
    text = sanity.verdict(sanity.TRAINED, m)
    assert "n = 300" in text and 'beats "longer wins"' in text and "+16.7 points" in text
    common = m[(m.metric == "heldout_minus_length_rule") & (m.subset == "all")].iloc[0]
    assert common["n"] == 100 and common["value"] == 0


def test_one_line_per_role_and_every_recorded_pm(tmp_path):
    _save(tmp_path, sanity.TRAINED, _rows(*_overlap(200, 120, 118)))
    _save(tmp_path, "smollm2", _rows(*_overlap(200, 100, 118)))
    m = sanity.load(tmp_path)
    lines = sanity.verdicts({"PM": sanity.TRAINED, "selector": "smollm2"}, m).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"- **PM** (`{sanity.TRAINED}`): ")
    assert lines[1].startswith("- **selector** (`smollm2`): ")
    assert "indistinguishable from chance" in lines[1] and "longer wins" in lines[1]
    same = sanity.verdicts({"PM": "smollm2", "selector": "smollm2"}, m).splitlines()
    assert len(same) == 1 and same[0].startswith("- **PM and selector** (`smollm2`)")
    every = sanity.verdicts(metrics=m).splitlines()
    assert [line.split("'")[1] for line in every] == [sanity.TRAINED, "smollm2"]
    missing = sanity.verdicts({"selector": "other"}, m)
    assert "no held-out accuracy on record" in missing


def test_committed_records_each_get_a_length_rule_verdict():
    """Every committed PM is compared with the length rule on its own pairs."""
    m = sanity.load()
    if m.empty:
        pytest.skip("no PM-sanity record committed yet")
    lines = sanity.verdicts(metrics=m).splitlines()
    assert len(lines) == m.model.nunique()
    for line in lines:
        assert 'Against the rule "the longer response wins" on the same pairs' in line
        assert "beats" in line or "ties with" in line or "loses to" in line
