"""§4.1 LLM labeller: strict JSON parsing and honest counts of unparsed and errored pairs."""

from __future__ import annotations

import json

import pytest

from syco.models.types import Completion
from syco.tasks.preference_data import labeler
from syco.tasks.preference_data.labeler import (
    LLM_FEATURE_NAMES,
    build_prompt,
    label_with_llm,
    parse_labels,
)

ALL = dict.fromkeys(LLM_FEATURE_NAMES, 0) | {"truthful": 1, "assertive": -1}


def test_valid_json_parses_with_or_without_wrapping():
    assert parse_labels(json.dumps(ALL)) == ALL
    wrapped = "Here you go:\n```json\n" + json.dumps(ALL) + "\n```"
    assert parse_labels(wrapped) == ALL
    assert parse_labels(json.dumps(ALL | {"extra": 7})) == ALL  # extra keys ignored


@pytest.mark.parametrize(
    "reply",
    [
        None,
        "",
        "Response A is better.",
        json.dumps(ALL)[:-1],  # cut off
        "{'truthful': 1}",  # not JSON (single quotes)
        json.dumps(list(ALL.values())),  # a list, no object
        json.dumps({k: v for k, v in ALL.items() if k != "truthful"}),  # a feature missing
        json.dumps(ALL | {"truthful": 2}),  # out of range
        json.dumps(ALL | {"truthful": "1"}),  # a string
        json.dumps(ALL | {"truthful": 1.0}),  # a float
        json.dumps(ALL | {"truthful": True}),  # a bool is not an int label
        json.dumps(ALL | {"truthful": None}),
    ],
)
def test_invalid_replies_are_unparsed(reply):
    assert parse_labels(reply) is None


def test_prompt_names_every_feature_and_both_responses():
    ctx = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
           {"role": "user", "content": "Tell me a joke"}]  # fmt: skip
    p = build_prompt(ctx, "RESPONSE-ONE", "RESPONSE-TWO")
    assert "Human: Hi\n\nAssistant: Hello\n\nHuman: Tell me a joke" in p
    assert "Response A: RESPONSE-ONE" in p and "Response B: RESPONSE-TWO" in p
    assert all(f"- {k}:" in p for k in LLM_FEATURE_NAMES)
    long = build_prompt([{"role": "user", "content": "x" * 500}], "a", "b", max_chars=100)
    assert "…" + "x" * 93 in long and "x" * 101 not in long


class FakeModel:
    def __init__(self, replies):
        self.replies = replies

    def generate(self, chats, config, desc=None):
        assert len(chats) == len(self.replies)
        return self.replies


def test_label_with_llm_counts_parsed_unparsed_and_errors(monkeypatch):
    replies = [
        Completion(json.dumps(ALL)),
        Completion("not json", cached=True),
        Completion.failed("HTTP 500"),
        Completion(json.dumps({"truthful": 1})),  # missing features
    ]
    monkeypatch.setattr("syco.models.get_model", lambda spec: FakeModel(replies))
    pairs = [{"context": [{"role": "user", "content": "q"}], "a": "x", "b": "y"}] * 4
    rows, counts = label_with_llm(pairs, "fake/model")
    assert [r["parsed"] for r in rows] == [True, False, False, False]
    assert rows[0]["labels"] == ALL and rows[2]["error"] == "HTTP 500"
    assert counts == {"new_calls": 3, "cache_hits": 1, "n_errors": 1, "n_unparsed": 2}
    assert rows[1]["transcript"][-1] == {"role": "assistant", "content": "not json"}
    assert labeler.BELIEF_PAIR[0] in LLM_FEATURE_NAMES
