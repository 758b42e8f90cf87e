"""§4.1 end to end: the chapter notebook with small sizes (proxy labeller), and the LLM
labeller path against the embedded model (mostly unparsed JSON: counted, never a crash)."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from syco.project import chapter
from syco.results import load_runs
from syco.runner import run_chapter


@pytest.mark.slow
def test_notebook_runs_with_proxy_labeller(model_home, data_mirror, tmp_path):
    params = {"n_pairs": 300, "num_warmup": 80, "num_samples": 80, "sensitivity_samples": 50}
    out = run_chapter(chapter("preference_data"), params, output_dir=tmp_path, progress=False)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    # Fig. 5, the sensitivity figure and the PM-vs-humans figure are glued (each shown once,
    # by the page's {glue:figure}); none is also displayed under its cell.
    images = [k for o in outputs for k in o.get("data", {}) if k.endswith("image/png")]
    glued_images = [k for k in images if k.startswith("application/papermill.record/")]
    assert len(glued_images) == 3 and len(images) == len(glued_images), images
    glued = {o.get("metadata", {}).get("scrapbook", {}).get("name") for o in outputs}
    prose = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    referenced = set(re.findall(r"\{glue:text\}`([A-Za-z0-9_]+)", prose))
    assert referenced and referenced <= glued, referenced - glued
    (run,) = load_runs("preference_data")
    assert run.model == "proxy" and run.spec["n_pairs_labelled"] == 300
    assert run.spec["n_train"] + run.spec["n_holdout"] == 300
    metrics = {(m["metric"], m["subset"]) for m in run.metrics}
    assert ("holdout_accuracy", "bayes_laplace") in metrics
    assert ("holdout_accuracy", "logit_mle") in metrics
    assert {m.get("split") for m in run.metrics if m["metric"] == "p_preferred_loso"} == set(
        range(6)
    )
    assert json.dumps(run.rows[0])  # rows are JSON-serialisable and carry the order flip
    assert {r["y"] for r in run.rows} == {0, 1}


@pytest.mark.slow
def test_llm_labeller_with_embedded_model_counts_unparsed(model_home, data_mirror):
    from syco.tasks.preference_data import run

    (rec,) = run("smollm2", n_pairs_llm=3, max_tokens=16, max_prompt_chars=500, sensitivity=False)
    lab = rec.spec["labelling"]
    parsed = sum(r["parsed"] for r in rec.rows)
    assert len(rec.rows) == 3
    assert parsed + lab["n_unparsed"] + lab["n_errors"] == 3
    assert all(r["transcript"][-1]["role"] == "assistant" for r in rec.rows)
    frac = next(m for m in rec.metrics if m["metric"] == "labelled_fraction")
    assert frac["n_unparsed"] == lab["n_unparsed"] and frac["value"] == parsed / 3
    # 3 pairs are far too few to fit: the run says so instead of inventing a posterior
    assert "skipped" in rec.spec["fit"]
    assert any(m["metric"] == "holdout_accuracy" and m["n"] == 0 for m in rec.metrics)
