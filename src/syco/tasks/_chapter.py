"""The one chapter contract (docs/CHAPTERS.md): what every `syco.tasks.<name>` exposes and
the envelope every run record shares, written once.

A chapter package exposes

- ``CHAPTER`` (its name in `syco.project.CHAPTERS`) and ``VERSION`` (a string);
- ``run_one(model, *, dataset_source=..., seed=..., **settings) -> RunRecord``: one model's
  run, unsaved;
- ``run(models, *, dataset_source=..., seed=..., **settings) -> list[RunRecord]``: every
  model through ``run_one``, each record saved (`run_all`) as soon as it is done.

``run_one`` opens a `RunEnvelope` before its first call and closes it with the rows and
metrics; the envelope adds what every record says the same way: chapter version and paper
section, data source and the loader's checksum (`syco.data.checksum`), the calls of every
model the run used (new, cached, errors, tokens; per model, with the roles it played, and in
total), and seconds.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from syco import keyfile
from syco.data import checksum
from syco.models.ladder import LADDER, ladder_mode, prepared
from syco.models.registry import batching, loaded_models
from syco.project import CHAPTERS, project_root
from syco.results import RunRecord, run_and_save

# Keys every record's spec has (checked by tests/test_chapter_contract.py).
ENVELOPE_KEYS = (
    "chapter_version",
    "paper_section",
    "data_source",
    "data_checksum",
    "calls",
    "new_calls",
    "cache_hits",
    "call_errors",
    "tokens_in_new",
    "tokens_out_new",
    "seconds",
)
COUNTERS = ("new_calls", "cache_hits", "call_errors", "tokens_in_new", "tokens_out_new")


def record_name(model: str, pm: str | None = None) -> str:
    """A record's model name: the model, or for a (policy, PM) run both."""
    return model if pm is None else f"{model} [PM {pm}]"


def _model_of(role_spec: str | None) -> str | None:
    """The model spec a role's spec names ("logprob:SPEC" -> SPEC); rules name none."""
    return role_spec.removeprefix("logprob:") if role_spec else None


class RunEnvelope:
    """Times one model's run and wraps its rows and metrics into the chapter's record.

    ``data_sets``: the sets the loader read (their checksums go into the record); ``roles``:
    every role's spec (a model spec, ``logprob:SPEC``, an offline rule or None), so the
    record can say which roles each model's calls served."""

    def __init__(
        self,
        chapter: str,
        version: str,
        dataset_source: str,
        data_sets: Sequence[str],
        **roles: str | None,
    ):
        self.chapter = chapter
        self.version = version
        self.dataset_source = dataset_source
        self.data_sets = tuple(data_sets)
        self.roles = dict(roles)
        self.start = time.perf_counter()
        # Models are shared within a process (`get_model` is memoised): count differences.
        self.before = {id(m): m.stats.copy() for m in loaded_models()}

    def calls(self) -> dict[str, dict[str, Any]]:
        """Per model spec: the roles it served and what it did during this run."""
        out: dict[str, dict[str, Any]] = {}
        for m in loaded_models():
            before = self.before.get(id(m))
            d = m.stats.since(before) if before else m.stats.copy()
            counts = d.summary()
            roles = [r for r, s in self.roles.items() if _model_of(s) == m.spec]
            if not roles and not any(counts.values()):
                continue
            entry = out.setdefault(m.spec, {"roles": roles, **dict.fromkeys(COUNTERS, 0)})
            for k in COUNTERS:
                entry[k] += counts[k]
        return out

    def record(
        self,
        model: str,
        *,
        settings: Mapping[str, Any],
        rows: list[dict[str, Any]],
        metrics: list[dict[str, Any]],
    ) -> RunRecord:
        calls = self.calls()
        spec: dict[str, Any] = {
            "chapter_version": self.version,
            "paper_section": CHAPTERS[self.chapter].section,
            **settings,
            "data_source": self.dataset_source,
            "data_checksum": {s: checksum(s, self.dataset_source) for s in self.data_sets},
            "calls": calls,
            **{k: sum(c[k] for c in calls.values()) for k in COUNTERS},
            "seconds": round(time.perf_counter() - self.start, 1),
        }
        return RunRecord(chapter=self.chapter, model=model, spec=spec, rows=rows, metrics=metrics)


def run_all(
    run_one: Callable[..., RunRecord],
    models: Sequence[str],
    *,
    batch: bool = False,
    **settings: Any,
) -> list[RunRecord]:
    """Every model through ``run_one``, each record saved as soon as it is done.

    ``batch`` (every chapter's parameter) sends API models' uncached requests as provider
    batches, as `syco run --batch` does; the answers and records are the same either way, so
    it is no setting of the record. One spec given as a plain string is one model, never a
    list of one-letter specs."""
    models = [models] if isinstance(models, str) else list(models)
    models = runnable_models(_chapter_of(run_one), models, settings)
    with batching(batch):
        return run_and_save(run_one, models, **settings)


def _chapter_of(run_one: Callable[..., Any]) -> str | None:
    """The chapter whose ``run_one`` this is (its package's ``CHAPTER``)."""
    parts = (run_one.__module__ or "").split(".")
    if len(parts) < 3 or parts[:2] != ["syco", "tasks"]:
        return None
    return getattr(importlib.import_module(".".join(parts[:3])), "CHAPTER", None)


def runnable_models(
    chapter: str | None, models: list[str], settings: dict[str, Any] | None = None
) -> list[str]:
    """The models a run can take on here. A ladder model (`syco.models.ladder`) that would
    have to be downloaded and prepared to answer is left out, with a line saying so, unless
    ``SYCO_LADDER=live``: in ``replay`` mode (what `make book` sets) it runs only where the
    published key holds this chapter's recording made with the run's ``settings`` (other
    settings ask for prompts the key does not hold: every call would fail); in the default
    mode also where it is already prepared on this machine."""
    mode = ladder_mode()
    if mode == "live" or chapter is None:
        return models
    keep = []
    for spec in models:
        base = spec.strip()
        if base not in LADDER:
            keep.append(spec)
            continue
        if mode == "auto" and prepared(base):
            keep.append(spec)
            continue
        recorded = keyfile.recorded_parameters(project_root(), chapter, base)
        differ = keyfile.parameter_mismatch(recorded or {}, settings or {})
        if recorded is not None and not differ:
            keep.append(spec)
        elif recorded is not None:
            asked = ", ".join(f"{k}={a!r} (recorded {r!r})" for k, (r, a) in differ.items())
            print(
                f"{base}: not run here: its published {chapter} recording was made with other "
                f"settings ({asked}) and the model is not prepared here (SYCO_LADDER=live "
                "prepares and runs it)"
            )
        else:
            why = (
                "SYCO_LADDER=replay answers from the published key only"
                if mode == "replay"
                else f"the model is not prepared here (`syco prepare-model {base}`)"
            )
            print(
                f"{base}: not run here: the published answer key has no {chapter} recording "
                f"and {why} (SYCO_LADDER=live prepares and runs it)"
            )
    return keep
