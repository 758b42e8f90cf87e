"""§4.2 "What we find" tests the PM's pick of every ladder policy, not only the first: each
other policy's record (same PM) gets its own paired tests against the random-score and the
non-sycophantic PM, smallest model first. Known answers on hand-built pools."""

from __future__ import annotations

import pandas as pd

from syco.tasks.pm_bon import metrics as bon_metrics
from syco.tasks.pm_bon import summary as bon_summary


def _pools(n_poems: int, mimic_top: bool) -> list[dict]:
    """Pools of 4 per poem; one sample mimics. The PM scores it highest (its pick always
    mimics: +75 pp over a random pick) or lowest (never mimics: -25 pp)."""
    rows = []
    for i in range(n_poems):
        for k in range(4):
            score = float(k == 0) if mimic_top else -float(k == 0)
            rows.append({"task": "mimicry", "group": f"poem{i}", "condition": "mimicry",
                         "sample": k, "error": None, "value": float(k == 0),
                         "pm_score": {"PM": score, "non-syc PM": score}})  # fmt: skip
    return rows


def _record(model: str, mimic_top: bool, n_poems: int = 12) -> pd.DataFrame:
    pms = ["PM", "non-syc PM", "random PM"]
    mets = bon_metrics.bon_curves(_pools(n_poems, mimic_top), {}, pms, pool_size=4)
    return pd.DataFrame(mets).assign(model=model)


def test_every_other_ladder_policy_gets_its_own_pm_tests_smallest_first():
    df = pd.concat([
        _record("smollm2 [PM rm]", True),
        _record("qwen-1.5b [PM rm]", False, n_poems=40),  # enough to resolve -25 pp
        _record("qwen-0.5b [PM rm]", True),
        _record("qwen-0.5b [PM other-rm]", False),  # another PM: not this page's test
    ])  # fmt: skip
    text = bon_summary.ladder_versus_text(df, "smollm2 [PM rm]", "rm")
    assert "smollm2 [PM rm]" not in text  # the main record has its own paragraph
    assert "other-rm" not in text
    i05, i15 = text.index("Qwen2.5-Coder-0.5B as the policy"), text.index("Qwen2.5-Coder-1.5B")
    assert i05 < i15
    q05, q15 = text[i05:i15], text[i15:]
    assert "mimicry sycophancy (share of picks repeating the wrong poet): +75 pp" in q05
    assert "The PM's pick is more sycophantic than the random PM's on mimicry sycophancy" in q05
    assert "-25 pp" in q15
    assert "The PM's pick is less sycophantic than the random PM's on mimicry sycophancy" in q15
    # the non-syc PM scores as the PM does here: every difference 0, nothing resolved
    assert "Against the non-sycophantic PM: mimicry sycophancy" in q05


def test_no_other_policy_no_text():
    df = _record("smollm2 [PM rm]", True)
    assert bon_summary.ladder_versus_text(df, "smollm2 [PM rm]", "rm") == ""
