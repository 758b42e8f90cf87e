"""The ladder's decoding note lists the rungs smallest first, as its sentences do (reader's
review: §3.4's note read 'SmolLM2-135M at T=0.2 (top-p 0.9), Qwen2.5-Coder-1.5B at T=1,
Qwen2.5-Coder-0.5B at T=1', the order in which the metrics first met each model)."""

from __future__ import annotations

from syco.book.ladder import decoding_note


def test_the_note_lists_the_rungs_smallest_first() -> None:
    specs = {"smollm2": {"temperature": 0.2, "top_p": 0.9}, "qwen-1.5b": {"temperature": 1.0},
             "qwen-0.5b": {"temperature": 1.0}}  # fmt: skip
    note = decoding_note(specs)
    assert ("(SmolLM2-135M at T=0.2 (top-p 0.9), Qwen2.5-Coder-0.5B at T=1, "
            "Qwen2.5-Coder-1.5B at T=1)") in note  # fmt: skip
