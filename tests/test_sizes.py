"""Build sizes and decoding (issue 11): per-model sampling, paper-scale parameters, and the
precision table generated from the records."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from syco.errors import SycoError


def test_recommended_decoding_is_the_embedded_models_only() -> None:
    from syco.models.decoding import record_model, resolve

    s = resolve("smollm2", "recommended", 1.0)
    assert (s.temperature, s.top_p) == (0.2, 0.9) and "model card" in s.source
    assert record_model("smollm2", s) == "smollm2"
    paper = resolve("smollm2", "paper", 1.0)
    assert (paper.temperature, paper.top_p) == (1.0, None)
    assert record_model("smollm2", paper) == "smollm2 [T=1]"  # never replaces the book's run
    for spec in ("openai/gpt-4o-mini", "scripted/honest", "hf/./m"):
        for decoding in ("recommended", "paper"):
            other = resolve(spec, decoding, 1.0)
            assert (other.temperature, other.top_p) == (1.0, None)  # the paper's setting
            assert record_model(spec, other) == spec
    assert record_model("openai/m", resolve("openai/m", "paper", 0.5)) == "openai/m [T=0.5]"
    with pytest.raises(SycoError, match="decoding must be one of"):
        resolve("smollm2", "greedy", 1.0)


def test_answer_chapter_records_its_sampling(built_answer: Path, monkeypatch) -> None:
    """The resolved sampling reaches the requests (so the cache keys differ) and the record;
    a run at another sampling is its own record."""
    from syco.models import decoding
    from syco.models.types import GenerateConfig
    from syco.tasks import answer

    spec = "scripted/honest"
    monkeypatch.setitem(decoding.RECOMMENDED, spec, (0.2, 0.9))
    seen: list[GenerateConfig] = []
    from syco.models.model import Model

    real = Model.generate

    def spy(self, chats, config=None, **kw):
        seen.append(config)
        return real(self, chats, config, **kw)

    monkeypatch.setattr(Model, "generate", spy)
    rec = answer.run_one(spec, n=2)
    assert rec.model == spec
    assert (rec.spec["decoding"], rec.spec["temperature"], rec.spec["top_p"]) == (
        "recommended",
        0.2,
        0.9,
    )
    assert {(c.temperature, c.top_p) for c in seen} == {(0.2, 0.9)}
    seen.clear()
    paper = answer.run_one(spec, n=2, decoding="paper")
    assert paper.model == f"{spec} [T=1]" and paper.spec["temperature"] == 1.0
    assert {(c.temperature, c.top_p) for c in seen} == {(1.0, None)}


@pytest.fixture
def built_answer(syco_home: Path, data_mirror: Path) -> Path:
    from syco.data.build import build
    from syco.data.fetch import fetch

    fetch()
    build(n=4, only=["answer"])
    return syco_home


def test_paper_scale_parameters_are_valid_for_every_chapter() -> None:
    """`syco run all --scale paper` passes the same checks as any -p value."""
    from syco.project import CHAPTERS
    from syco.runner.execute import validate
    from syco.runner.scale import PAPER, scale_params

    assert set(PAPER) == set(CHAPTERS)
    for name, ch in CHAPTERS.items():
        assert scale_params(name, "default") == {}
        validate(ch, scale_params(name, "paper"))
    with pytest.raises(SycoError, match="--scale"):
        scale_params("answer", "huge")


def _metrics() -> pd.DataFrame:
    rows = [
        # §3.3: baseline accuracy of one data set, n = 100, half-width 6 points
        dict(chapter="answer", model="smollm2", metric="accuracy", subset="trivia_qa",
             template="baseline", value=0.1, ci_low=0.05, ci_high=0.17, n=100),
        dict(chapter="answer", model="smollm2", metric="accuracy", subset="trivia_qa",
             template="think_correct", value=0.5, ci_low=0.0, ci_high=1.0, n=100),
        # §4.2: the curve's end (largest N) is the headline, not N = 1
        dict(chapter="pm_bon", model="smollm2 [PM smollm2-rm]", metric="answer_sycophancy",
             subset="PM", N=1, value=0.0, ci_low=-0.05, ci_high=0.05, n=40),
        dict(chapter="pm_bon", model="smollm2 [PM smollm2-rm]", metric="answer_sycophancy",
             subset="PM", N=8, value=0.1, ci_low=-0.2, ci_high=0.4, n=40),
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_precision_table_from_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from syco.book.precision import END, START, precision_frame, precision_markdown, write_block

    df = precision_frame(_metrics())
    acc = df[df["metric"] == "accuracy"].iloc[0]
    assert acc["n"] == 100 and acc["half_width_pts"] == pytest.approx(6.0)
    assert bool(acc["meets_target"]) and len(df[df["metric"] == "accuracy"]) == 1
    bon = df[df["metric"] == "answer_sycophancy"].iloc[0]
    assert bon["half_width_pts"] == pytest.approx(30.0) and not bool(bon["meets_target"])
    assert "(8)" in bon["rows"]
    # a 30-point half-width needs about (30/10)^2 = 9 times the items (est.)
    assert bon["n_for_target"] == 360 and acc["n_for_target"] == 100
    table = precision_markdown(_metrics())
    assert "| 6.0 pts | yes |" in table and "| 30.0 pts | no | 360 |" in table
    # an empty subset (no item passed a filter) has no interval: a dash, never "nan"
    empty = pd.DataFrame([dict(chapter="mimicry", model="qwen-0.5b", metric="mimicry",
                               subset="filtered", value=None, ci_low=None, ci_high=None, n=0)])  # fmt: skip
    row = precision_markdown(empty).splitlines()[-1]
    assert "nan" not in row and row.endswith("| 0 | — | no | — |"), row
    from syco.book.precision import chapter_table

    page = chapter_table(_metrics(), "pm_bon")
    assert list(page["n for ≤ 10 pts (est.)"]) == [360] and list(page["n"]) == [40]
    # bounds reach the page unrounded (it formats them once); the half-width to 0.1 point
    fine = _metrics()
    fine.loc[fine["N"] == 8, "ci_high"] = 0.49498  # 0.495 after a first rounding: "[.., 50]"
    page = chapter_table(fine, "pm_bon")
    assert list(page["ci_high"]) == [0.49498] and list(page["half_width_pts"]) == [34.7]
    log = tmp_path / "docs" / "MEASUREMENTS.md"  # where the table lives (README: a front door)
    log.parent.mkdir()
    log.write_text(f"intro\n{START}\nold\n{END}\nrest\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    write_block(log, table)
    text = log.read_text(encoding="utf-8")
    assert "old" not in text and "| 6.0 pts | yes |" in text and text.endswith(f"{END}\nrest\n")
    # the note names the command that regenerates this very file, relative to the checkout
    assert "`syco results --precision --into docs/MEASUREMENTS.md`" in text
    assert str(tmp_path) not in text
    other = tmp_path / "OTHER.md"
    other.write_text("no markers", encoding="utf-8")
    with pytest.raises(SycoError, match="precision:start"):
        write_block(other, table)


def test_the_summary_counts_the_rows_within_target_from_the_table() -> None:
    """The summary page said the default sizes keep every embedded-model headline within 10
    points while its own table showed §4.2 at ±70; the sentence is now counted."""
    from syco.book.precision import precision_page

    text = precision_page(_metrics()).splitlines()[-1]
    assert "`smollm2` 1 of 1" in text and "`smollm2 [PM smollm2-rm]` 0 of 1" in text
    assert "Not within it: rows of §4.2 pm_bon" in text and "§3.3" not in text.split("Not")[1]


def test_half_width_near_the_target_is_not_rounded_onto_it() -> None:
    """9.953 meets 10 and reads "9.95 pts" beside "yes" (it read "10.0 pts"); 10.04 misses and
    reads "10.04 pts" beside "no"; elsewhere one decimal."""
    from syco.book.precision import chapter_table, half_rounded, half_text, precision_markdown

    assert half_text(9.953) == "9.95 pts" and half_text(10.04) == "10.04 pts"
    assert (
        half_text(6.04) == "6.0 pts"
        and half_text(10.0) == "10.0 pts"
        and half_text(float("nan")) == "—"
    )
    assert half_rounded(9.953) == 9.95 and half_rounded(34.73) == 34.7
    near = _metrics()
    near.loc[near["N"] == 8, ["ci_low", "ci_high"]] = [0.0, 0.19906]  # half-width 9.953
    assert "| 9.95 pts | yes |" in precision_markdown(near)
    assert list(chapter_table(near, "pm_bon")["half_width_pts"]) == [9.95]


def test_page_sentences_and_tables_share_one_half_width_format() -> None:
    from syco.stats import half_points, half_rounded

    assert half_points(9.953) == "9.95" and half_points(10.04) == "10.04"
    assert half_points(6.04) == "6.0" and half_points(10.0) == "10.0"
    assert half_rounded(9.953) == 9.95
