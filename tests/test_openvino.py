"""The OpenVINO engine (`smollm2`, `ov/<folder>`) against the transformers fp32 path
(`smollm2-hf`) on the same chats: greedy replies, log-probabilities, and its own
prefix-sharing scorer against its plain padded pass."""

from __future__ import annotations

import pytest

from syco.cache import Cache
from syco.errors import SycoError
from syco.models import GENERATE, LOGPROBS, PREFILL, GenerateConfig, get_model, parse_spec
from syco.models.openvino import OVAPI
from syco.pm import prompts

QUESTIONS = [
    "What is the capital of France?",
    "Who wrote Romeo and Juliet?",
    "What is the largest planet in the solar system?",
    "How many legs does a spider have?",
    "What is the chemical symbol for gold?",
    "Who painted the Mona Lisa?",
    "What is the boiling point of water in Celsius?",
    "Which ocean is the largest?",
]
# Largest |log P(ours) - log P(transformers fp32)| accepted for one short continuation
# (int8 weights; measured max on the benchmark's PM scorings is stated in docs/MEASUREMENTS.md).
LOGPROB_TOL = 1.0


def test_specs_route_to_the_engines():
    assert parse_spec("smollm2") == ("smollm2", "smollm2")
    assert parse_spec("smollm2-hf") == ("smollm2-hf", "smollm2-hf")
    assert parse_spec("ov/./models/x") == ("ov", "./models/x")


def test_ov_folder_must_exist(tmp_path):
    with pytest.raises(SycoError, match="ov model folder not found"):
        get_model(f"ov/{tmp_path / 'missing'}")


def test_the_answer_key_identity_does_not_depend_on_the_cpu(tmp_path, monkeypatch):
    """A recording must replay on any CPU: the hints in the identity are the same whether
    the CPU plugin offers bf16 or not (they once followed it, so a key recorded on an
    AVX-512-BF16 host missed everywhere else)."""
    import openvino as ov

    (tmp_path / "config.json").write_text('{"hidden_size": 576}')
    seen = []
    for caps in (["BF16", "FP32", "INT8"], ["FP32", "INT8"]):

        class Core:
            def get_property(self, device, name, _caps=caps):
                return _caps

        monkeypatch.setattr(ov, "Core", Core)
        api = OVAPI("m", path=str(tmp_path))
        seen.append((api.hints, api.score_hints()))
    assert seen[0] == seen[1]
    assert seen[0][0]["INFERENCE_PRECISION_HINT"] == "f32"
    assert seen[0][0]["DYNAMIC_QUANTIZATION_GROUP_SIZE"] == "576"


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    home = tmp_path_factory.mktemp("cache")
    ov = get_model("smollm2", cache=Cache(home / "ov.sqlite"))
    hf = get_model("smollm2-hf", cache=Cache(home / "hf.sqlite"))
    return ov, hf


@pytest.mark.slow
def test_identities_differ_and_capabilities_match(engines):
    ov, hf = engines
    assert ov.capabilities == hf.capabilities == frozenset({GENERATE, PREFILL, LOGPROBS})
    a, b = ov.api.identity(), hf.api.identity()
    assert a["backend"] == "ov" and b["backend"] == "hf" and a["model"] == b["model"]
    assert a["hints"]["INFERENCE_PRECISION_HINT"] == "f32"
    assert a["score_hints"]["INFERENCE_PRECISION_HINT"] == "f32"
    assert a["hints"]["KV_CACHE_PRECISION"] == "u8"


@pytest.mark.slow
def test_greedy_replies_mostly_agree_with_transformers_fp32(engines):
    ov, hf = engines
    chats = [[{"role": "user", "content": q}] for q in QUESTIONS]
    cfg = GenerateConfig(max_tokens=24)
    a, b = ov.generate(chats, cfg), hf.generate(chats, cfg)
    assert all(c.ok for c in a + b)
    assert "paris" in a[0].text.lower()
    # int8 weights and activations: replies may part after a few tokens; their first words
    # mostly agree (6/8 measured with f32 compute; 5/8 when bf16 compute was used).
    same_start = sum(x.text.split()[:3] == y.text.split()[:3] for x, y in zip(a, b, strict=True))
    assert same_start >= 5, [(x.text, y.text) for x, y in zip(a, b, strict=True)]
    # Usage counts the same prompt tokens on both engines (same template, same tokenizer).
    assert [c.usage.input_tokens for c in a] == [c.usage.input_tokens for c in b]


@pytest.mark.slow
def test_stop_strings_and_prefill(engines):
    ov, _ = engines
    chat = [{"role": "user", "content": "What is the capital of France?"}]
    [c] = ov.generate([chat], GenerateConfig(max_tokens=40, stop=("Paris",)))
    assert c.ok and c.text and "Paris" not in c.text and c.stop_reason == "stop", c
    q = "Which of these is a fruit?\n(A) a car\n(B) an apple\nPlease answer just with the letter of the correct answer."
    [p] = ov.generate(
        [[{"role": "user", "content": q}, {"role": "assistant", "content": "The answer is ("}]],
        GenerateConfig(max_tokens=2),
    )
    assert p.ok and p.text.strip()[:1] in "AB"


@pytest.mark.slow
def test_logprobs_within_tolerance_of_transformers_fp32(engines):
    ov, hf = engines
    chats, conts = [], []
    for q in QUESTIONS[:4]:
        for r in ("I don't know.", "The answer is simple and well known."):
            chat = prompts.score_chat(
                [{"role": "user", "content": q}, {"role": "assistant", "content": r}]
            )
            chats += [chat, chat]
            conts += [prompts.YES, prompts.NO]
    a = [s.value for s in ov.logprobs(chats, conts)]
    b = [s.value for s in hf.logprobs(chats, conts)]
    diffs = [abs(x - y) for x, y in zip(a, b, strict=True)]
    assert max(diffs) < LOGPROB_TOL, diffs
    truth = [{"role": "user", "content": "Is Paris the capital of France? Answer True or False."}]
    t, f = ov.logprobs([truth, truth], ["True", "False"])
    assert t.value > f.value


@pytest.mark.slow
def test_shared_prefix_scoring_equals_the_padded_pass(engines):
    """Samples of one prompt share it: read once, its KV state copied per suffix. Same
    numbers as scoring each sequence in one left-padded batch."""
    ov, _ = engines
    api = ov.api
    tok = api.tokenizer()
    from syco.models.hf import continuation_ids
    from syco.models.hf_logprobs import prefix_groups

    long_q = " ".join(QUESTIONS) + " Answer the last one."
    chats = [
        prompts.score_chat(
            [
                {"role": "user", "content": long_q},
                {"role": "assistant", "content": f"Reply {k}: {r}"},
            ]
        )
        for k, r in enumerate(["Paris.", "The Pacific Ocean", "eight legs", "No idea at all"])
    ]
    conts = [prompts.YES, prompts.NO, prompts.YES, " Maybe so"]
    seqs, n_conts = continuation_ids(tok, chats, conts)
    groups, singles = prefix_groups(seqs, n_conts)
    assert groups and not singles  # the sharing path is the one under test
    shared = api.logprobs_batch(chats, conts)
    padded = api._padded(seqs, n_conts, tok.pad_token_id)
    assert max(abs(x - y) for x, y in zip(shared, padded, strict=True)) < 1e-3, (shared, padded)


@pytest.mark.slow
def test_a_reply_does_not_depend_on_its_batch_neighbours(engines):
    """With int8 activations a reply could depend on what else is in the step. It does not
    depend on the neighbours' content or order at a given batch size (a question paired with
    three different partners; all eight reversed). Across batch sizes it may: measured on an
    AMD EPYC host (f32 compute) 2 of 8 greedy replies differed between pairs and all eight,
    none on an AVX-512 bf16 host. The answer key makes that harmless (recorded replies
    replay); it is why the published key, not a rerun, is what the book shows."""
    ov, _ = engines
    api = ov.api
    chats = [[{"role": "user", "content": q}] for q in QUESTIONS]
    cfg = GenerateConfig(max_tokens=24)
    together = [c.text for c in api.generate_batch(chats, cfg, seed=0)]
    reversed_ = [c.text for c in api.generate_batch(chats[::-1], cfg, seed=0)][::-1]
    assert reversed_ == together
    first = [api.generate_batch([chats[0], chats[k]], cfg, 0)[0].text for k in (1, 2, 3)]
    assert len(set(first)) == 1, first
