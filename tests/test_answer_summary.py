"""§3.3 findings in words (syco.tasks.answer.summary, issue 21 item 4): a direction is claimed
only where the interval excludes 0, "sycophantic" only in the direction a belief-following
model moves accuracy under that template, the floor is named, copying is counted, and the
paper column says only what the paper's text states."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from syco.tasks.answer.figures import paper_table
from syco.tasks.answer.summary import (
    PAPER,
    change_text,
    copy_text,
    echo_text,
    headline_text,
    summary,
)

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_3_answer.ipynb"


def row(value: float, lo: float, hi: float, n: int = 130) -> dict:
    return {"value": value, "ci_low": lo, "ci_high": hi, "n": n}


LOW_BASE = row(0.138, 0.09, 0.21)  # a floor below the paper's largest drop (27 points)
HIGH_BASE = row(0.60, 0.51, 0.68)


def test_no_drop_is_claimed_where_the_interval_includes_0() -> None:
    """The reader's case: -5.4% [-12.5, +1.4] with a 13.8% floor. The old page said
    "echoing it lowers accuracy" whatever the interval."""
    text = change_text(row(-0.054, -0.125, 0.014), "think_incorrect", LOW_BASE)
    assert "includes 0" in text and "falls" not in text and "lowers" not in text
    assert "13.8 points" in text and "floor" in text
    echo = echo_text(row(0.43, 0.33, 0.52), row(-0.054, -0.125, 0.014), LOW_BASE)
    assert "lowers" not in echo and "includes 0" in echo


def test_a_drop_is_claimed_only_when_the_interval_excludes_0() -> None:
    text = change_text(row(-0.20, -0.30, -0.10), "think_incorrect", HIGH_BASE)
    assert "accuracy falls" in text and "sycophantic by the paper's reading" in text
    assert "floor" not in text  # a 60% baseline leaves room for the paper's 27-point drop


def test_a_rise_under_dont_think_correct_is_not_sycophantic() -> None:
    text = change_text(row(0.19, 0.10, 0.29), "dont_think_correct", HIGH_BASE)
    assert "rises" in text and "not sycophantic" in text
    up = change_text(row(0.43, 0.33, 0.52), "think_correct", HIGH_BASE)
    assert "rises" in up and "(sycophantic by the paper's reading)" in up


def test_a_positive_headline_is_not_read_as_sycophancy() -> None:
    """The reader: "+19.0% is, by the chapter's own sign, anti-sycophantic"."""
    text = headline_text(row(0.19, 0.10, 0.29))
    assert "rises" in text and "opposite of the drop" not in text
    # the paper's drop is one template's (suggested incorrect answer); it gives no mean
    assert "I think it's [incorrect]" in text and "states no value of this mean" in text
    assert "opposite directions" in text  # the mean mixes templates
    assert "includes 0" in headline_text(row(0.02, -0.05, 0.09))
    assert "falls" in headline_text(row(-0.10, -0.18, -0.02))


@pytest.mark.parametrize(
    ("rest", "says"),
    [
        (row(0.023, -0.043, 0.090), "comes from copying the answer named in the prompt"),
        (row(0.092, 0.018, 0.168), "copying does not explain all of the rise"),
    ],
)
def test_copy_text_claims_copying_only_when_the_rest_is_indistinguishable_from_0(rest, says):
    text = copy_text(
        row(0.30, 0.23, 0.38), row(0.16, 0.07, 0.25), row(0.14, 0.07, 0.21), rest,
        "dont_think_correct",
    )  # fmt: skip
    assert says in text and "30.0% of 130 replies" in text


def test_copy_text_without_copy_rows_says_so() -> None:
    assert "not measured" in copy_text({}, row(0.1, 0.0, 0.2), {}, {}, "think_correct")


def test_paper_column_states_only_the_papers_text() -> None:
    """The old column claimed answer sycophancy was 'negative for all 5 assistants' and that
    'I think it's [correct]' 'can raise accuracy', neither of which the paper's text states."""
    rows = []
    for t, v in [("baseline", 0.2), ("think_incorrect", -0.05), ("think_correct", 0.4),
                 ("dont_think_correct", 0.2)]:  # fmt: skip
        metric = "accuracy" if t == "baseline" else "delta_accuracy"
        rows.append({"model": "m", "metric": metric, "subset": "all", "template": t,
                     **row(v, v - 0.1, v + 0.1)})  # fmt: skip
    rows.append({"model": "m", "metric": "answer_sycophancy", "subset": "all",
                 "template": "mean of 3 biased", **row(0.19, 0.1, 0.29)})  # fmt: skip
    table = paper_table(pd.DataFrame(rows)).to_string()
    assert "negative for all" not in table and "can raise" not in table
    assert "not stated in the text" in PAPER["answer_sycophancy"]
    assert "27%" in PAPER["think_incorrect"] and "[P]" in PAPER["think_incorrect"]


def test_every_glued_sentence_of_the_page_comes_from_summary() -> None:
    """The page's prose glues only keys `summary` builds, and types no claim of its own
    about which way the echoing goes."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    keys = set(re.findall(r"\{glue:text\}`(answer_\w+)", text))
    metrics = pd.DataFrame(
        [{"model": "m", "metric": "accuracy", "subset": "all", "template": "baseline",
          "n_unparsed": 0, **row(0.2, 0.1, 0.3)}]
    )  # fmt: skip
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    # besides `summary`, a code cell may glue a sentence a named function builds from rows
    from_rows = set(re.findall(r'glue_all\(\{"(answer_\w+)": answer\.\w+_text\(', code))
    assert from_rows == {"answer_decoding"}
    assert keys and keys <= set(summary(metrics, "m")) | from_rows
    assert "echoing it lowers accuracy" not in text
    assert "baseline accuracy is lower" not in text  # the decoding verdict is generated
    assert "is an artefact" not in text


def _decoding_rows(recommended: list[bool], paper: list[bool]) -> pd.DataFrame:
    rows = []
    for model, flags in (("m", recommended), ("m [T=1]", paper)):
        for i, ok in enumerate(flags):
            rows.append({"model": model, "question_id": f"q{i}", "template": "baseline",
                         "status": "scored", "correct": ok})  # fmt: skip
    rows.append(
        {
            "model": "m [T=1]",
            "question_id": "q_extra",
            "template": "baseline",
            "status": "scored",
            "correct": True,
        }
    )  # fmt: skip  (no pair: left out)
    return pd.DataFrame(rows)


def test_decoding_text_claims_a_direction_only_when_the_paired_interval_excludes_0() -> None:
    """The reader: "at T=1 its baseline accuracy is lower" was typed while the records gave
    11.5% [7.1, 18.2] vs 7.7% [4.2, 13.6], n=130 each."""
    from syco.tasks.answer.figures import decoding_text

    # 15 of 130 right at the recommended setting, 10 at T=1 (5 lost, none gained)
    rec = [i < 15 for i in range(130)]
    t1 = [i < 10 for i in range(130)]
    text = decoding_text(_decoding_rows(rec, t1))
    assert "7.7% against 11.5%" in text and "same 130 questions" in text
    assert "no different" in text and "lower" not in text
    # 60 of 130 vs 10 of 130 on the same questions: a drop the interval resolves
    text = decoding_text(_decoding_rows([i < 60 for i in range(130)], t1))
    assert text.endswith("lower.") and "-38.5 points" in text
    assert "not run" in decoding_text(_decoding_rows(rec, t1).query("model == 'm'"))
