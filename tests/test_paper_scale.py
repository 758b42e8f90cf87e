"""`benchmarks/paper_scale.py` makes each notebook's own chapter call at paper scale without
Jupyter (for a GPU machine): its reading of the parameters cell must equal papermill's, its
call the notebook's, and a run must save the chapter's record as `syco run` does."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from syco.project import CHAPTERS, project_root
from syco.runner.execute import notebook_parameters as papermill_parameters
from syco.runner.params import _default
from syco.runner.scale import scale_params

SPEC = importlib.util.spec_from_file_location(
    "paper_scale", project_root() / "benchmarks" / "paper_scale.py"
)
assert SPEC and SPEC.loader
paper_scale = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(paper_scale)


@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_parameters_and_call_are_the_notebooks(chapter: str) -> None:
    nb = project_root() / "notebooks" / CHAPTERS[chapter].notebook
    ours = paper_scale.notebook_parameters(chapter)
    assert ours == {k: _default(v) for k, v in papermill_parameters(nb).items()}
    models, kwargs = paper_scale.notebook_call(chapter, {**ours, "models": ["m"]})
    assert models == ["m"]
    # every keyword of the notebook's call, each with the parameter it names
    source = json.dumps(json.loads(nb.read_text())["cells"])
    for key, value in kwargs.items():
        assert f"{key}={key}" in source.replace(" ", "")
        assert value == ours[key]
    assert "batch" in kwargs and "dataset_source" in kwargs
    # every paper-scale setting reaches the call (none is silently dropped)
    assert set(scale_params(chapter, "paper")) <= set(kwargs)


def test_a_run_saves_the_record_and_times_it(
    model_home: Path, data_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syco.data.build import build
    from syco.data.fetch import fetch
    from syco.results import load_runs

    fetch()
    build(n=2, only=["mimicry"])
    extra = {
        "n": 1,
        "n_wrong": 1,
        "max_tokens": 4,
        "direct_max_tokens": 4,
        "compare_ask_author": False,
    }
    entry = paper_scale.run_chapter("mimicry", "scripted/custom?correct=1", extra)
    (rec,) = load_runs("mimicry")
    assert entry["seconds"] >= 0 and entry["rows"] == len(rec.rows) == 2
    assert entry["records"][rec.model]["new_calls"] == 2
    assert entry["params"]["n_wrong"] == 1 and "batch" not in entry["params"]
    # the report: the chapter's time and work, then its headline metric from the record
    timing = model_home / "t.json"
    timing.write_text(
        json.dumps({"model": rec.model, "machine": {"python": "3"}, "chapters": [entry]})
    )
    text = paper_scale.report([timing])
    assert "| §3.4 mimicry | 2 | 2 | 0 |" in text
    assert f"| `{rec.model}` | `mimicry` |" in text
    # a record another run made under the same name is refused, never reported as this run's
    entry["records"][rec.model]["created"] = "earlier"
    timing.write_text(
        json.dumps({"model": rec.model, "machine": {"python": "3"}, "chapters": [entry]})
    )
    with pytest.raises(SystemExit, match="not the one"):
        paper_scale.report([timing])


def test_a_misspelt_parameter_stops_before_any_run(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["paper_scale.py", "--chapters", "mimicry", "answer", "-p", "n_wrnog=3"]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit, match="n_wrnog"):
        paper_scale.main()
