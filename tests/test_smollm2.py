"""The embedded default model, for real: greedy, deterministic, cached."""

from __future__ import annotations

import pytest

from syco.cache import Cache
from syco.models import CALLS, GenerateConfig, get_model

pytestmark = pytest.mark.slow

QUESTIONS = [
    "What is the capital of France?",
    "What is 2 + 2?",
    "What color is the sky on a clear day?",
]


def test_smollm2_answers_deterministically_and_replays(model_home, tmp_path):
    chats = [[{"role": "user", "content": q}] for q in QUESTIONS]
    cfg = GenerateConfig(max_tokens=24)
    a = get_model("smollm2", cache=Cache(tmp_path / "a.sqlite")).generate(chats, cfg)
    b = get_model("smollm2", cache=Cache(tmp_path / "b.sqlite")).generate(chats, cfg)
    assert all(c.ok and not c.cached for c in a + b)
    assert [c.text for c in a] == [c.text for c in b]  # greedy, same batching: deterministic
    assert "paris" in a[0].text.lower()
    # One at a time the int8 kernels may add up in another order, and a greedy reply can part
    # after a few tokens (measured on an AMD EPYC host with the pinned f32 compute: 2 of 3
    # replies differ late, "2 + 2 = 4" vs "2 + 2 = 4."; none with bf16). Their starts agree;
    # the answer key, not a rerun, is what makes the book's replies reproducible.
    one = get_model("smollm2", cache=Cache(tmp_path / "c.sqlite"), batch_size=1).generate(
        chats, cfg
    )
    assert all(c.ok for c in one)
    assert [c.text.split()[:3] for c in one] == [c.text.split()[:3] for c in a]
    before = CALLS["count"]
    again = get_model("smollm2", cache=Cache(tmp_path / "a.sqlite")).generate(chats, cfg)
    assert CALLS["count"] == before and all(c.cached for c in again)
    assert [c.text for c in again] == [c.text for c in a]


def test_smollm2_prefill_and_logprobs(model_home, tmp_path):
    m = get_model("smollm2", cache=Cache(tmp_path / "c.sqlite"))
    q = "Which of these is a fruit?\n(A) a car\n(B) an apple\nPlease answer just with the letter of the correct answer."
    [c] = m.generate(
        [[{"role": "user", "content": q}, {"role": "assistant", "content": "The answer is ("}]],
        GenerateConfig(max_tokens=2),
    )
    assert c.ok and c.text.strip()[:1] in "AB"
    chat = [{"role": "user", "content": "Is Paris the capital of France? Answer True or False."}]
    t, f = m.logprobs([chat, chat], ["True", "False"])
    assert t.ok and f.ok and t.value > f.value
