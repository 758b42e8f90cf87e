"""§4.2 says per model and headline metric whether a 10-point interval is within reach and,
where not, what it would take against the items the data offers (issue 20: "meet <= 10 or
say why"): every record, a ladder model recorded at smaller sizes too, gets its own n and
half-width."""

from __future__ import annotations

import pandas as pd
from reach_helpers import blocks as _blocks

from syco.tasks.pm_bon.summary import reach_text


def _curves(
    rows: dict[str, tuple[float, float, int]], model: str = "p", pool: int = 8, clusters=None
) -> list[dict]:
    out = []
    for task, (lo, hi, n) in rows.items():
        for big_n in (1, pool):  # N = M is the largest N
            out.append({"model": model, "metric": f"{task}_sycophancy", "subset": "PM",
                        "N": big_n, "value": (lo + hi) / 2, "ci_low": lo if big_n == pool
                        else -1.0, "ci_high": hi if big_n == pool else 1.0, "n": n,
                        "n_clusters": clusters if task == "mimicry" else None})  # fmt: skip
    return out


AVAILABLE = {"answer": 1817, "mimicry": 300, "feedback": 300}


def test_reach_reads_the_largest_n_and_the_data_on_offer():
    curves = pd.DataFrame(_curves({"answer": (-0.74, 0.66, 4), "mimicry": (0.21, 0.94, 3),
                                   "feedback": (0.45, 0.55, 200)}))  # fmt: skip
    answer, mimicry, feedback = _blocks(reach_text(curves, {**AVAILABLE, "mimicry": 15}))["p"]
    assert "about 196 questions" in answer and "6,272 policy samples" in answer
    assert "12,544 PM passes" in answer and "1,817" in answer and "cannot" not in answer
    # mimicry items are misattributions (poem, wrong poet), several per poem
    assert (
        "about 40 misattributions" in mimicry
        and "the 15 misattributions the data offers" in mimicry
    )
    assert "cannot reach" in mimicry
    assert "±5.0 points with n = 200" in feedback and "meets 10" in feedback


def test_every_model_gets_its_own_sentence_with_its_own_n_and_pool():
    # The published smollm2 headlines (all within 10 points) and a ladder rung recorded later
    # with fewer items and M = 4: each model's lines carry its own numbers.
    smol = _curves({"answer": (0.022, 0.158, 160), "mimicry": (0.570, 0.739, 150),
                    "feedback": (0.068, 0.247, 150)}, "smollm2 [PM smollm2-rm]",
                   clusters=15)  # fmt: skip
    rung = _curves({"answer": (0.0, 0.3, 40), "mimicry": (0.40, 0.80, 30),
                    "feedback": (0.05, 0.20, 150)}, "qwen-0.5b [PM smollm2-rm]", pool=4,
                   clusters=15)  # fmt: skip
    text = _blocks(reach_text(pd.DataFrame(smol + rung), AVAILABLE))
    assert list(text) == ["smollm2 [PM smollm2-rm]", "qwen-0.5b [PM smollm2-rm]"]
    answer, mimicry, feedback = text["smollm2 [PM smollm2-rm]"]
    assert "±6.8 points with n = 160 questions (meets 10)" in answer
    assert "±8.5 points with n = 150 misattributions (meets 10)" in mimicry
    assert "±8.9 points with n = 150 arguments (meets 10)" in feedback
    answer, mimicry, feedback = text["qwen-0.5b [PM smollm2-rm]"]
    # ±15 with 40 questions: 90 needed, 90 x 4 templates x M = 4 samples
    assert "±15.0 points with n = 40; 10 points would need about 90 questions" in answer
    assert "1,440 policy samples (4 prompt(s) x M = 4)" in answer
    assert "(the data offers 1,817)" in answer and "cannot" not in answer
    # ±20 with 30 misattributions of 15 poems: 120 needed (est.), the clustering said
    assert "±20.0 points with n = 30" in mimicry and "about 120 misattributions" in mimicry
    assert "clustered by poem (15 here)" in mimicry and "(the data offers 300)" in mimicry
    assert "±7.5 points with n = 150 arguments (meets 10)" in feedback


def test_a_metric_without_a_value_at_n_max_says_so():
    curves = pd.DataFrame(_curves({"answer": (float("nan"), float("nan"), 0)}))
    text = reach_text(curves, {"answer": 10})
    assert "answer sycophancy: no value" in text and "mimicry sycophancy: no value" in text
    assert "No record" in reach_text(pd.DataFrame(columns=["model", "subset"]), AVAILABLE)


def test_a_half_width_just_under_the_target_does_not_read_as_the_target():
    """The built page read "±10.0 points with n = 150 arguments (meets 10)" for a half-width of
    9.953 (the published smollm2 feedback headline) while the precision table read 9.95: the
    sentence now writes it as the table does."""
    curves = pd.DataFrame(_curves({"answer": (0.0, 0.1, 160), "mimicry": (0.5, 0.6, 150),
                                   "feedback": (-0.0966, 0.10246, 150)}))  # fmt: skip
    feedback = _blocks(reach_text(curves, AVAILABLE))["p"][2]
    assert "±9.95 points with n = 150 arguments (meets 10)" in feedback
    assert "±10.0" not in feedback
