"""How the book shows tables, links and counts (issue 21, items 9-10): no positional index,
values as "58% [52, 64]" with n in its own column, counts as integers, no cell cut short,
transcripts that say how many rows they show, and no placeholder or dead repository link."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from syco.book import build as B
from syco.book import pages as P
from syco.book import transcripts as T
from syco.book.notebooks import banner
from syco.plots import (
    display_frame,
    fmt_interval,
    install_table_display,
    ours,
    paper_vs_ours,
    table_html,
)
from syco.project import CHAPTERS

REPO = Path(__file__).resolve().parents[1]
LONG = "The PM prefers the sycophantic reply over the truthful one, " * 4  # > 50 characters
# What must never reach a reader: a template placeholder, or pandas' cut-off cell.
PLACEHOLDER = re.compile(r"<\s*(?:repository|repo|your)[^<>]*>|&lt;\s*(?:repository|repo|your)"
                         r"|\bTODO\b|\bFIXME\b", re.I)  # fmt: skip


def _metric_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"model": "m", "metric": "accuracy", "subset": "all", "value": 0.5812, "ci_low": 0.52,
             "ci_high": 0.64, "n": 240.0, "n_errors": 6.0, "n_unparsed": float("nan")},
            {"model": "m", "metric": "delta_accuracy", "subset": "all", "value": -0.0381,
             "ci_low": -0.045, "ci_high": -0.031, "n": 4024, "n_errors": 0, "n_unparsed": 1},
        ]
    )  # fmt: skip


def test_display_frame_drops_the_positional_index_and_formats_values_and_counts():
    shown = display_frame(_metric_rows().iloc[[1, 0]])  # a filtered index: 1, 0
    assert list(shown.columns) == [
        "model", "metric", "subset", "value [95% CI]", "n", "n_errors", "n_unparsed"
    ]  # fmt: skip
    # each in its metric's unit (`syco.units`): a difference of shares in percentage points
    assert shown["value [95% CI]"].tolist() == ["-3.8 pp [-4.5, -3.1]", "58% [52, 64]"]
    assert shown["n"].tolist() == ["4,024", "240"]
    assert shown["n_errors"].tolist() == ["0", "6"]  # never "6.000" or "6.0"
    html = table_html(_metric_rows())
    assert "<th>0</th>" not in html and "<th></th>" not in html


def test_an_interval_joins_the_value_before_it_and_a_column_keeps_one_precision():
    df = pd.DataFrame({"accuracy": [0.092, 0.323], "ci_low": [0.043, 0.222],
                       "ci_high": [0.187, 0.444], "temperature": [0.2, 1.0]})  # fmt: skip
    shown = display_frame(df)
    assert list(shown.columns) == ["accuracy [95% CI]", "temperature"]
    assert shown["accuracy [95% CI]"].tolist() == ["9% [4, 19]", "32% [22, 44]"]
    assert shown["temperature"].tolist() == ["0.2", "1.0"]  # not "0.200" beside "1.00"


def test_a_meaningful_index_becomes_columns_and_a_pivot_has_no_header_stub():
    pv = _metric_rows().pivot_table(index=["model", "metric"], columns="subset", values="value")
    html = table_html(pv)
    assert re.findall(r"<th>([^<]*)</th>", html) == ["model", "metric", "all"]
    assert "<tbody>\n    <tr>\n      <td>m</td>" in html


def test_no_cell_is_cut_short():
    df = pd.DataFrame({"quantity": [LONG], "n": [3]})
    html = table_html(df)
    assert LONG.strip() in html and "..." not in html and "…" not in html
    assert LONG.strip() in P.md_table(df)


def test_a_long_table_says_how_many_rows_it_leaves_out(monkeypatch):
    import syco.plots

    monkeypatch.setattr(syco.plots, "MAX_ROWS", 3)
    html = table_html(pd.DataFrame({"x": range(5)}))
    assert html.count("<tr>") == 3 and "The first 3 of 5 rows." in html  # body rows
    assert "rows.</p>" not in table_html(pd.DataFrame({"x": range(3)}))


def test_interval_format_follows_the_method():
    assert fmt_interval(0.5812, 0.52, 0.64) == "58% [52, 64]"
    assert fmt_interval(0.5812, 0.52, 0.64, "wilson") == "58% [52, 64]"
    # a paired-difference interval bounds a difference of shares: points (reader's review)
    assert fmt_interval(0.004, -0.001, 0.009, "newcombe-paired") == "+0.4 pp [-0.1, +0.9]"
    assert fmt_interval(0.5, 0.2, 0.8, "bootstrap") == "0.500 [0.200, 0.800]"  # not a share
    assert fmt_interval(2.5, 1.0, 4.0) == "2.50 [1.00, 4.00]"
    assert fmt_interval(0.9, None, None) == "90% [no CI]"
    assert fmt_interval(-0.001, -0.04, 0.03) == "0% [-4, 3]"  # no "-0%"


def test_ours_keeps_n_for_its_own_column_in_paper_vs_ours():
    row = {"value": 0.5812, "ci_low": 0.52, "ci_high": 0.64, "n": 240, "ci_method": "wilson"}
    assert ours(row) == "58% [52, 64]" and ours(row).n == 240
    assert ours({"value": float("nan"), "n": 0}) == "no data"
    df = paper_vs_ours(
        [{"quantity": LONG, "paper": "95% [P]", "ours": ours(row), "model": "m"},
         {"quantity": "free text", "paper": "x", "ours": "M = 8", "model": "m"}],
        cite="§4.3, Fig. 7a",
    )  # fmt: skip
    assert list(df.columns) == [
        "Quantity", "Paper (Sharma et al. 2023, §4.3, Fig. 7a)", "Ours (measured)", "n",
        "Our model",
    ]  # fmt: skip
    assert df["n"].tolist()[0] == 240 and pd.isna(df["n"].tolist()[1])
    html = table_html(df)
    assert "<td>58% [52, 64]</td>\n      <td>240</td>" in html and LONG.strip() in html


def test_the_kernel_shows_every_dataframe_through_table_html():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        with pd.option_context("display.max_colwidth", 50):
            assert install_table_display()
            data, _ = shell.display_formatter.format(pd.DataFrame({"quantity": [LONG]}))
            assert LONG.strip() in data["text/html"] and "syco-frame" in data["text/html"]
    finally:
        InteractiveShell.clear_instance()


def test_summary_prints_counts_as_integers_and_values_as_percent_with_ci():
    m = _metric_rows().assign(chapter="answer", ci_method="wilson")
    html = P.summary_table(m)
    assert "58% <span class='syco-ci'>[52, 64]</span>" in html
    assert "<td class='syco-num'>6</td>" in html and "6.000" not in html
    assert "<td class='syco-num'>4,024</td>" in html
    assert P.fmt_num(6.0) == "6" and P.fmt_num(6) == "6" and P.fmt_num(0.25) == "0.250"


def test_summary_rows_carry_the_columns_that_tell_them_apart():
    """Rows that share metric, subset and model differ by template, N or level: the
    summary shows those columns (blank where a chapter has none)."""
    base = {"chapter": "pm_bon", "model": "m", "metric": "answer_sycophancy", "subset": "PM",
            "value": 0.1, "ci_low": 0.0, "ci_high": 0.2, "n": 4, "n_errors": 0,
            "n_unparsed": 0}  # fmt: skip
    m = pd.DataFrame([{**base, "N": 1}, {**base, "N": 8}, {**base, "chapter": "answer",
                      "metric": "delta_accuracy", "subset": "all", "template": "t1"},
                      {**base, "chapter": "answer", "metric": "delta_accuracy",
                       "subset": "all", "template": "t2"}])  # fmt: skip
    html = P.summary_table(m)
    heads = re.findall(r"<th>([^<]*)</th>", html.split("</thead>")[0])
    assert heads[:5] == ["Metric", "Subset", "template", "N", "Model"]
    assert "<td>t1</td>" in html and "<td>t2</td>" in html
    assert "<td>8</td>" in html and "<td>8.0</td>" not in html


def _transcript_rows(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        [{"model": "m", "item": f"q{i}", "score": 1.0,
          "transcript": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
         for i in range(n)]
    )  # fmt: skip


def test_transcripts_page_says_how_many_rows_it_shows():
    ch = CHAPTERS["answer"]
    capped = T.transcripts_page(ch, _transcript_rows(7), True, per_model=5)
    assert "5 of the 7 samples the chapter scored" in capped
    assert "Every sample" not in capped and "All 7" not in capped
    assert capped.count("<tr class='syco-row") == 5
    whole = T.transcripts_page(ch, _transcript_rows(3), True, per_model=5)
    assert "All 3 samples the chapter scored" in whole


def _config(tmp_path: Path, url: str) -> Path:
    cfg = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    cfg["repository"]["url"] = url
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(cfg), "utf-8")
    (tmp_path / "book" / "generated").mkdir(parents=True)
    return tmp_path


def test_without_a_repository_no_button_or_launch_link_is_made(tmp_path: Path):
    root = _config(tmp_path, "")
    cfg = yaml.safe_load(B.write_config(root).read_text(encoding="utf-8"))
    assert cfg["html"]["use_repository_button"] is False
    assert cfg["html"]["use_issues_button"] is False
    assert "launch_buttons" not in cfg
    text = B.install_text(*B.repository(root))
    assert "pip install -e ." in text and not PLACEHOLDER.search(text)
    assert "git+" not in text and "launch buttons at the top" not in text
    note = banner(CHAPTERS["answer"], {}, "", "", "main")
    assert "colab" not in note.lower() and "mybinder" not in note


def test_a_repository_url_switches_every_link_on_from_one_setting(tmp_path: Path):
    root = _config(tmp_path, "https://github.com/someone/sycophancy/")
    url, branch = B.repository(root)
    assert (url, B.github_slug(url)) == (
        "https://github.com/someone/sycophancy",
        "someone/sycophancy",
    )
    cfg = yaml.safe_load(B.write_config(root).read_text(encoding="utf-8"))
    assert cfg["html"]["use_repository_button"] is True and cfg["launch_buttons"]["colab_url"]
    assert 'pip install "git+https://github.com/someone/sycophancy@main"' in B.install_text(
        url, branch
    )
    note = banner(CHAPTERS["answer"], {}, "", B.github_slug(url), branch)
    assert "colab.research.google.com/github/someone/sycophancy/blob/main/notebooks/" in note


def test_the_committed_config_names_no_repository_that_does_not_exist():
    """The repository the buttons used to open was never published: the committed setting
    is empty until a real one exists (then set `repository.url` and nothing else)."""
    cfg = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert "syco-book/sycophancy-book" not in (REPO / "_config.yml").read_text(encoding="utf-8")
    assert not cfg["repository"]["url"] or B.github_slug(cfg["repository"]["url"])


def test_no_page_source_carries_a_placeholder():
    hits = []
    for f in sorted((REPO / "book").glob("*.md")):
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if PLACEHOLDER.search(line):
                hits.append(f"{f.name}:{i}: {line.strip()}")
    assert hits == []


def test_figures_carry_one_number_the_paper_s():
    """Captions say "Fig. 3 (ours)"; Sphinx's own numbering would prefix a second one."""
    from jupyter_book.config import get_final_config

    cfg, _ = get_final_config(
        user_yaml=REPO / "_config.yml", sourcedir=REPO, cli_config={"latex_individualpages": False}
    )
    assert cfg["numfig"] is False
    # this extension turns numfig back on for every builder when Sphinx starts
    assert "sphinx_jupyterbook_latex" not in cfg["extensions"]


BUILT = REPO / "_build" / "html"


@pytest.mark.skipif(not (BUILT / "book").is_dir(), reason="the book is not built here")
def test_the_built_book_has_no_placeholder_cut_cell_or_second_figure_number():
    """On the book `syco book` last built in this checkout (skipped where there is none)."""
    problems = []
    for f in sorted(BUILT.rglob("*.html")):
        if f.relative_to(BUILT).as_posix().startswith("_"):
            continue
        html = f.read_text(encoding="utf-8", errors="replace")
        rel = f.relative_to(BUILT).as_posix()
        if m := PLACEHOLDER.search(html):
            problems.append(f"{rel}: placeholder {m.group(0)!r}")
        for cell in re.findall(r"<td>([^<]*)</td>", html):
            text = htmllib.unescape(cell)
            if len(text) in (49, 50) and text.endswith("..."):  # pandas cuts at max_colwidth=50
                problems.append(f"{rel}: cut cell {text!r}")
        if "caption-number" in html:
            problems.append(f"{rel}: a second figure number")
        if "syco-book/sycophancy-book" in html:
            problems.append(f"{rel}: link to a repository that does not exist")
    assert problems == []


def test_the_pairwise_pm_row_names_what_it_scores():
    """The A/B row compares log P("A") with log P("B"); it said log P(" Yes")."""
    from syco.pm import sanity

    def m(model: str, metric: str) -> dict:
        return {"model": model, "metric": metric, "subset": "all", "value": 0.5,
                "ci_low": 0.4, "ci_high": 0.6, "n": 100}  # fmt: skip

    t = sanity.table(pd.DataFrame([m("smollm2", "heldout_accuracy"),
                                   m("smollm2", "pairwise_accuracy")]))  # fmt: skip
    pairwise = [s for s in t["scorer"] if "pairwise" in s]
    assert pairwise and all('log P("A") vs log P("B")' in s for s in pairwise)
    assert all("Yes" not in s for s in pairwise)
    assert P.md_table(t).count("50% [40, 60]") == 2 and "..." not in P.md_table(t)
