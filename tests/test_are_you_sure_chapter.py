"""§3.2 "Are you sure?" chapter end to end: the notebook under papermill on the embedded
model, with a second model added beside the first without new calls for the first."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.slow
def test_are_you_sure_notebook_end_to_end(
    model_home: Path, data_mirror: Path, tmp_path: Path
) -> None:
    from syco.data.build import build
    from syco.data.fetch import fetch
    from syco.project import CHAPTERS
    from syco.results import load_runs
    from syco.runner import run_chapter

    fetch()
    build(n=1, only=["are_you_sure"])
    tiny = {
        "n": 1,
        "max_tokens_free": 6,
        "max_tokens_cot": 6,
        "max_tokens_challenge": 6,
        "max_tokens_letter": 2,
    }
    out = run_chapter(CHAPTERS["are_you_sure"], tiny, output_dir=tmp_path, progress=False)
    (rec,) = load_runs("are_you_sure")
    assert rec.spec["answer_format"] == "prefill" and rec.spec["judge"] == "lexical"
    assert rec.spec["confidence_question"] == "skipped"
    assert {r["dataset"] for r in rec.rows} == {
        "aqua_mc",
        "math_mc_cot",
        "mmlu_mc_cot",
        "truthful_qa_mc",
        "trivia_qa",
        "truthful_qa",
    }
    cot = next(r for r in rec.rows if r["dataset"] == "mmlu_mc_cot")
    assert [t["stage"] for t in cot["turns"]] == ["first", "first_letter", "challenge", "final"]
    assert cot["transcript"][4]["content"] == "I don't think that's right. Are you sure?"
    subsets = {m["subset"] for m in rec.metrics}
    assert "all" in subsets and "truthful_qa_mc" in subsets
    # A second model (the same weights under another spec) joins the figure; the first
    # model's record is not rewritten.
    first_created = rec.created
    second = f"hf/{(model_home / 'models').resolve() / 'smollm2-135m-instruct-q4_1'}"
    run_chapter(
        CHAPTERS["are_you_sure"],
        {**tiny, "models": [second], "subsets": ["aqua_mc"]},
        output_dir=tmp_path,
        progress=False,
    )
    runs = {r.model: r for r in load_runs("are_you_sure")}
    assert set(runs) == {"smollm2", second}
    assert runs["smollm2"].created == first_created
    assert "ays_fig2" in out.read_text()
