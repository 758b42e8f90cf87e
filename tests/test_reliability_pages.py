"""The reliability suite, pages and records: a failed run never replaces a published page,
and `syco run` / `syco book` never make a record or a page worse.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_helpers import (
    REPO,
    clean_env,
    ctrl_c_once_the_server_is_asked,
    syco,
)
from servers import error

from syco.cache import Cache
from syco.errors import SycoError

# -- pages: executed into a temporary file, published only on success ---------------------------


def _fake_papermill(monkeypatch, fail: BaseException | None):
    import papermill as pm

    def execute_notebook(src, out, **kwargs):
        Path(out).write_text('{"half": "a page"', encoding="utf-8")  # what a crash leaves
        if fail is not None:
            raise fail

    monkeypatch.setattr(pm, "execute_notebook", execute_notebook)


@pytest.mark.parametrize("how", ["error", "interrupt"])
def test_a_failed_run_never_replaces_the_published_page(syco_home, tmp_path, monkeypatch, how):
    import papermill as pm

    from syco.errors import Interrupted
    from syco.project import CHAPTERS
    from syco.runner import run_chapter

    out_dir = tmp_path / "chapters"
    out_dir.mkdir()
    page = out_dir / CHAPTERS["answer"].notebook
    page.write_text("the good page", encoding="utf-8")
    if how == "error":
        fail = pm.PapermillExecutionError(3, 3, "x = 1", "ValueError", "bad", ["tb"])
        expect: type[Exception] = SycoError
    else:
        fail, expect = KeyboardInterrupt(), Interrupted
    _fake_papermill(monkeypatch, fail)
    with pytest.raises(expect) as e:
        run_chapter(CHAPTERS["answer"], {"n": 2}, output_dir=out_dir, progress=False)
    assert page.read_text(encoding="utf-8") == "the good page"
    assert sorted(p.name for p in out_dir.iterdir()) == [page.name]  # no temp file left
    if how == "error":
        assert "published page is unchanged" in str(e.value)
        assert (syco_home / "failed" / page.name).read_text().startswith('{"half"')


def test_a_successful_run_is_published_whole(syco_home, tmp_path, monkeypatch):
    from syco.project import CHAPTERS
    from syco.runner import run_chapter

    _fake_papermill(monkeypatch, None)
    out_dir = tmp_path / "chapters"
    out = run_chapter(CHAPTERS["answer"], {}, output_dir=out_dir, progress=False)
    assert out.read_text(encoding="utf-8") == '{"half": "a page"'
    assert [p.name for p in out_dir.iterdir()] == [out.name]


# -- end to end: `syco run` and `syco book` never make a record or a page worse --------------------


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "book" / "chapters").mkdir(parents=True)
    (root / "notebooks").mkdir()
    for f in ("_config.yml", "_toc.yml", "pyproject.toml"):
        (root / f).write_text((REPO / f).read_text())
    nb = "03_3_answer.ipynb"
    (root / "notebooks" / nb).write_text((REPO / "notebooks" / nb).read_text())
    return root


def _answer_project(tmp_path, syco_home, data_mirror, server, n: int):
    """A project with the §3.3 notebook, its data built (`n` per set), and the environment of
    a shell whose OPENAI_* variables point at `server`."""
    from test_answer_chapter import build_sets

    build_sets(["answer"], n=n)
    root = _project(tmp_path)
    env = clean_env(
        SYCO_HOME=str(syco_home),
        SYCO_PROJECT_DIR=str(root),
        SYCO_DATA_MIRROR=str(data_mirror),
        OPENAI_API_KEY="local-key",
        OPENAI_BASE_URL=server.base_url,
    )
    return root, env


@pytest.mark.slow
def test_run_and_book_never_make_a_record_or_a_page_worse(
    syco_home, data_mirror, openai_server, tmp_path, monkeypatch
):
    """`syco run` against a local server; a later run whose calls all fail exits 1 and keeps
    the record and the page; `syco book` from a shell with no endpoint variable, then with
    another URL and no key, replays with zero calls and leaves the record byte-identical; with
    answers missing from the answer key it fails naming chapter, model and count, and keeps
    record and page."""
    from syco.book import build as B

    root, env = _answer_project(tmp_path, syco_home, data_mirror, openai_server, 3)
    run = ("run", "answer", "-m", "openai/m", "-p", "max_tokens=8")
    first = syco(*run, "-p", "n=1", env=env, timeout=600)
    assert first.returncode == 0, first.stderr.decode()
    record = syco_home / "results" / "answer" / "openai__m.json"
    page = root / "book" / "chapters" / "03_3_answer.ipynb"
    good_record, good_page = record.read_bytes(), page.read_bytes()
    assert json.loads(good_record)["spec"]["new_calls"] == 8

    openai_server.default = error(400)  # every new question fails now
    worse = syco(*run, "-p", "n=2", env=env, timeout=600)
    err = worse.stderr.decode()
    assert worse.returncode == 1, err
    assert "answer openai/m: subject (openai/m): 8 of 16 calls failed (50%)" in err
    assert "previous record (with 0 failed calls) was kept" in err
    assert "published page is unchanged" in err
    assert record.read_bytes() == good_record and page.read_bytes() == good_page

    for k in [k for k in os.environ if k.startswith(("OPENAI_", "ANTHROPIC_"))]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("SYCO_PROJECT_DIR", str(root))
    monkeypatch.setattr(
        B, "jupyter_book", lambda root, **k: subprocess.CompletedProcess([], 0, "", "")
    )
    calls = openai_server.calls
    report = B.build_book(root=root)
    assert report.model_calls == 0 and openai_server.calls == calls
    assert set(report.executed) == {"answer"} and not report.failed
    assert record.read_bytes() == good_record
    from servers import closed_port

    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")  # another URL
    report = B.build_book(root=root)
    assert report.model_calls == 0 and openai_server.calls == calls and not report.failed
    assert record.read_bytes() == good_record
    replayed_page = page.read_bytes()

    conn = sqlite3.connect(syco_home / "cache.sqlite")
    conn.execute("DELETE FROM answers WHERE rowid IN (SELECT rowid FROM answers LIMIT 3)")
    conn.commit()
    conn.close()
    with pytest.raises(SycoError, match=r"answer: openai/m: 3 answer\(s\) not in the answer key"):
        B.build_book(root=root)
    assert record.read_bytes() == good_record and page.read_bytes() == replayed_page
    assert openai_server.calls == calls


@pytest.mark.slow
def test_ctrl_c_during_syco_run_is_one_line_and_publishes_nothing(
    syco_home, data_mirror, openai_server, tmp_path
):
    root, env = _answer_project(tmp_path, syco_home, data_mirror, openai_server, 1)
    openai_server.latency = 30  # the kernel waits on its first request when Ctrl-C comes
    args = ["run", "answer", "-m", "openai/m", "-p", "n=1"]
    rc, text = ctrl_c_once_the_server_is_asked(args, env, openai_server, 300)
    lines = [ln for ln in text.splitlines() if ln.strip() and "Executing" not in ln]
    assert rc == 130, text
    assert lines[-1] == "syco: interrupted; 0 results kept, rerun to finish", text
    assert "Traceback" not in text and len(lines) == 2  # "running §3.3 ..." and that line
    assert not list((root / "book" / "chapters").iterdir())


def test_a_read_only_or_locked_cache_says_what_to_do(tmp_path, monkeypatch):
    cache = Cache(tmp_path / "c.sqlite")
    for raised, expect in (
        ("attempt to write a readonly database", "read-only"),
        ("database is locked", "stayed locked by another process"),
    ):

        class Conn:
            def execute(self, *a, msg=raised):
                raise sqlite3.OperationalError(msg)

        monkeypatch.setattr(cache, "_conn", lambda conn=Conn(): conn)
        with pytest.raises(SycoError, match=expect):
            len(cache)
