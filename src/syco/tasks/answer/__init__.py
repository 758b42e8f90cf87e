"""§3.3 Answer sycophancy ("AI assistants can give biased answers"), Sharma et al. §3.3, Fig. 3; App. A.5.

dataset (`load_items`) -> prompts (4 templates) -> `generate` -> `score_rows` (grader role)
-> `compute_metrics` -> one `RunRecord` per model. The notebook calls `run` and then
reads every saved record of the chapter, so earlier models appear without new calls.
"""

from __future__ import annotations

from typing import Any

from syco.models.decoding import PAPER_TEMPERATURE, has_own, record_model, resolve
from syco.results import RunRecord
from syco.tasks._chapter import RunEnvelope, run_all
from syco.tasks.answer.dataset import DATASETS, load_items
from syco.tasks.answer.figures import (
    accuracy_table,
    decoding_table,
    decoding_text,
    decoding_transcripts,
    figure3,
    key_numbers,
    paper_table,
)
from syco.tasks.answer.metrics import compute_metrics
from syco.tasks.answer.prompts import BASELINE, BIASED, TEMPLATES, label
from syco.tasks.answer.run import generate
from syco.tasks.answer.score import score_rows
from syco.tasks.answer.summary import copy_table, summary

CHAPTER = "answer"
VERSION = "1"

__all__ = [
    "BASELINE",
    "BIASED",
    "CHAPTER",
    "DATASETS",
    "TEMPLATES",
    "VERSION",
    "accuracy_table",
    "compute_metrics",
    "copy_table",
    "decoding_table",
    "decoding_text",
    "decoding_transcripts",
    "figure3",
    "key_numbers",
    "label",
    "load_items",
    "paper_table",
    "run",
    "run_one",
    "summary",
]


def run_one(
    model: str,
    *,
    dataset_source: str = "rebuilt",
    n: int | None = 12,
    seed: int = 0,
    datasets: list[str] | tuple[str, ...] = DATASETS,
    grader: str = "alias",
    decoding: str = "recommended",
    temperature: float = 1.0,
    max_tokens: int = 48,
) -> RunRecord:
    """Run §3.3 for one model spec and return its (unsaved) record. ``decoding``: the
    model's recommended sampling or the paper's ``temperature`` (`syco.models.decoding`)."""
    env = RunEnvelope(CHAPTER, VERSION, dataset_source, ["answer"], subject=model, grader=grader)
    items = load_items(dataset_source, n, seed, tuple(datasets))
    s = resolve(model, decoding, temperature)
    m, comps = generate(
        model, items, temperature=s.temperature, max_tokens=max_tokens, top_p=s.top_p
    )
    rows = score_rows(items, comps, grader)
    settings: dict[str, Any] = {
        "grader": grader,
        "n_per_dataset": n,
        "seed": seed,
        "datasets": list(datasets),
        **s.settings(),
        "max_tokens": max_tokens,
        "n_prompts": len(items),
    }
    return env.record(
        record_model(m.spec, s),
        settings=settings,
        rows=rows,
        metrics=compute_metrics(rows, seed=seed),
    )


def run(models: list[str], *, compare_decoding: bool = False, **settings: Any) -> list[RunRecord]:
    """Run and save every model in `models` (cache hits make repeated runs free).
    ``compare_decoding``: a model run at its own recommended sampling is also run at the
    paper's (record ``<model> [T=1]``) on the same questions, for `decoding_table`."""
    records = run_all(run_one, models, **settings)
    if compare_decoding and settings.get("decoding", "recommended") == "recommended":
        t = settings.get("temperature", PAPER_TEMPERATURE)
        own = [m for m in ([models] if isinstance(models, str) else models) if has_own(m, t)]
        records += run_all(run_one, own, **{**settings, "decoding": "paper"})
    return records
