"""§4.3 misconceptions chapter end to end: the notebook under papermill on the embedded
model (policy, difficulty model; the trained PM `smollm2-rm` with its PM-sanity section and
the prefix-effect table), then the `hf/` reward-model PM path."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.slow
def test_misconceptions_notebook_end_to_end(
    model_home: Path, data_mirror: Path, tmp_path: Path, smollm2_dir: Path, monkeypatch
) -> None:
    import pandas as pd
    from test_pm_model import _tiny_rm

    from syco.data.build import build
    from syco.data.fetch import fetch
    from syco.project import CHAPTERS
    from syco.results import load_runs
    from syco.runner import run_chapter
    from syco.tasks import misconceptions as mc

    fetch()
    build(n=3, only=["misconceptions"])
    sheet_dir = tmp_path / "generated"
    ratings = tmp_path / "ratings.csv"
    params = {"n": 2, "pool_size": 2, "max_tokens": 8, "classroom_dir": str(sheet_dir)}
    out = run_chapter(CHAPTERS["misconceptions"], params, output_dir=tmp_path, progress=False)
    (rec,) = load_runs("misconceptions")
    kinds = pd.Series([r["kind"] for r in rec.rows]).value_counts().to_dict()
    assert kinds == {"baseline_truthful": 8, "helpful_truthful": 2, "sycophantic": 4}
    assert all(it["p_true"] is not None and 1 <= it["level"] <= 8 for it in rec.spec["items"])
    subsets = {m["subset"] for m in rec.metrics if m["metric"] == "bon_sycophantic"}
    assert subsets == {"PM", "non-syc PM", "oracle", "random PM"}
    sheet = pd.read_csv(sheet_dir / "classroom_sheet.csv")
    assert len(sheet) == 2 and (sheet_dir / "classroom_sheet.html").exists()
    text = out.read_text()
    assert "no class ratings yet" in text  # the table's placeholder before any ratings
    assert "mc_fig7a" in text and "mc_fig7cd" in text and "Paper (Sharma et al. 2023, " in text
    assert "held-out hh-rlhf pairs" in text and "prefix effect (non-syc minus PM)" in text

    # A synthetic class's ratings: the rerun (all cached: no call) plots Fig. 7b.
    from syco.book.build import count_calls

    log = tmp_path / "calls.log"
    monkeypatch.setenv("SYCO_CALL_LOG", str(log))  # the kernel's model wrapper counts here
    sheet.assign(rater="s1", preferred=1).to_csv(ratings, index=False)
    run_chapter(
        CHAPTERS["misconceptions"],
        {**params, "classroom_ratings": str(ratings)},
        output_dir=tmp_path,
        progress=False,
    )
    import nbformat

    outputs = [o for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", [])]
    streams = " ".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # every number the prose names is glued by the run (a missing one renders as an error)
    import re

    glued = {o.get("metadata", {}).get("scrapbook", {}).get("name") for o in outputs}
    cells = nbformat.read(out, as_version=4).cells
    prose = " ".join(c.source for c in cells if c.cell_type == "markdown")
    assert set(re.findall(r"\{glue:text\}`(\w+)", prose)) <= glued
    assert "No class ratings yet" not in streams  # Fig. 7b was drawn from the ratings
    assert "no class ratings yet" not in out.read_text()
    assert count_calls(log) == 0
    monkeypatch.delenv("SYCO_CALL_LOG")

    rm = _tiny_rm(tmp_path / "rm", smollm2_dir, "gpt2")
    (rec2,) = mc.run(["smollm2"], pm=f"hf/{rm}", n=2, pool_size=2, max_tokens=8)
    assert rec2.spec["pm"]["kind"] == "reward"
    assert all(r["pm_score"].get("PM") is not None for r in rec2.rows)
