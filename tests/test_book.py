"""`syco book` without a browser: the table of contents, generated pages, notebook
preparation, the offline/key-less build environment and the zero-call check."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from syco.book import build as B
from syco.book import pages as P
from syco.book import transcripts as T
from syco.book.costs import estimate, replay_tokens
from syco.book.notebooks import BANNER_TAG, prepare_notebook
from syco.errors import SycoError
from syco.project import CHAPTERS

REPO = Path(__file__).resolve().parents[1]


def _files(node) -> list[str]:
    if isinstance(node, dict):
        own = [node[k] for k in ("root", "file") if k in node]
        return own + [f for v in node.values() for f in _files(v)]
    if isinstance(node, list):
        return [f for v in node for f in _files(v)]
    return []


def test_toc_lists_every_chapter_in_paper_order_with_its_transcripts():
    files = _files(yaml.safe_load((REPO / "_toc.yml").read_text()))
    chapters = [f for f in files if f.startswith("book/chapters/")]
    assert chapters == [f"book/chapters/{Path(c.notebook).stem}" for c in CHAPTERS.values()]
    for c in CHAPTERS.values():
        i = files.index(f"book/chapters/{Path(c.notebook).stem}")
        assert files[i + 1] == f"book/generated/transcripts/{c.name}"
    for page in ("book/intro", "book/summary", "book/rerun", "book/teach", "book/references"):
        assert page in files and (REPO / f"{page}.md").exists()
    assert "book/data" in files


def test_write_toc_points_chapters_not_run_at_placeholders(tmp_path: Path):
    (tmp_path / "book" / "generated").mkdir(parents=True)
    (tmp_path / "_toc.yml").write_text((REPO / "_toc.yml").read_text())
    out = B.write_toc(tmp_path, {"answer"}, data_ok=False)
    files = _files(yaml.safe_load(out.read_text()))
    assert "book/chapters/03_3_answer" in files
    assert "book/generated/pending/03_1_feedback" in files
    assert "book/chapters/03_1_feedback" not in files
    assert "book/generated/pending/data" in files and "book/data" not in files


def _metrics() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"chapter": "answer", "model": "smollm2", "metric": "accuracy", "subset": "all",
             "value": 0.5, "ci_low": 0.25, "ci_high": 0.75, "n": 20, "n_errors": 0,
             "n_unparsed": 1},
            {"chapter": "answer", "model": "openai/<b>x</b>", "metric": "accuracy", "subset": "all",
             "value": 0.9, "ci_low": float("nan"), "ci_high": float("nan"), "n": 1,
             "n_errors": 2, "n_unparsed": 0, "paper": "27% [P]"},
        ]
    )  # fmt: skip


def test_summary_table_has_a_row_per_metric_escaped_with_cis_and_paper():
    html = P.summary_table(_metrics(), available={"answer"})
    assert html.count("<tr class='syco-row") == 2
    assert "openai/&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "50% <span class='syco-ci'>[25, 75]</span>" in html
    assert "[no CI]" in html
    assert "syco-row syco-warn" in html  # the row with errors is flagged
    assert "27% [P]" in html
    assert html.count("class='syco-group'") == len(CHAPTERS)
    assert "href='chapters/03_3_answer.html'" in html
    assert "href='chapters/03_1_feedback.html'" not in html  # not run: no dead link
    assert "syco run feedback" in html


def _rows(n: int, model: str) -> list[dict]:
    return [
        {"model": model, "item": f"q{i}", "template": "t", "parsed": "A", "score": 1.0,
         "error": "boom" if i == 0 else None, "note": "<i>x</i>",
         "transcript": [{"role": "user", "content": "<script>alert(1)</script>"},
                        {"role": "assistant", "content": "y" * (T.MAX_MESSAGE_CHARS + 5)}]}
        for i in range(n)
    ]  # fmt: skip


def test_transcript_rows_are_capped_per_model_escaped_and_flag_errors():
    rows = pd.DataFrame(_rows(5, "a") + _rows(2, "b"))
    note, html = T.transcript_rows(rows, per_model=3)
    assert note == "a: 3 of 5 rows; b: all 2 rows"
    assert html.count("<tr class='syco-row") == 5
    assert html.count("syco-row syco-warn") == 2
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html  # other fields land in the details, escaped
    assert "5 more characters" in html


def test_transcripts_page_without_runs_says_how_to_run():
    page = T.transcripts_page(CHAPTERS["mimicry"], pd.DataFrame(), chapter_available=False)
    assert "syco run mimicry" in page and "```{raw}" not in page


def test_replay_tokens_counts_each_assistant_turn_with_its_context():
    rows = pd.DataFrame(
        [{"model": "m", "chat": [{"role": "user", "content": "u" * 40},
                                 {"role": "assistant", "content": "a" * 8},
                                 {"role": "user", "content": "v" * 12},
                                 {"role": "assistant", "content": "b" * 4}]}]
    )  # fmt: skip
    # call 1: input 40, output 8; call 2: input 40+8+12=60, output 4 -> chars / 4
    assert replay_tokens(rows) == (2, 25, 3)
    assert estimate(rows, "gpt-4o-mini") == pytest.approx((25 * 0.15 + 3 * 0.60) / 1e6)
    assert estimate(rows, "no-such-model") is None


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# §3.3 Answer sycophancy\n\nThe question."),
            nbformat.v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("n = 2", metadata={"tags": ["injected-parameters"]}),
            nbformat.v4.new_code_cell("print(n)", metadata={"tags": ["remove-input"]}),
            nbformat.v4.new_code_cell("x = 1"),
        ]
    )
    nb.metadata["papermill"] = {"parameters": {"n": 2}, "end_time": "2026-01-02T03:04:05"}
    nbformat.write(nb, path)


def test_prepare_notebook_hides_code_and_places_one_banner(tmp_path: Path):
    path = tmp_path / "nb.ipynb"
    _notebook(path)
    prepare_notebook(path, CHAPTERS["answer"])
    prepare_notebook(path, CHAPTERS["answer"])  # idempotent
    nb = nbformat.read(path, as_version=4)
    banners = [c for c in nb.cells if BANNER_TAG in c.metadata.get("tags", [])]
    assert len(banners) == 1 and nb.cells[1] is banners[0]
    assert nb.cells[0].source == "# §3.3 Answer sycophancy"  # the banner sits under the title
    assert nb.cells[2].source == "The question."
    assert "`n=2`" in banners[0].source and "2026-01-02" in banners[0].source
    assert "transcripts/answer.md" in banners[0].source
    tags = [c.metadata["tags"] for c in nb.cells if c.cell_type == "code"]
    assert tags == [
        ["parameters", "hide-input"],
        ["injected-parameters", "hide-input"],
        ["remove-input"],
        ["hide-input"],
    ]


def test_build_env_is_offline_without_real_keys_and_restored(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.delenv("SYCO_OFFLINE", raising=False)
    log = tmp_path / "calls.log"
    with B.build_env(log):
        assert "OPENAI_API_KEY" not in os.environ
        assert "ANTHROPIC_API_KEY" not in os.environ
        assert os.environ["SYCO_OFFLINE"] == "1" and os.environ["SYCO_CALL_LOG"] == str(log)
    assert os.environ["OPENAI_API_KEY"] == "sk-test"
    assert "SYCO_OFFLINE" not in os.environ


def test_count_calls_sums_the_log(tmp_path: Path):
    log = tmp_path / "calls.log"
    assert B.count_calls(log) == 0
    log.write_text("3\n1\n")
    assert B.count_calls(log) == 4


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "book" / "chapters").mkdir(parents=True)
    (root / "notebooks").mkdir()
    for f in ("_config.yml", "_toc.yml"):
        (root / f).write_text((REPO / f).read_text())
    _notebook(root / "book" / "chapters" / CHAPTERS["answer"].notebook)
    return root


def _fake_render(root: Path, **_):
    return subprocess.CompletedProcess([], 0, "", "")


def test_build_fails_when_a_model_call_was_made(tmp_path: Path, monkeypatch, syco_home):
    """A chapter that reached a provider during the build (here: simulated through the call
    log the model wrapper writes) fails the build with the count."""
    root = _project(tmp_path)

    def reexecute(ch, root):
        assert os.environ["SYCO_OFFLINE"] == "1"
        assert "OPENAI_API_KEY" not in os.environ
        with open(os.environ["SYCO_CALL_LOG"], "a") as f:
            f.write("3\n")

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr(B, "reexecute", reexecute)
    monkeypatch.setattr(B, "jupyter_book", _fake_render)
    lines: list[str] = []
    with pytest.raises(SycoError, match="made 3 model call"):
        B.build_book(root=root, echo=lines.append)
    assert "model calls made: 3" in lines


def test_build_reports_zero_calls_and_generated_pages(tmp_path: Path, monkeypatch, syco_home):
    root = _project(tmp_path)
    monkeypatch.setattr(B, "reexecute", lambda ch, root: None)
    monkeypatch.setattr(B, "jupyter_book", _fake_render)
    lines: list[str] = []
    report = B.build_book(root=root, echo=lines.append)
    assert report.model_calls == 0 and "model calls made: 0" in lines
    assert set(report.executed) == {"answer"}
    assert set(report.pending) == set(CHAPTERS) - {"answer"}
    gen = root / "book" / "generated"
    for name in CHAPTERS:
        assert (gen / "transcripts" / f"{name}.md").exists()
    assert (gen / "summary_table.md").exists() and (gen / "pending" / "03_1_feedback.md").exists()
    assert (gen / "precision.md").exists()  # the summary page includes it


def test_a_chapter_failing_to_reexecute_fails_the_build_after_rendering(
    tmp_path: Path, monkeypatch, syco_home
):
    root = _project(tmp_path)

    def reexecute(ch, root):
        raise SycoError("chapter answer failed in cell 3: KeyError")

    rendered = []
    monkeypatch.setattr(B, "reexecute", reexecute)
    monkeypatch.setattr(
        B, "jupyter_book", lambda root, **k: rendered.append(1) or _fake_render(root)
    )
    with pytest.raises(SycoError, match="failed to re-execute.*KeyError"):
        B.build_book(root=root)
    assert rendered, "the book is still rendered from the last good pages"
    assert (root / "book" / "chapters" / "03_3_answer.ipynb").exists()


def test_cli_registers_syco_book():
    from typer.testing import CliRunner

    from syco.cli import app

    result = CliRunner().invoke(app, ["book", "--help"])
    assert result.exit_code == 0 and "--no-execute" in result.output


def test_an_api_model_rebuilds_from_the_cache_in_the_build_env(
    tmp_path: Path, monkeypatch, syco_home, openai_server
):
    """What a chapter run on an API model does when `syco book` re-executes it: the backend
    starts without the real key, answers come from the cache, a miss is an error, and no
    request reaches the server."""
    from syco.models import get_model

    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-key-for-the-first-run")
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    chat = [{"role": "user", "content": "What is the capital of France?"}]
    [first] = get_model("openai/fake-model").generate([chat])
    assert first.ok and not first.cached
    sent = len(openai_server.requests)
    log = tmp_path / "calls.log"
    with B.build_env(log):
        m = get_model("openai/fake-model")
        [again, miss] = m.generate([chat, [{"role": "user", "content": "not asked before"}]])
    assert again.ok and again.cached and again.text == first.text
    assert not miss.ok and "SYCO_OFFLINE" in miss.error
    assert len(openai_server.requests) == sent and B.count_calls(log) == 0


def test_capped_transcripts_share_rows_between_datasets():
    rows = [{"model": "m", "dataset": d, "i": i} for d in ("x", "y") for i in range(5)]
    kept = T._spread(rows, 4, "dataset")
    assert [(r["dataset"], r["i"]) for r in kept] == [("x", 0), ("x", 1), ("y", 0), ("y", 1)]


def test_summary_has_a_paper_column_only_when_a_metric_carries_one():
    m = _metrics()
    assert "<th>Paper (Sharma et al. 2023)</th>" in P.summary_table(m)
    assert "<th>Paper (Sharma et al. 2023)</th>" not in P.summary_table(m.drop(columns="paper"))


def test_summary_page_names_the_interval_methods_the_rows_use():
    """The page's text says which intervals the rows carry (not a bootstrap they no longer use)."""
    m = _metrics().assign(ci_method=["wilson", "newcombe-paired"])
    page = P.summary_page(m)
    assert "bootstrap" not in page
    assert "Wilson score interval (shares and means of [0, 1] values): 1 row" in page
    assert "Newcombe's paired interval (a difference on the same items): 1 row" in page
    assert "title='Wilson score interval" in page  # each value names its method on hover
    boot = P.summary_page(m.assign(ci_method=["bootstrap", "bootstrap"]))
    assert "percentile bootstrap (unbounded values; can be too narrow at small n): 2 rows" in boot
    assert "no interval recorded" in P.summary_page(_metrics())
