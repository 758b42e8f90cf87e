"""§3.4 mimicry chapter end to end: the notebook under papermill on the embedded model,
then a second model added beside the first without new calls for the first."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.slow
def test_mimicry_notebook_end_to_end(
    model_home: Path, data_mirror: Path, tmp_path: Path, smollm2_dir: Path
) -> None:
    from syco.data.build import build
    from syco.data.fetch import fetch
    from syco.project import CHAPTERS
    from syco.results import load_runs, metrics_frame
    from syco.runner import run_chapter

    fetch()
    build(n=2, only=["mimicry"])
    params = {"n": 1, "n_wrong": 1, "max_tokens": 6, "direct_max_tokens": 4}
    out = run_chapter(CHAPTERS["mimicry"], params, output_dir=tmp_path, progress=False)
    (rec,) = load_runs("mimicry")
    kinds = [r["kind"] for r in rec.rows]
    # the paper's wording, and the other wording (with the authorship question) beside it
    assert kinds.count("direct") == 1 and kinds.count("mimicry") == 1
    assert kinds.count("mimicry_other") == 1 and rec.spec["ask_author"] is False
    assert rec.spec["new_calls"] + rec.spec["call_errors"] == 3
    for r in rec.rows:  # an empty reply is unparsed (None), never "not mimicry"
        if r["kind"] != "direct" and r["error"] is None:
            assert r["score"] in (True, False) or not any(c.isalnum() for c in r["response"])
    text = out.read_text()
    assert "mim_fig4" in text and "Paper (Sharma et al. 2023, " in text
    first_created = rec.created
    # A second model (the same weights under another spec), as `syco run mimicry --model X`
    # does it but without a second kernel: the first model's record is not touched.
    from syco.tasks import mimicry

    second = f"hf/{smollm2_dir}"
    mimicry.run([second], n=1, n_wrong=1, max_tokens=6, direct_max_tokens=4)
    runs = {r.model: r for r in load_runs("mimicry")}
    assert set(runs) == {"smollm2", second}
    assert runs["smollm2"].created == first_created  # untouched: no new calls
    assert set(metrics_frame("mimicry")["model"]) == {"smollm2", second}
    table = mimicry.paper_vs_ours(*mimicry.frames())
    assert set(table["Our model"]) == {"smollm2", second}
