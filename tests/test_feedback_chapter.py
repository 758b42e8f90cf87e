"""§3.1 feedback chapter end to end: the notebook under papermill on the embedded model."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.slow
def test_feedback_notebook_end_to_end(
    model_home: Path, data_mirror: Path, tmp_path: Path, monkeypatch
) -> None:
    from syco.data.build import build
    from syco.data.fetch import fetch
    from syco.project import CHAPTERS
    from syco.results import load_runs
    from syco.runner import run_chapter

    fetch()
    build(n=2, only=["feedback"])
    params = {"n": 1, "max_tokens": 8, "domains": ["arguments", "poems"]}
    out = run_chapter(CHAPTERS["feedback"], params, output_dir=tmp_path, progress=False)
    (rec,) = load_runs("feedback")
    assert rec.model == "smollm2" and rec.spec["judge"] == "vader"
    assert len(rec.rows) == 10  # 1 text x 2 domains x 5 framings
    assert rec.spec["new_calls"] + rec.spec["call_errors"] == 10
    framed = [r for r in rec.rows if r["framing"] != "baseline"]
    assert all(r["score"] in (0.0, 0.5, 1.0) for r in framed if r["error"] is None)
    keys = {(m["metric"], m["subset"]) for m in rec.metrics}
    assert ("feedback_sycophancy", "all") in keys and ("positivity", "like/all") in keys
    text = out.read_text()
    assert "fb_fig1" in text and "Paper (Sharma et al. 2023, " in text
    # Rerunning makes no new calls (every feedback comes from the cache), and the record it
    # reproduces is left byte-identical (syco.results.store.save_run).
    from syco.book.build import count_calls
    from syco.results import run_path

    record = run_path("feedback", "smollm2")
    first = record.read_bytes()
    log = tmp_path / "calls.log"
    monkeypatch.setenv("SYCO_CALL_LOG", str(log))  # the kernel's model wrapper counts here
    run_chapter(CHAPTERS["feedback"], params, output_dir=tmp_path, progress=False)
    assert count_calls(log) == 0 and record.read_bytes() == first
