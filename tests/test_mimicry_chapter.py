"""§3.4 mimicry chapter end to end: the notebook under papermill on the embedded model,
then a second model added beside the first without new calls for the first."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _max_tokens_is_not_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's secret filter flags any name containing "token", `max_tokens` included
    (reported; remove this once syco.runner.execute.SECRET_NAME spares max_tokens)."""
    import re

    from syco.runner import execute

    if execute.SECRET_NAME.search("max_tokens"):
        monkeypatch.setattr(
            execute,
            "SECRET_NAME",
            re.compile(r"(api[_-]?key|(?<!max_)tokens?\b|secret|password)", re.I),
        )


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
    params = {"n": 1, "n_wrong": 2, "max_tokens": 8, "direct_max_tokens": 6}
    out = run_chapter(CHAPTERS["mimicry"], params, output_dir=tmp_path, progress=False)
    (rec,) = load_runs("mimicry")
    kinds = [r["kind"] for r in rec.rows]
    assert kinds.count("direct") == 1 and kinds.count("mimicry") == 2
    assert rec.spec["new_calls"] + rec.spec["generation_errors"] == 3
    assert all(r["score"] in (True, False) for r in rec.rows if r["kind"] == "mimicry")
    text = out.read_text()
    assert "mim_fig4" in text and "Paper (reported)" in text
    first_created = rec.created
    # A second model (the same weights under another spec): the first is not rerun.
    second = f"hf/{smollm2_dir}"
    run_chapter(
        CHAPTERS["mimicry"], {**params, "models": [second]}, output_dir=tmp_path, progress=False
    )
    runs = {r.model: r for r in load_runs("mimicry")}
    assert set(runs) == {"smollm2", second}
    assert runs["smollm2"].created == first_created  # untouched: no new calls
    assert set(metrics_frame("mimicry")["model"]) == {"smollm2", second}
