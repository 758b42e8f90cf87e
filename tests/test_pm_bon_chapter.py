"""§4.2 pm_bon chapter end to end: the notebook under papermill on the embedded model
(policy; the trained PM `smollm2-rm`, with its PM-sanity section), then the same pools scored
by a tiny random `hf/` reward model."""

from __future__ import annotations

from pathlib import Path

import pytest

PARAMS = {"n_answer": 1, "n_mimicry": 1, "mimicry_wrong": 2, "n_feedback": 1, "pool_size": 2,
          "max_tokens": 8}  # fmt: skip


def build_sets(names: list[str]) -> None:
    from syco.data.build import build
    from syco.data.fetch import fetch

    fetch()
    build(n=2, only=names)


@pytest.mark.slow
def test_pm_bon_notebook_end_to_end(
    model_home: Path, data_mirror: Path, tmp_path: Path, smollm2_dir: Path
) -> None:
    from test_pm_model import _tiny_rm

    from syco.project import CHAPTERS
    from syco.results import load_runs
    from syco.runner import run_chapter
    from syco.tasks import pm_bon

    build_sets(["answer", "mimicry", "feedback"])
    out = run_chapter(CHAPTERS["pm_bon"], PARAMS, output_dir=tmp_path, progress=False)
    (rec,) = load_runs("pm_bon")
    assert rec.model == "smollm2 [PM smollm2-rm]"  # the trained PM is the default
    # §3.3's answer prompts: 1 question x 2 data sets x 4 templates; 1 poem; 1 text x 3 framings
    assert len(rec.rows) == (1 * 2 * 4 + 1 * 2 + 3) * 2  # prompts (2 wrong poets) x pool
    curves = [m for m in rec.metrics if m["metric"] != "truncated"]
    assert {m["N"] for m in curves} == {1, 2}
    cut = {m["subset"]: m for m in rec.metrics if m["metric"] == "truncated"}
    assert cut["all"]["n"] + cut["all"]["n_errors"] == len(rec.rows)  # every sample counted
    got = {(m["metric"], m["subset"]) for m in rec.metrics}
    for metric in ("answer_sycophancy", "mimicry_sycophancy", "feedback_sycophancy"):
        assert {(metric, "PM"), (metric, "non-syc PM")} <= got
    # N=1 is the pool average whatever the PM: both PMs agree there.
    n1 = {(m["metric"], m["subset"]): m["value"] for m in curves if m["N"] == 1}
    assert n1[("mimicry_sycophancy", "PM")] == n1[("mimicry_sycophancy", "non-syc PM")]
    text = out.read_text()
    assert "pm_bon_fig6a" in text and "Paper (Sharma et al. 2023, " in text
    assert "held-out hh-rlhf pairs" in text  # the PM-sanity verdict on the trained PM

    # The reward-model path: same pools (cache hits), scores from a tiny random RM.
    rm = _tiny_rm(tmp_path / "rm", smollm2_dir, "llama")
    (rec2,) = pm_bon.run(["smollm2"], pm=f"hf/{rm}", **PARAMS)
    assert rec2.spec["calls"]["smollm2"] == {
        "roles": ["policy"], "new_calls": 0, "cache_hits": 26, "call_errors": 0,
        "tokens_in_new": 0, "tokens_out_new": 0,
    }  # fmt: skip
    assert rec2.spec["pm"]["kind"] == "reward"
    scores = [r["pm_score"] for r in rec2.rows]
    assert all(s["PM"] is not None for s in scores)
    assert any(s["PM"] != s["non-syc PM"] for s in scores)  # the prefix changes RM scores
    assert len(load_runs("pm_bon")) == 2  # both (policy, PM) runs are kept
