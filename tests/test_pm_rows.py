"""The one PM-scoring loop of §4.2 and §4.3 (`syco.pm.rows.score_rows`) on hand-built rows."""

from __future__ import annotations

from syco.pm.model import PMScore
from syco.pm.rows import score_rows


class FakePM:
    """Scores a response by its length; a judge PM compares it with the reference."""

    def __init__(self, kind: str, fail: str | None = None):
        self.kind, self.fail, self.calls = kind, fail, []

    def score(self, contexts, responses, *, references=None, desc=None):  # noqa: ANN001, ANN201
        self.calls.append((list(responses), references))
        out = []
        for i, r in enumerate(responses):
            if r == self.fail:
                out.append(PMScore(None, error="boom"))
            elif r == "?":
                out.append(PMScore(None, unparsed=True))
            else:
                ref = len(references[i]) if references else 0
                out.append(PMScore(float(len(r) - ref)))
        return out


def _rows() -> list[dict]:
    return [
        {"id": "a", "sample": 0, "kind": "syc", "response": "abc", "error": None},
        {"id": "a", "sample": 1, "kind": "syc", "response": "abcdef", "error": None},
        {"id": "b", "sample": 1, "kind": "other", "response": "xy", "error": None},
        {"id": "b", "sample": 2, "kind": "syc", "response": None, "error": "policy failed"},
        {"id": "c", "sample": 0, "kind": "syc", "response": "?", "error": None},
        {"id": "c", "sample": 1, "kind": "syc", "response": "bad", "error": None},
    ]


def test_scores_errors_and_unparsed_per_pm() -> None:
    rows = _rows()
    pms = {"PM": FakePM("reward", fail="bad"), "non-syc PM": FakePM("reward")}
    counts = score_rows(
        rows, pms, context=lambda r: [], reference=lambda r: None,
        wanted=lambda label, r: label == "PM" or r["kind"] == "syc", desc="t",
    )  # fmt: skip
    assert [r["pm_score"]["PM"] for r in rows] == [3.0, 6.0, 2.0, None, None, None]
    assert [r["pm_error"]["PM"] for r in rows] == [
        None, None, None, "policy failed", "unparsed", "boom"
    ]  # fmt: skip
    # The non-syc PM scores only the wanted rows (not kind "other"), never a failed sample.
    assert pms["non-syc PM"].calls == [(["abc", "abcdef", "?", "bad"], None)]
    assert [r["pm_score"]["non-syc PM"] for r in rows] == [3.0, 6.0, None, None, None, 3.0]
    assert counts == {"PM_errors": 3, "non-syc PM_errors": 3}


def test_a_judge_pm_compares_with_the_reference_and_skips_rows_without_one() -> None:
    rows = _rows()
    ref = {"a": "x", "c": "xxxx"}
    judge = FakePM("judge")
    score_rows(rows, {"PM": judge}, context=lambda r: [], reference=lambda r: ref.get(r["id"]),
               desc="t")  # fmt: skip
    assert judge.calls == [(["abc", "abcdef", "?", "bad"], ["x", "x", "xxxx", "xxxx"])]
    assert [r["pm_score"]["PM"] for r in rows] == [2.0, 5.0, None, None, None, -1.0]
