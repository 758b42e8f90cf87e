"""The instructor's page (issue 21, item 11): a solution to every exercise of the teaching
page, computed from records (hand-built here), honest where the records fall short."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from syco.book import instructor as I
from syco.project import CHAPTERS

REPO = Path(__file__).resolve().parents[1]


def _exercises_per_chapter() -> dict[str, int]:
    """Exercises on book/teach.md, by the chapter section they sit under."""
    text = (REPO / "book" / "teach.md").read_text(encoding="utf-8")
    by_section = {f"§{c.section}": c.name for c in CHAPTERS.values()}
    out: dict[str, int] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("### "):
            sec = line.split()[1]
            current = by_section.get(sec)
        elif line.startswith("## "):
            current = None
        elif current and line.startswith("- **Exercise.**"):
            out[current] = out.get(current, 0) + 1
    return out


def test_every_exercise_of_the_teaching_page_has_a_solution():
    assert _exercises_per_chapter() == {k: len(v) for k, v in I.SOLUTIONS.items()}


def test_the_teaching_page_states_objectives_for_every_chapter_and_links_the_solutions():
    text = (REPO / "book" / "teach.md").read_text(encoding="utf-8")
    for ch in CHAPTERS.values():
        part = text.split(f"### §{ch.section} ", 1)[1].split("\n### ", 1)[0]
        assert "**After this chapter, students can**" in part, ch.name
    assert "(instructor.md)" in text
    toc = (REPO / "_toc.yml").read_text(encoding="utf-8")
    assert "file: book/instructor" in toc and (REPO / "book" / "instructor.md").exists()


def test_a_chapter_without_records_gets_a_sentence_not_a_made_up_answer():
    page = I.instructor_page(pd.DataFrame(columns=["chapter", "model", "metric"]), {})
    assert page.count("No run of this chapter is recorded in this build") == sum(
        len(v) for v in I.SOLUTIONS.values()
    )
    body = [line for line in page.splitlines() if not line.startswith("#")]
    assert re.search(r"\d+%", "\n".join(body)) is None  # no number without a record


def _row(metric: str, value: float, lo: float, hi: float, n: int, **kw) -> dict:
    return {"chapter": "answer", "model": "m", "metric": metric, "subset": "all",
            "value": value, "ci_low": lo, "ci_high": hi, "n": n, "ci_method": "wilson", **kw}  # fmt: skip


def test_the_hint_solution_follows_the_intervals():
    base = _row("accuracy", 0.3, 0.2, 0.4, 60, template="baseline")
    up = _row("delta_accuracy", 0.20, 0.12, 0.28, 60, template="think_correct")
    down = _row("delta_accuracy", -0.05, -0.10, 0.01, 60, template="think_incorrect")
    text = I.answer_hint(pd.DataFrame([base, up, down]), pd.DataFrame(), "m")
    # accuracy is a share, the changes differences of shares: percentage points, signed
    assert "30% [20, 40] (n = 60)" in text
    assert "+20 pp [+12, +28] (n = 60)" in text and "-5 pp [-10, +1] (n = 60)" in text
    assert "the gain is larger than the loss (the intervals do not overlap)" in text
    close = {**down, "value": -0.15, "ci_low": -0.25, "ci_high": -0.05}
    text = I.answer_hint(pd.DataFrame([base, up, close]), pd.DataFrame(), "m")
    assert "cannot say which effect is larger" in text


def test_the_feedback_solution_finds_the_largest_like_dislike_change():
    rows = pd.DataFrame(
        [{"model": "m", "text_id": t, "domain": "poems", "framing": f, "score": s,
          "response": f"{t}-{f}"}
         for t, like, dislike in (("a", 0.5, 0.5), ("b", 1.0, 0.0), ("c", 0.5, 1.0))
         for f, s in (("baseline", None), ("like", like), ("dislike", dislike))]
    )  # fmt: skip
    text = I.feedback_most_changed(pd.DataFrame(), rows, "m")
    assert "Of the 3 texts scored under both framings, 1 get more positive" in text
    assert "1 the same and 1 less" in text
    assert "text `b` (poems): positivity against the baseline 1.00 under 'like' and 0.00" in text
    assert "b-dislike" in text and "a-like" not in text


def test_the_position_bias_solution_counts_order_disagreements(monkeypatch):
    import syco.results

    monkeypatch.setattr(syco.results, "latest_spec", lambda ch, m: {"judge": "openai/x"})
    orders = [[{"a_wins": 1.0}, {"a_wins": 0.0}], [{"a_wins": 1.0}, {"a_wins": 1.0}],
              [{"a_wins": None}, {"a_wins": 1.0}]]  # fmt: skip
    rows = pd.DataFrame({"model": "m", "judge": orders})
    text = I.feedback_position_bias(pd.DataFrame(), rows, "m")
    assert "judge is `openai/x`" in text and "disagree on 1 of 2 (50%)" in text


def test_the_are_you_sure_solution_counts_both_kinds_on_the_page_and_overall():
    def r(kind, a1, a2, admits, c1=True, c2=True):
        return {"model": "m", "dataset": "d", "kind": kind, "first_answer": a1,
                "final_answer": a2, "first_correct": c1, "final_correct": c2, "admits": admits,
                "first_status": "scored", "final_status": "scored", "admits_status": "scored"}  # fmt: skip

    rows = pd.DataFrame(
        [r("mc", "A", "A", True), r("mc", "A", "B", False), r("mc", "A", "B", True),
         r("free", "x", "y", False, True, False), r("free", "x", "z", True, True, True),
         {**r("mc", "A", "A", True), "admits_status": "unparsed"}]
    )  # fmt: skip
    text = I.ays_apologise_or_change(pd.DataFrame(), rows, "m")
    # kept + apologised: mc A->A, free x->z with the same grade; changed silently: mc A->B,
    # free x->y with a flipped grade
    assert "5 have all three turns scored: 2 apologise or admit a mistake but keep" in text
    assert "2 change the answer without admitting anything" in text


def test_the_best_of_n_solution_matches_the_exact_estimator_and_the_record():
    pools = {"p1": ([0.1, 0.9, 0.5], [0.0, 1.0, 0.0]), "p2": ([0.3, 0.2, 0.8], [1.0, 0.0, 0.0])}
    rows = pd.DataFrame(
        [{"model": "m", "task": "mimicry", "prompt_id": p, "error": None,
          "pm_score": {"PM": s}, "value": v}
         for p, (ss, vs) in pools.items() for s, v in zip(ss, vs, strict=True)]
    )  # fmt: skip
    # N=1: the mean of all values (1/3 and 1/3); N=3: the top-scored sample (1 and 0)
    metrics = pd.DataFrame(
        [{"model": "m", "metric": "mimicry_sycophancy", "subset": "PM", "N": 1, "value": 1 / 3},
         {"model": "m", "metric": "mimicry_sycophancy", "subset": "PM", "N": 3, "value": 0.5}]
    )  # fmt: skip
    text = I.pm_bon_curve(metrics, rows, "m")
    cells = re.findall(r"<td>([^<]*)</td>", text)
    assert cells[:3] == ["1", "33.3%", "33.3%"]
    i = cells.index("3")
    assert cells[i + 1 : i + 3] == ["50.0%", "50.0%"]
    assert cells[i + 3].endswith("± 0.0%")  # at N = M every subset is the whole pool


def test_the_misconceptions_key_prefers_items_whose_truthful_reply_is_judged_truthful():
    def r(item, kind, truthful, score):
        return {"model": "m", "item_id": item, "kind": kind, "level": 8, "error": None,
                "response": f"{item}-{kind}", "truthful": truthful, "pm_score": {"PM": score},
                "transcript": [{"role": "user", "content": f"Q {item}?"}]}  # fmt: skip

    rows = pd.DataFrame(
        [r("bad", "sycophantic", False, 1.0), r("bad", "helpful_truthful", False, 0.0),
         r("good", "sycophantic", False, 0.0), r("good", "helpful_truthful", True, 2.0),
         {**r("easy", "sycophantic", False, 0.0), "level": 1}]
    )  # fmt: skip
    text = I.misconceptions_hardest(pd.DataFrame(), rows, "m")
    assert "hardest level recorded is 8" in text and "easy" not in text
    assert text.index("Q good?") < text.index("Q bad?")
    assert "The PM prefers the truthful one." in text
    assert "The PM prefers the sycophantic one." in text


def test_model_text_cannot_break_the_page():
    rows = pd.DataFrame(
        [{"model": "m", "text_id": "t", "domain": "d", "framing": f, "score": s,
          "response": "```{raw} html\n<script>x</script>"}
         for f, s in (("like", 1.0), ("dislike", 0.0))]
    )  # fmt: skip
    text = I.feedback_most_changed(pd.DataFrame(), rows, "m")
    body = text.split("```{raw} html\n", 1)[1].rsplit("\n```", 1)[0]
    assert "```" not in body and "<script>" not in body


@pytest.mark.parametrize(
    ("names", "main"),
    [
        (["openai/x", "smollm2", "smollm2 [T=1]"], "smollm2"),
        (["qwen [PM smollm2-rm]", "smollm2 [PM smollm2]", "smollm2 [PM smollm2-rm]"],
         "smollm2 [PM smollm2-rm]"),
        (["proxy"], "proxy"),
    ],
)  # fmt: skip
def test_solutions_read_the_embedded_model_s_record(names: list[str], main: str):
    assert I.main_model(pd.DataFrame({"model": names}), pd.DataFrame()) == main


def test_the_labelling_solution_puts_the_marked_pairs_first():
    labels = [0, 0, 1, 0, -1]
    rows = pd.DataFrame(
        [{"model": "proxy", "pair_id": f"p{i}", "a_is_chosen": i % 2 == 0,
          "labels": {"agrees_with_stated_view": v}} for i, v in enumerate(labels)]
    )  # fmt: skip
    text = I.preference_labels(pd.DataFrame(), rows, "proxy")
    assert "marks 2 of 5 (40%) labelled pairs" in text
    assert "the first 2 it marks, then 3 it leaves at 0" in text
    assert re.findall(r"<td>(p\d)</td>", text) == ["p2", "p4", "p0", "p1", "p3"]
    # p2 (+1, A chosen) agrees, p4 (-1, A chosen) does not
    assert "humans preferred the matching response in 1 of 2" in text
