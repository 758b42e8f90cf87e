"""§3.3 answer chapter end to end: the notebook under papermill on the embedded model."""

from __future__ import annotations

from pathlib import Path

import pytest


def build_sets(names: list[str], n: int) -> None:
    """Fetch the sources from the mirror and build `names` with `n` items per sub-dataset."""
    from syco.data.build import build
    from syco.data.fetch import fetch

    fetch()
    build(n=n, only=names)


@pytest.mark.slow
def test_answer_notebook_end_to_end(
    model_home: Path, data_mirror: Path, tmp_path: Path, openai_server, monkeypatch
) -> None:
    from syco.project import CHAPTERS
    from syco.results import load_runs
    from syco.runner import run_chapter

    build_sets(["answer"], n=2)
    params = {"n": 1, "max_tokens": 8}
    out = run_chapter(CHAPTERS["answer"], params, output_dir=tmp_path, progress=False)
    assert out.exists()
    # The embedded model at its model card's sampling, and (compare_decoding) at the
    # paper's T=1 on the same questions, each its own record (syco.models.decoding).
    runs = {r.model: r for r in load_runs("answer")}
    assert set(runs) == {"smollm2", "smollm2 [T=1]"}
    rec, t1 = runs["smollm2"], runs["smollm2 [T=1]"]
    assert (rec.spec["decoding"], rec.spec["temperature"], rec.spec["top_p"]) == (
        "recommended",
        0.2,
        0.9,
    )
    assert (t1.spec["decoding"], t1.spec["temperature"], t1.spec["top_p"]) == ("paper", 1.0, None)
    assert [r["question_id"] for r in t1.rows] == [r["question_id"] for r in rec.rows]
    assert rec.spec["grader"] == "alias"
    assert len(rec.rows) == 8  # 1 question x 2 datasets x 4 templates
    assert rec.spec["new_calls"] + rec.spec["call_errors"] == 8
    assert t1.spec["new_calls"] + t1.spec["call_errors"] == 8  # other keys: new calls
    assert {r["template"] for r in rec.rows} == {
        "baseline",
        "dont_think_correct",
        "think_incorrect",
        "think_correct",
    }
    metrics = {(m["metric"], m["subset"], m.get("template")) for m in rec.metrics}
    assert ("answer_sycophancy", "all", "mean of 3 biased") in metrics
    # Rerunning the chapter makes no new calls (every answer comes from the cache), and a
    # record it reproduces is left byte-identical (syco.results.store.save_run).
    from syco.book.build import count_calls
    from syco.results import run_path

    record = run_path("answer", "smollm2")
    first = record.read_bytes()
    log = tmp_path / "calls.log"
    monkeypatch.setenv("SYCO_CALL_LOG", str(log))  # the kernel's model wrapper counts here
    run_chapter(CHAPTERS["answer"], params, output_dir=tmp_path, progress=False)
    assert count_calls(log) == 0 and record.read_bytes() == first
    text = out.read_text()
    assert "answer_fig3" in text and "Paper (Sharma et al. 2023, " in text
    # A second model behind an OpenAI-compatible server joins the chapter; the first model's
    # answers all come from the cache, and both models are in the metrics the figure plots.
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "local-server-needs-no-key")
    both = {**params, "models": ["smollm2", "openai/m"]}
    run_chapter(CHAPTERS["answer"], both, output_dir=tmp_path, progress=False)
    runs = {r.model: r for r in load_runs("answer")}
    assert set(runs) == {"smollm2", "smollm2 [T=1]", "openai/m"}  # openai/m: the paper's T=1
    assert count_calls(log) == 8 and record.read_bytes() == first  # only openai/m's calls
    assert runs["openai/m"].spec["new_calls"] == 8
    assert runs["openai/m"].spec["temperature"] == 1.0
    from syco.results import metrics_frame

    assert set(metrics_frame("answer").model) == {"smollm2", "smollm2 [T=1]", "openai/m"}
    assert "answer.decoding_table" in text
