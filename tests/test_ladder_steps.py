"""A ladder whose neighbouring rungs differ names each step and its direction (reader's
review: §3.4's all-poems mimicry, 97.8% [86.9, 99.7] -> 37.8% [24.1, 53.7] -> 77.8% [62.3,
88.1], read 'two neighbouring rungs differ', though both steps differ, one down, one up)."""

from __future__ import annotations

from syco.results.ladder import Rung, ladder_sentence


def test_every_differing_step_is_named_with_its_direction() -> None:
    rungs = [Rung("smollm2", 0.978, 0.869, 0.997, 45), Rung("qwen-0.5b", 0.378, 0.241, 0.537, 45),
             Rung("qwen-1.5b", 0.778, 0.623, 0.881, 45)]  # fmt: skip
    text = ladder_sentence(rungs, "mimicry")
    assert "two neighbouring rungs differ" not in text
    assert (
        "Qwen2.5-Coder-0.5B below SmolLM2-135M; Qwen2.5-Coder-1.5B above Qwen2.5-Coder-0.5B" in text
    )
    assert "the smallest and largest do not: no trend with size in mimicry" in text
    one = ladder_sentence([rungs[0], rungs[1], Rung("qwen-1.5b", 0.9, 0.5, 0.99, 45)], "mimicry")
    assert "(intervals apart: Qwen2.5-Coder-0.5B below SmolLM2-135M)" in one
