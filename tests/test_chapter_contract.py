"""Every chapter in `syco.project.CHAPTERS` honours the one chapter contract
(`syco.tasks._chapter`, docs/CHAPTERS.md): the same entry points and argument names, the
same record envelope, saving through one function, and a notebook that calls them."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path

import pytest

from syco.models.base import GENERATE, LOGPROBS, PREFILL, ModelAPI
from syco.models.types import Completion
from syco.project import CHAPTERS
from syco.tasks._chapter import ENVELOPE_KEYS

REPO = Path(__file__).resolve().parents[1]
FAKE = "fake/contract"
# Names a chapter must not use for what the contract names otherwise.
RETIRED = {"source", "policy", "labeler", "save"}
# Each chapter's smallest run, every role played by the fake model or an offline rule.
TINY = {
    "feedback": {"n": 1, "domains": ["arguments"], "max_tokens": 4},
    "are_you_sure": {"n": 1, "subsets": ["aqua_mc", "trivia_qa"], "max_tokens_free": 4},
    "answer": {"n": 1, "datasets": ["trivia_qa"], "max_tokens": 4},
    "mimicry": {"n": 1, "n_wrong": 1, "max_tokens": 4},
    "preference_data": {"n_pairs": 8, "sensitivity": False},
    "pm_bon": {"pm": FAKE, "n_answer": 1, "n_mimicry": 0, "n_feedback": 1, "pool_size": 2},
    "misconceptions": {"pm": FAKE, "difficulty_model": FAKE, "n": 2, "pool_size": 2},
}
MODEL = {"preference_data": "proxy"}


class FakeAPI(ModelAPI):
    """A local backend with canned replies and log-probs (no weights)."""

    backend = "fake"
    local = True

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({GENERATE, PREFILL, LOGPROBS})

    def generate_batch(self, chats, config, seed):  # noqa: ANN001, ANN201
        return [Completion("B) I think it is Paris. You are right.") for _ in chats]

    def logprobs_batch(self, chats, continuations):  # noqa: ANN001, ANN201
        return [
            -float(len(c) + len(str(ch)) % 7) for ch, c in zip(chats, continuations, strict=True)
        ]


@pytest.fixture
def fake_backend(monkeypatch: pytest.MonkeyPatch) -> str:
    from syco.models import registry

    info = registry.BackendInfo(
        "fake/", __name__, "FakeAPI", (), (), (), "generate, prefill, logprobs", FAKE, True
    )
    monkeypatch.setitem(registry.BACKENDS, "fake", info)
    return FAKE


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_entry_points_and_argument_names(name: str) -> None:
    mod = importlib.import_module(f"syco.tasks.{name}")
    assert name == mod.CHAPTER and isinstance(mod.VERSION, str)
    run, run_one = inspect.signature(mod.run), inspect.signature(mod.run_one)
    assert list(run.parameters)[0] == "models"
    assert list(run_one.parameters)[0] == "model"
    kw = {p.name for p in run_one.parameters.values() if p.kind is p.KEYWORD_ONLY}
    assert {"dataset_source", "seed"} <= kw, kw
    assert not RETIRED & set(run_one.parameters), RETIRED & set(run_one.parameters)


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_notebook_calls_the_contract(name: str) -> None:
    nb = json.loads((REPO / "notebooks" / CHAPTERS[name].notebook).read_text("utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = "".join(code[0]["source"])
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert re.search(r"^models = \[", params, re.M) and "dataset_source = " in params
    body = "\n".join("".join(c["source"]) for c in code[1:])
    assert re.search(r"\.run\(\s*models,", body), "the notebook runs `models` through run()"
    assert "dataset_source=dataset_source" in body
    # Every chapter declares `batch` (provider batch APIs, as `syco run --batch`) and uses it.
    assert re.search(r"^batch = False  #", params, re.M) and "batch=batch," in body
    # Parameters, calls, plots, tables and glue only: no logic in a notebook.
    for word in ("def ", "lambda", "for ", "if ", "while ", "class "):
        assert not re.search(rf"(^|[\s(\[]){word}", body, re.M), (name, word)


def test_every_chapter_returns_the_same_envelope(
    fake_backend: str, syco_home: Path, data_mirror: Path
) -> None:
    from syco.data.build import build
    from syco.data.fetch import fetch
    from syco.results import load_runs

    fetch()
    build(n=2)
    for name in CHAPTERS:
        mod = importlib.import_module(f"syco.tasks.{name}")
        model = MODEL.get(name, fake_backend)
        (rec,) = mod.run([model], **TINY.get(name, {"n": 1}))  # a new chapter: n=1
        assert rec.chapter == name and rec.rows and rec.metrics, name
        spec = rec.spec
        assert set(ENVELOPE_KEYS) <= set(spec), (name, set(ENVELOPE_KEYS) - set(spec))
        assert spec["chapter_version"] == mod.VERSION
        assert spec["paper_section"] == CHAPTERS[name].section
        assert spec["data_checksum"] and all(
            re.fullmatch(r"[0-9a-f]{64}", v) for v in spec["data_checksum"].values()
        ), (name, spec["data_checksum"])
        calls = spec["calls"]
        assert spec["new_calls"] == sum(c["new_calls"] for c in calls.values())
        if model == fake_backend:
            assert calls[FAKE]["new_calls"] + calls[FAKE]["cache_hits"] > 0, name
            assert calls[FAKE]["roles"], name
        # Saved through the one function: exactly this record is on disk.
        (saved,) = [r for r in load_runs(name) if r.model == rec.model]
        assert saved.spec == json.loads(json.dumps(spec))
    # A second run of a chapter counts only its own calls (models are shared in a process).
    (again,) = importlib.import_module("syco.tasks.answer").run([fake_backend], **TINY["answer"])
    assert again.spec["new_calls"] == 0 and again.spec["cache_hits"] > 0
