"""The `hf/` backend on tiny randomly initialised models the tests build in a temp dir:
loading, left-padded batching, prefill, log-probs and reward scoring."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from syco.cache import Cache  # noqa: E402
from syco.errors import CapabilityError, SycoError  # noqa: E402
from syco.models import CALLS, GenerateConfig, get_model  # noqa: E402

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


def _tokenizer_into(folder: Path, smollm2_dir: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for name in TOKENIZER_FILES:
        if (smollm2_dir / name).exists():
            shutil.copy(smollm2_dir / name, folder / name)
    tok = transformers.AutoTokenizer.from_pretrained(folder)
    return len(tok)


def _config(vocab: int, **extra):
    """A tiny Llama config; ``extra`` adds settings or overrides these."""
    base = {
        "vocab_size": vocab,
        "hidden_size": 16,
        "intermediate_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 2,
        "max_position_embeddings": 512,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "pad_token_id": 2,
    }
    return transformers.LlamaConfig(**{**base, **extra})


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory, smollm2_dir) -> Path:
    folder = tmp_path_factory.mktemp("tiny-lm")
    vocab = _tokenizer_into(folder, smollm2_dir)
    torch.manual_seed(0)
    transformers.LlamaForCausalLM(_config(vocab)).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_rm(tmp_path_factory, smollm2_dir) -> Path:
    folder = tmp_path_factory.mktemp("tiny-rm")
    vocab = _tokenizer_into(folder, smollm2_dir)
    torch.manual_seed(1)
    transformers.LlamaForSequenceClassification(_config(vocab, num_labels=1)).save_pretrained(
        folder
    )
    return folder


CHATS = [
    [{"role": "user", "content": "Hi"}],
    [{"role": "user", "content": "Tell me a long story about a dragon and a knight, please."}],
    [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "The answer is ("}],
]


def test_causal_lm_capabilities_and_identity(tiny_lm, tmp_path):
    m = get_model(f"hf/{tiny_lm}", cache=Cache(tmp_path / "c.sqlite"))
    assert {"generate", "prefill", "logprobs"} <= m.capabilities
    assert "reward" not in m.capabilities
    ident = m.api.identity()
    assert ident["backend"] == "hf" and ident["dtype"] == "float32" and ident["fingerprint"]
    with pytest.raises(CapabilityError, match="reward"):
        m.reward(CHATS[:1])


def test_batched_generation_matches_one_at_a_time(tiny_lm, tmp_path):
    cfg = GenerateConfig(max_tokens=6)
    batched = get_model(f"hf/{tiny_lm}", cache=Cache(tmp_path / "a.sqlite"), batch_size=8)
    single = get_model(f"hf/{tiny_lm}", cache=Cache(tmp_path / "b.sqlite"), batch_size=1)
    a = batched.generate(CHATS, cfg)
    b = single.generate(CHATS, cfg)
    assert [c.text for c in a] == [c.text for c in b]
    assert all(c.ok and c.stop_reason in ("stop", "length") for c in a)
    assert all(c.usage.input_tokens > 0 for c in a)
    # the long prompt really has more input tokens: padding is not counted
    assert a[1].usage.input_tokens > a[0].usage.input_tokens


def test_batch_size_from_the_environment_for_local_models(tiny_lm, tmp_path, monkeypatch):
    cache = Cache(tmp_path / "e.sqlite")
    assert get_model(f"hf/{tiny_lm}", cache=cache).batch_size == 16  # the hf/ default
    monkeypatch.setenv("SYCO_BATCH_SIZE", "512")
    assert get_model(f"hf/{tiny_lm}", cache=cache).batch_size == 512
    assert get_model(f"hf/{tiny_lm}", cache=cache, batch_size=3).batch_size == 3  # a call wins
    monkeypatch.setenv("SYCO_BATCH_SIZE", "lots")
    with pytest.raises(SycoError, match="SYCO_BATCH_SIZE"):
        get_model(f"hf/{tiny_lm}", cache=cache)


def test_generation_is_cached_and_replayed(tiny_lm, tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    m = get_model(f"hf/{tiny_lm}", cache=cache)
    first = m.generate(CHATS[:2], GenerateConfig(max_tokens=4))
    before = CALLS["count"]
    again = get_model(f"hf/{tiny_lm}", cache=cache).generate(
        CHATS[:2], GenerateConfig(max_tokens=4)
    )
    assert CALLS["count"] == before
    assert [c.text for c in again] == [c.text for c in first]
    assert all(c.cached for c in again)


def test_sampling_indices_are_separate_entries(tiny_lm, tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    m = get_model(f"hf/{tiny_lm}", cache=cache)
    cfg = GenerateConfig(temperature=1.0, max_tokens=8)
    out = m.generate([CHATS[0]] * 4, cfg, sample_indices=[0, 1, 2, 3])
    assert len(cache) == 4
    assert len({c.text for c in out}) > 1  # a random model sampled 4 times differs


def test_prefill_is_continued(tiny_lm, tmp_path):
    m = get_model(f"hf/{tiny_lm}", cache=Cache(tmp_path / "c.sqlite"))
    text = m.api.render(CHATS[2])
    assert text.endswith("<|im_start|>assistant\nThe answer is (")


def test_logprobs_match_a_manual_forward_pass(tiny_lm, tmp_path):
    m = get_model(f"hf/{tiny_lm}", cache=Cache(tmp_path / "c.sqlite"), batch_size=4)
    chats = [CHATS[0], CHATS[1], CHATS[0]]
    conts = [" yes", " no thanks", " yes"]
    scored = m.logprobs(chats, conts)
    assert all(s.ok and s.value < 0 for s in scored)
    assert math.isclose(scored[0].value, scored[2].value, rel_tol=1e-5)
    tok = transformers.AutoTokenizer.from_pretrained(tiny_lm)
    lm = transformers.AutoModelForCausalLM.from_pretrained(tiny_lm)
    prompt = m.api.render(CHATS[1])
    p = tok(prompt, add_special_tokens=False)["input_ids"]
    f = tok(prompt + conts[1], add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = lm(torch.tensor([f])).logits[0]
    logp = torch.log_softmax(logits, -1)
    manual = sum(float(logp[i - 1, f[i]]) for i in range(len(p), len(f)))
    assert math.isclose(scored[1].value, manual, rel_tol=1e-4, abs_tol=1e-4)


def test_reward_model_scores_batches_consistently(tiny_rm, tmp_path):
    m = get_model(f"hf/{tiny_rm}", cache=Cache(tmp_path / "c.sqlite"), batch_size=8)
    assert m.capabilities == frozenset({"reward"})
    dialogues = [
        [
            {"role": "user", "content": "Is the earth flat?"},
            {"role": "assistant", "content": "No."},
        ],
        [
            {"role": "user", "content": "Is the earth flat?"},
            {"role": "assistant", "content": "Yes, you are absolutely right, it is flat."},
        ],
    ]
    both = m.reward(dialogues)
    one = get_model(f"hf/{tiny_rm}", cache=Cache(tmp_path / "d.sqlite"), batch_size=1).reward(
        dialogues
    )
    assert all(s.ok for s in both)
    assert both[0].value != both[1].value
    for a, b in zip(both, one, strict=True):
        assert math.isclose(a.value, b.value, rel_tol=1e-4, abs_tol=1e-5)
    with pytest.raises(CapabilityError, match="chat generation"):
        m.generate(dialogues)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(SycoError, match="not found"):
        get_model(f"hf/{tmp_path / 'nope'}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SycoError, match="config.json"):
        get_model(f"hf/{tmp_path / 'empty'}")


def test_prefix_groups_never_reach_into_a_continuation():
    from syco.models.hf_logprobs import prefix_groups

    stem = list(range(100))
    seqs = [stem + [7, 8, 9], stem + [5], list(range(200, 230)), stem + [6]]
    groups, singles = prefix_groups(seqs, [3, 1, 3, 1], min_shared=48)
    # 1, 3, 0 share all 100 tokens; each keeps its scored tokens and the one before them
    # out of the prefix: min(101 - 1 - 1, 103 - 3 - 1) = 99. Seq 2 shares nothing.
    assert groups == [([1, 3, 0], 99)]
    assert singles == [2]
    # A continuation that starts within the first 48 tokens cannot share.
    groups, singles = prefix_groups(seqs, [3, 1, 3, 60], min_shared=48)
    assert groups == [([1, 0], 99)] and sorted(singles) == [2, 3]


def test_prefix_groups_cut_where_neighbours_share_only_the_instruction():
    """PM chats: an instruction common to all, then each prompt's samples share more."""
    from syco.models.hf_logprobs import prefix_groups

    instr = list(range(50))
    a = [instr + [1000 + i for i in range(80)] + [k] for k in (1, 2, 3)]
    b = [instr + [2000 + i for i in range(80)] + [k] for k in (1, 2)]
    groups, singles = prefix_groups(a + b, [1] * 5, min_shared=48)
    assert sorted((sorted(m), n) for m, n in groups) == [([0, 1, 2], 129), ([3, 4], 129)]
    assert singles == []


def test_shared_prefix_scoring_matches_one_padded_batch(tiny_lm, tmp_path):
    """PM-style chats (same long prompt, different responses) scored through the shared
    KV cache give the numbers of a plain left-padded forward pass."""
    from syco.models import hf_logprobs as H

    m = get_model(f"hf/{tiny_lm}", cache=Cache(tmp_path / "c.sqlite"))
    tok, lm = m.api._load()
    stem = "Here is a conversation. Human: " + "Tell me about Rome and its long history. " * 6
    chats = [
        [{"role": "user", "content": stem + f"Assistant: {r} Is it good?"}]
        for r in ("Yes.", "It fell in 476, slowly.", "No idea at all, sorry.")
    ] + [[{"role": "user", "content": "Hi"}]]
    seqs, n = [], []
    for chat, cont in zip(chats, [" Yes", " Yes", " No", " hello there"], strict=True):
        p = tok(m.api.render(chat), add_special_tokens=False)["input_ids"]
        f = tok(m.api.render(chat) + cont, add_special_tokens=False)["input_ids"]
        seqs.append(f)
        n.append(len(f) - len(p))
    groups, singles = H.prefix_groups(seqs, n)
    assert len(groups) == 1 and len(groups[0][0]) == 3 and singles == [3]
    mixed = H.continuation_logprobs(lm, seqs, n, tok.pad_token_id, "cpu")
    plain = H.padded(lm, seqs, n, tok.pad_token_id, "cpu")
    assert mixed == pytest.approx(plain, rel=1e-4, abs=1e-4)
