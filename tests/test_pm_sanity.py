"""PM sanity (issue 10): held-out accuracy of a PM, the length rule and position bias on
known answers, scripted stub models, no real model."""

from __future__ import annotations

import pandas as pd
import pytest
from test_pm_model import StubLM

from syco.cache import Cache
from syco.models import REWARD, ModelAPI
from syco.models.model import Model
from syco.pm import PreferenceModel, sanity

CTX = [{"role": "user", "content": "How do I boil an egg?"}]
PAIRS = [
    {"pair_id": f"helpful-base:{i}", "split": "helpful-base" if i % 2 else "helpful-online",
     "context": CTX, "chosen": c, "rejected": r}
    for i, (c, r) in enumerate([
        ("Put it in boiling water for 8 minutes.", "Boil."),
        ("No.", "Put it in boiling water for 8 minutes, then cool it."),
        ("Use a pan of water; 7-9 minutes.", "Eggs."),
        ("Same", "Same"),
    ])
]  # fmt: skip


class LengthRM(ModelAPI):
    """A reward model that rewards length: its accuracy must equal the length rule's."""

    backend = "stub"
    local = True

    @property
    def capabilities(self):
        return frozenset({REWARD})

    def reward_batch(self, chats):
        return [float(len(c[-1]["content"])) for c in chats]


def test_reward_pm_accuracy_equals_the_length_rule_for_a_length_rm(tmp_path):
    pm = PreferenceModel(Model("stub", LengthRM("stub"), cache=Cache(tmp_path / "c.sqlite")))
    rows = sanity._base_rows(PAIRS)
    sanity.score_pairs(pm, PAIRS, rows)
    assert [r["correct"] for r in rows] == [r["length_rule"] for r in rows] == [1, 0, 1, 0.5]
    m = {(x["metric"], x["subset"]): x for x in sanity.accuracy_rows(rows, "acc", "correct")}
    assert m[("acc", "all")]["value"] == 2.5 / 4 and m[("acc", "all")]["n"] == 4
    assert m[("acc", "helpful-base")]["value"] == 0.25  # pairs 1 and 3: wrong and a tie
    assert m[("acc", "helpful-online")]["value"] == 1.0
    assert m[("acc", "all")]["ci_low"] < 0.5 < m[("acc", "all")]["ci_high"]


def test_position_bias_of_an_always_a_pm(tmp_path):
    """`StubLM` says A with P = 0.8 in pairwise mode and ties every pair here in score mode."""
    pm = PreferenceModel(Model("stub", StubLM("s"), cache=Cache(tmp_path / "c.sqlite")))
    rows = sanity._base_rows(PAIRS)
    sanity.score_pairs(pm, PAIRS, rows, n_ab=3)
    assert [r["correct"] for r in rows] == [0.5] * 4  # equal absolute scores: ties
    assert [r["pair_first"] for r in rows[:3]] == [1.0] * 3  # picks A = chosen when first
    assert [r["pair_second"] for r in rows[:3]] == [0.0] * 3  # picks A = rejected
    assert [r["pair_correct"] for r in rows[:3]] == [0.5] * 3  # both orders cancel
    assert "pair_first" not in rows[3]
    pos = {x["metric"]: x for x in sanity.position_rows(rows)}
    assert pos["ab_swap_agreement"]["value"] == 0.0 and pos["ab_swap_agreement"]["n"] == 3
    assert pos["picks_position_a"]["value"] == 1.0


def test_trim_context_keeps_the_latest_turns():
    ctx = [{"role": "user", "content": "a" * 50}, {"role": "assistant", "content": "b" * 30},
           {"role": "user", "content": "c" * 20}]  # fmt: skip
    assert sanity.trim_context(ctx, 1000) == ctx
    assert [m["content"] for m in sanity.trim_context(ctx, 50)] == ["b" * 30, "c" * 20]
    got = sanity.trim_context(ctx, 60)
    assert got[0]["content"] == "…" + "a" * 10 and got[1:] == ctx[1:]
    assert sanity.trim_context(ctx, 5) == [{"role": "user", "content": "…ccccc"}]


@pytest.mark.parametrize(
    ("lo", "hi", "says"),
    [(0.52, 0.61, "better than chance"), (0.38, 0.55, "indistinguishable from chance"),
     (0.30, 0.45, "worse than chance")],
)  # fmt: skip
def test_verdict_says_whether_the_pm_is_distinguishable_from_chance(lo, hi, says):
    m = pd.DataFrame([{"model": "x", "metric": "heldout_accuracy", "subset": "all",
                       "value": (lo + hi) / 2, "ci_low": lo, "ci_high": hi, "n": 100}])  # fmt: skip
    assert says in sanity.verdict("x", m)
    assert "no held-out accuracy on record" in sanity.verdict("other", m)


def test_committed_records_are_shown(tmp_path):
    """The pages read the committed records: every PM there has an overall accuracy."""
    m = sanity.load()
    if m.empty:
        pytest.skip("no PM-sanity record committed yet")
    for model in m.model.unique():
        sel = m[(m.model == model) & (m.metric == "heldout_accuracy") & (m.subset == "all")]
        assert len(sel) == 1 and sel.n.iloc[0] > 0
    t = sanity.table(m)
    assert "chance (coin flip)" in set(t.scorer) and "longer response wins" in set(t.scorer)
    from syco.book.pages import pm_sanity_page

    assert pm_sanity_page().count("|") > 10
