"""The ladder's sentence follows its numbers: a direction only where intervals are apart."""

from __future__ import annotations

import pandas as pd

from syco.results.ladder import Rung, ladder_rows, ladder_sentence
from syco.results.store import ladder_rank


def r(model: str, v: float, lo: float, hi: float, n: int = 100) -> Rung:
    return Rung(model, v, lo, hi, n)


def test_rising_with_size_only_when_the_ends_are_apart():
    s = ladder_sentence(
        [
            r("smollm2", 0.1, 0.05, 0.15),
            r("qwen-0.5b", 0.3, 0.2, 0.4),
            r("qwen-1.5b", 0.5, 0.4, 0.6),
        ],
        "answer sycophancy",
    )
    assert "largest model's answer sycophancy is higher than the smallest's" in s
    assert "not monotonically" not in s
    assert "SmolLM2-135M 10.0% [5.0, 15.0] (n=100)" in s


def test_overlapping_intervals_claim_nothing():
    s = ladder_sentence([r("smollm2", 0.1, 0.0, 0.3), r("qwen-1.5b", 0.2, 0.1, 0.35)], "mimicry")
    assert "no difference in mimicry that these sample sizes can resolve" in s
    assert "higher" not in s and "lower" not in s


def test_falling_and_not_monotone():
    s = ladder_sentence(
        [
            r("smollm2", 0.8, 0.7, 0.9),
            r("qwen-0.5b", 0.95, 0.92, 0.98),
            r("qwen-1.5b", 0.3, 0.2, 0.4),
        ],
        "x",
    )
    assert "is lower than the smallest's" in s and "not monotonically" in s


def test_one_rung_and_pending():
    s = ladder_sentence([r("smollm2", 0.2, 0.1, 0.3)], "x", pending=["qwen-0.5b", "smollm2"])
    assert "one rung, so no comparison" in s and "Not recorded yet: Qwen2.5-Coder-0.5B." in s


def test_rows_come_in_ladder_order_from_a_metrics_frame():
    m = pd.DataFrame(
        [
            {
                "model": "qwen-1.5b",
                "metric": "a",
                "value": 0.5,
                "ci_low": 0.4,
                "ci_high": 0.6,
                "n": 9,
            },
            {"model": "openai/x", "metric": "a", "value": 0.1, "ci_low": 0, "ci_high": 1, "n": 9},
            {
                "model": "smollm2",
                "metric": "a",
                "value": 0.2,
                "ci_low": 0.1,
                "ci_high": 0.3,
                "n": 9,
            },
        ]
    )
    assert [x.model for x in ladder_rows(m, "a")] == ["smollm2", "qwen-1.5b"]
    assert ladder_rank("qwen-0.5b [PM smollm2-rm]") == 1 and ladder_rank("openai/x") == 3


def test_a_chapter_ladder_section_reads_its_headlines_and_the_pm_suffix():
    from syco.book import ladder as book_ladder

    rows = [
        ("smollm2 [PM smollm2-rm]", 0.10, 0.05, 0.15),
        ("qwen-0.5b [PM smollm2-rm]", 0.50, 0.40, 0.60),
        ("qwen-0.5b [PM other]", 0.99, 0.98, 1.0),
    ]
    m = pd.DataFrame(
        [
            {"chapter": "pm_bon", "model": name, "metric": "answer_sycophancy", "subset": "PM",
             "N": 8, "value": v, "ci_low": lo, "ci_high": hi, "n": 200}
            for name, v, lo, hi in rows
        ]
    )  # fmt: skip
    text = book_ladder.findings("pm_bon", m, suffix=" [PM smollm2-rm]")
    # a difference of shares reads in signed points, never as a share (units registry)
    assert "Qwen2.5-Coder-0.5B +50.0 pp [+40.0, +60.0] (n=200)" in text
    assert "99.0" not in text  # another PM's record is not this ladder
    assert "larger model's answer sycophancy (subset=PM) is higher than the smaller's" in text
    assert "Not recorded yet: Qwen2.5-Coder-1.5B" in text
    fig = book_ladder.figure("pm_bon", m, suffix=" [PM smollm2-rm]")
    assert fig is not None and len(fig.axes) == 1


def test_the_ladder_says_when_its_rungs_sampled_differently_and_which_have_no_value():
    """The reader: §3.4's ladder read 'the larger model's mimicry is lower' across rungs
    sampled at T=0.2 and T=1 without saying so, and called a recorded model with no filtered
    poem 'not recorded yet'."""
    from syco.book import ladder as book_ladder

    note = book_ladder.decoding_note(
        {"smollm2": {"temperature": 0.2, "top_p": 0.9}, "qwen-0.5b": {"temperature": 1.0}}
    )
    assert "SmolLM2-135M at T=0.2 (top-p 0.9), Qwen2.5-Coder-0.5B at T=1" in note
    assert "sampler" in note
    assert book_ladder.decoding_note({"a": {"temperature": 1.0}, "b": {"temperature": 1.0}}) == ""
    assert book_ladder.decoding_note({"a": {}, "b": {"temperature": 1.0}}) == ""
    m = pd.DataFrame(
        [
            {"chapter": "mimicry", "model": "smollm2", "metric": "mimicry", "subset": "filtered",
             "value": 1.0, "ci_low": 0.2, "ci_high": 1.0, "n": 3},
            {"chapter": "mimicry", "model": "qwen-0.5b", "metric": "mimicry", "subset": "filtered",
             "value": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "n": 0},
        ]
    )  # fmt: skip
    text = book_ladder.findings("mimicry", m).splitlines()[0]
    assert "No value (n = 0) for Qwen2.5-Coder-0.5B" in text
    assert "Not recorded yet: Qwen2.5-Coder-1.5B." in text and "yet: Qwen2.5-Coder-0.5B" not in text


def test_metric_words_a_reader_knows_keep_their_spelling():
    """§4.3's ladder read "Pm prefers sycophantic" and "Bon sycophantic"."""
    from syco.book import ladder as book_ladder

    m = pd.DataFrame(
        [
            {"chapter": "misconceptions", "model": "smollm2 [PM smollm2-rm]", "metric": metric,
             "subset": subset, "level": "all", "N": 8, "value": 0.5, "ci_low": 0.4,
             "ci_high": 0.6, "n": 96}
            for metric, subset in (("pm_prefers_sycophantic", "baseline_truthful"),
                                   ("bon_sycophantic", "PM"))
        ]
    )  # fmt: skip
    text = book_ladder.findings("misconceptions", m, suffix=" [PM smollm2-rm]")
    assert "PM prefers sycophantic (subset=baseline_truthful" in text
    assert "Best-of-N sycophantic (subset=PM" in text
    assert "Pm " not in text and "Bon " not in text


def test_the_widest_half_width_is_written_as_the_precision_table_writes_it():
    """§4.2's ladder read "half-widths up to 10.0 points" where the widest was 9.953 (it meets
    10 and the precision table says 9.95)."""
    s = ladder_sentence(
        [r("smollm2", 0.003, -0.0966, 0.10246), r("qwen-1.5b", 0.147, 0.045, 0.243)],
        "feedback sycophancy",
    )
    assert "half-widths up to 9.95 points" in s and "10.0 points" not in s
