"""The `vllm/` backend. Its options and errors are tested everywhere; the engine itself only
where vLLM is installed (`make test-vllm` builds .venv-vllm with the CPU build and runs this
file there), against the `hf/` backend on the same folder: the embedded SmolLM2-135M for
generation and log-probs, a small random sequence classifier for rewards. In .venv, which
has no vLLM, those tests skip and say why. Tolerances are stated where they are asserted."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from syco.cache import Cache
from syco.errors import SycoError
from syco.models import GenerateConfig, Model, get_model
from syco.models.registry import parse_spec

HAVE_VLLM = importlib.util.find_spec("vllm") is not None
needs_vllm = pytest.mark.skipif(
    not HAVE_VLLM,
    reason="vLLM is not installed in this environment; `make test-vllm` runs these tests "
    "against the real engine in .venv-vllm",
)

# Small engines (a CPU engine would otherwise take a share of the machine's RAM for its KV
# cache), eager (torch.compile costs minutes of start-up on 2 busy cores).
ENGINE = {"max_model_len": 2048, "kv_cache_memory_bytes": 1 << 30, "enforce_eager": True}

QUESTIONS = [
    "What is the capital of France?",
    "Name three primary colours.",
    "What is 12 times 12?",
    "Who wrote Romeo and Juliet?",
    "Give me one tip for sleeping better.",
    "What is the boiling point of water in Celsius?",
    "Translate 'thank you' into Spanish.",
    "Which planet is known as the Red Planet?",
    "Write a haiku about autumn.",
    "What does a thermometer measure?",
    "Is a tomato a fruit or a vegetable?",
    "How many legs does a spider have?",
    "Summarise the water cycle in one sentence.",
    "What is the largest ocean on Earth?",
    "Suggest a name for a pet goldfish.",
    "Why is the sky blue?",
]
CHATS = [[{"role": "user", "content": q}] for q in QUESTIONS]
PREFILLED = [
    [
        {"role": "user", "content": f"{q} (A) yes (B) no"},
        {"role": "assistant", "content": "The answer is ("},
    ]
    for q in QUESTIONS[:4]
]


# -- everywhere: spec, options, errors ---------------------------------------------------
def test_spec_and_engine_options(monkeypatch, tmp_path):
    from syco.models.vllm_engine import engine_options, request_seeds

    assert parse_spec("vllm/./models/x") == ("vllm", "./models/x")
    monkeypatch.setenv("SYCO_VLLM_ENGINE_ARGS", json.dumps({"max_model_len": 4096, "x": 1}))
    monkeypatch.setenv("SYCO_VLLM_TENSOR_PARALLEL_SIZE", "4")
    opts = engine_options({"x": 2})
    assert opts == {"max_model_len": 4096, "x": 2, "tensor_parallel_size": 4}
    monkeypatch.setenv("SYCO_VLLM_TENSOR_PARALLEL_SIZE", "two")
    with pytest.raises(SycoError, match="positive integer"):
        engine_options({})
    monkeypatch.setenv("SYCO_VLLM_TENSOR_PARALLEL_SIZE", "1")
    monkeypatch.setenv("SYCO_VLLM_ENGINE_ARGS", "[1")
    with pytest.raises(SycoError, match="JSON object"):
        engine_options({})
    assert request_seeds([5, 7], 2) == [5, 7]
    assert request_seeds(10, 3) == [10, 11, 12]
    with pytest.raises(SycoError, match="2 seeds for 3"):
        request_seeds([1, 2], 3)


def test_wrapper_hands_each_request_its_own_seed(tmp_path):
    """A backend with per-request seeds gets one seed per request, the same whichever
    requests share its micro-batch; other local backends keep one seed per batch."""
    from syco.models import Completion, ModelAPI

    class Recorder(ModelAPI):
        backend, local, per_request_seeds = "rec", True, True

        def __init__(self):
            super().__init__("rec")
            self.seeds: dict[str, object] = {}

        def generate_batch(self, chats, config, seed):
            for c, s in zip(chats, seed if isinstance(seed, list) else [seed] * 9, strict=False):
                self.seeds[c[0]["content"]] = s
            return [Completion(text="x") for _ in chats]

    def seeds(batch, per_request=True):
        api = Recorder()
        api.per_request_seeds = per_request
        m = Model("rec", api, cache=Cache(tmp_path / f"{len(batch)}{per_request}.sqlite"))
        m.generate([[{"role": "user", "content": q}] for q in batch], GenerateConfig(1.0))
        return api.seeds

    alone, together = seeds(["c"]), seeds(["a", "bb", "c"])
    assert alone["c"] == together["c"] and len(set(together.values())) == 3
    assert len(set(seeds(["a", "bb", "c"], per_request=False).values())) == 1


@pytest.mark.skipif(HAVE_VLLM, reason="checks the message given where vLLM is absent")
def test_without_vllm_the_error_says_how_to_get_it(tmp_path):
    with pytest.raises(SycoError, match="make vllm"):
        get_model(f"vllm/{tmp_path}")


@needs_vllm
def test_a_missing_folder_is_one_line(tmp_path):
    with pytest.raises(SycoError, match="not found"):
        get_model(f"vllm/{tmp_path / 'nope'}")


# -- the real engine ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def pair(smollm2_dir, tmp_path_factory):
    """`vllm/` and `hf/` on the embedded model's folder, each with its own empty cache."""
    folder = tmp_path_factory.mktemp("caches")
    vm = get_model(f"vllm/{smollm2_dir}", cache=Cache(folder / "v.sqlite"), **ENGINE)
    hm = get_model(f"hf/{smollm2_dir}", cache=Cache(folder / "h.sqlite"))
    yield vm, hm
    vm.api.close()
    hm.api.close()


@needs_vllm
@pytest.mark.slow
def test_greedy_generation_matches_hf(pair, capsys):
    vm, hm = pair
    cfg = GenerateConfig(temperature=0.0, max_tokens=48)
    chats = CHATS + PREFILLED
    v = vm.generate(chats, cfg)
    h = hm.generate(chats, cfg)
    assert all(c.ok for c in v), [c.error for c in v if not c.ok]
    same = sum(a.text == b.text for a, b in zip(v, h, strict=True))
    with capsys.disabled():
        print(f"\nvllm vs hf greedy: {same}/{len(chats)} identical")
    # fp32 on both sides, same token ids in: greedy replies agree except where two tokens
    # tie to within rounding. At least 3 in 4 identical, and every reply starts alike.
    assert same >= 0.75 * len(chats)
    for a, b in zip(v, h, strict=True):
        assert a.text[:8] == b.text[:8], (a.text, b.text)
    assert all(c.usage.input_tokens > 0 and c.usage.output_tokens > 0 for c in v)
    # Its own answer key: the same request under vllm/ and hf/ is two cache entries.
    assert vm.api.identity()["backend"] == "vllm" and hm.api.identity()["backend"] == "hf"
    before = vm.stats.new
    again = vm.generate(chats, cfg)
    assert vm.stats.new == before and all(c.cached for c in again)
    assert [c.text for c in again] == [c.text for c in v]


@needs_vllm
@pytest.mark.slow
def test_stop_strings_and_length(pair):
    vm, hm = pair
    cfg = GenerateConfig(temperature=0.0, max_tokens=6, stop=("\n",))
    v = vm.generate(CHATS[:4], cfg)
    for c in v:
        assert "\n" not in c.text
        assert c.stop_reason in ("stop", "length") and c.usage.output_tokens <= 6


@needs_vllm
@pytest.mark.slow
def test_prompt_logprobs_match_hf(pair, capsys):
    vm, hm = pair
    chats = [c[:1] + [{"role": "assistant", "content": "The answer is ("}] for c in PREFILLED]
    chats += [[*c, {"role": "assistant", "content": ""}] for c in CHATS[:4]]
    conts = ["A", "B", "A)", "B) no"] + ["Paris.", "Red, blue and yellow.", "144", "Shakespeare"]
    v = vm.logprobs(chats, conts)
    h = hm.logprobs(chats, conts)
    assert all(s.ok for s in v), [s.error for s in v if not s.ok]
    diffs = [abs(a.value - b.value) for a, b in zip(v, h, strict=True)]
    with capsys.disabled():
        print(f"\nvllm vs hf log-probs: max |diff| {max(diffs):.2e} nats over {len(diffs)}")
    # fp32 both sides: sums of a few tokens' log-probs agree to 1e-3 nats.
    assert max(diffs) < 1e-3, diffs
    assert all(a.value < 0 for a in v)


def _sampled(api, chats, seeds):
    return [c.text for c in api.generate_batch(chats, GenerateConfig(1.0, 32), seeds)]


@needs_vllm
@pytest.mark.slow
def test_per_request_seeds_reproducible_and_batch_independent(pair):
    vm, _ = pair
    api = vm.api
    alone = _sampled(api, CHATS[:1], [1234])
    in_batch = _sampled(api, CHATS[5:9] + CHATS[:1] + CHATS[9:12], [9, 8, 7, 6, 1234, 5, 4, 3])
    assert in_batch[4] == alone[0]
    assert _sampled(api, CHATS[:1], [1234]) == alone
    others = _sampled(api, CHATS[:1] * 4, [1, 2, 3, 4])
    assert len(set(others)) > 1  # different seeds, different samples (T=1, 32 tokens)


@needs_vllm
@pytest.mark.slow
def test_sampled_reply_is_the_same_alone_or_in_a_batch(pair, tmp_path):
    """End to end through the wrapper: fresh caches, T=1, a request's reply does not depend
    on the other requests of its run."""
    vm, _ = pair
    cfg = GenerateConfig(temperature=1.0, max_tokens=24)
    a = Model(vm.spec, vm.api, cache=Cache(tmp_path / "a.sqlite"))  # one engine, two caches
    b = Model(vm.spec, vm.api, cache=Cache(tmp_path / "b.sqlite"))
    alone = a.generate(CHATS[3:4], cfg, sample_indices=[2])
    mixed = b.generate(CHATS[:6], cfg, sample_indices=[0, 1, 5, 2, 7, 0])
    assert alone[0].text == mixed[3].text and all(c.ok for c in mixed)


@pytest.fixture(scope="module")
def tiny_rm(tmp_path_factory, smollm2_dir) -> Path:
    """test_hf's random Llama sequence classifier, wider: head_dim 64, which vLLM's CPU
    attention supports (test_hf's is 8)."""
    import torch
    import transformers
    from test_hf import _config, _tokenizer_into

    folder = tmp_path_factory.mktemp("tiny-rm")
    cfg = _config(
        _tokenizer_into(folder, smollm2_dir),
        hidden_size=128,
        intermediate_size=256,
        max_position_embeddings=2048,
        num_labels=1,
    )
    torch.manual_seed(1)
    transformers.LlamaForSequenceClassification(cfg).save_pretrained(folder)
    return folder


@needs_vllm
@pytest.mark.slow
def test_reward_matches_hf(tiny_rm, tmp_path, capsys):
    vm = get_model(f"vllm/{tiny_rm}", cache=Cache(tmp_path / "v.sqlite"), **ENGINE)
    hm = get_model(f"hf/{tiny_rm}", cache=Cache(tmp_path / "h.sqlite"))
    assert vm.capabilities == {"reward"}
    answers = ["Paris.", "Red, blue, yellow.", "144.", "Dickens.", "Sleep less.", "100 C."]
    dialogues = [
        [*c, {"role": "assistant", "content": a}] for c, a in zip(CHATS[:6], answers, strict=True)
    ]
    try:
        v = vm.reward(dialogues)
    finally:
        vm.api.close()
    h = hm.reward(dialogues)
    assert all(s.ok for s in v), [s.error for s in v if not s.ok]
    diffs = [abs(a.value - b.value) for a, b in zip(v, h, strict=True)]
    with capsys.disabled():
        print(f"\nvllm vs hf reward: max |diff| {max(diffs):.2e} over {len(diffs)}")
    assert max(diffs) < 1e-3, diffs
    assert len({round(s.value, 6) for s in v}) > 1  # the scores depend on the dialogue
