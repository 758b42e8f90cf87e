"""`syco run CHAPTER [--model SPEC]... [-p key=value]... [--max-error-rate R] [--timeout S]`"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from syco.errors import SycoError
from syco.project import CHAPTERS, chapter, project_root
from syco.runner.execute import parse_params, run_chapter, validate
from syco.runner.scale import scale_params


def read_report(path: Path) -> list[dict[str, Any]]:
    """What the chapter's kernel did with each record (`syco.results.store.save_run`)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def error_lines(entries: list[dict[str, Any]], max_error_rate: float) -> tuple[list[str], bool]:
    """One line per model and role with failed calls; whether any rate is above the limit."""
    lines, over = [], False
    for e in entries:
        for role, c in e["roles"].items():
            total = c["answered"] + c["errors"]
            if not c["errors"]:
                continue
            rate = c["errors"] / total if total else 1.0
            over |= rate > max_error_rate
            lines.append(
                f"  {e['chapter']} {e['model']}: {role}: {c['errors']} of {total} calls failed "
                f"({rate:.0%})"
            )
        if e["status"] == "kept":
            lines.append(
                f"  {e['chapter']} {e['model']}: the previous record (with "
                f"{e['previous_errors']} failed calls) was kept; rerun to complete this one"
            )
    return lines, over


def run(
    name: str = typer.Argument(..., help=f"Chapter: {', '.join(CHAPTERS)}, or 'all'."),
    model: list[str] = typer.Option(
        [], "--model", "-m", help="Model spec to run (repeatable); sets the `models` parameter."
    ),
    param: list[str] = typer.Option([], "--param", "-p", help="Notebook parameter key=value."),
    max_error_rate: float = typer.Option(
        0.0,
        "--max-error-rate",
        min=0.0,
        max=1.0,
        help="Fail (exit 1, keep the published page) when more than this share of any model's "
        "or role's calls failed. Successful answers are kept either way; a rerun completes "
        "the rest.",
    ),
    timeout: float | None = typer.Option(
        None,
        "--timeout",
        min=0.001,
        help="Seconds one API request may take (default 120, or $SYCO_TIMEOUT).",
    ),
    batch: bool = typer.Option(
        False,
        "--batch",
        help="Send API models' uncached requests as provider batches (about half price; "
        "waits for them; a rerun resumes). Same as -p batch=True.",
    ),
    plan: bool = typer.Option(
        False,
        "--plan",
        help="Print requests, answer-key hits, tokens and cost per model and role; call nothing.",
    ),
    scale: str = typer.Option(
        "default",
        "--scale",
        help="default (the notebooks' sizes) or paper (every item of every set at the paper's "
        "pool sizes; see syco.runner.scale). -p values override it.",
    ),
) -> None:
    """Execute a chapter notebook with papermill into book/chapters/.

    Earlier models' results stay and appear beside the new ones; their calls come from
    the cache. A record is never replaced by one with more failed calls."""
    params = parse_params(param)
    if batch:  # every chapter declares `batch`; --batch sets it, so the page says so
        params["batch"] = True
    if model:
        params["models"] = list(model)
    if timeout is not None:
        os.environ["SYCO_TIMEOUT"] = f"{timeout:g}"
    names = list(CHAPTERS) if name == "all" else [name]
    per = {n: {**scale_params(chapter(n).name, scale), **params} for n in names}
    for n in names:  # every chapter's parameters before the first kernel starts
        validate(chapter(n), per[n])
    batch = params.get("batch") is True
    failed = []
    for n in names:
        ch = chapter(n)
        if plan:
            from syco.models.plan import format_plan
            from syco.runner.plan import plan_chapter

            typer.echo(f"planning §{ch.section} {ch.title}: nothing is called", err=True)
            rows, note = plan_chapter(ch, per[n])
            typer.echo(format_plan(f"§{ch.section} {ch.name}", rows, note))
            continue
        start = time.time()
        typer.echo(f"running §{ch.section} {ch.title} ({ch.notebook})", err=True)
        with tempfile.TemporaryDirectory(prefix="syco-report-") as tmp:
            report = Path(tmp) / "report.jsonl"
            os.environ["SYCO_RUN_REPORT"] = str(report)
            verdict: dict[str, Any] = {}

            page = project_root() / "book" / "chapters" / ch.notebook

            def accept(
                _executed: Path, report: Path = report, verdict: dict = verdict, page: Path = page
            ) -> None:
                # Over the limit, the published page stays; a first page is published
                # anyway (its errors counted on it), so the chapter is in the book.
                lines, over = error_lines(read_report(report), max_error_rate)
                verdict.update(lines=lines, over=over)
                if over and page.exists():
                    raise SycoError("too many failed calls")

            out: Path | None = None
            try:
                with batch_mode(batch):
                    out = run_chapter(ch, per[n], accept=accept)
            except SycoError:
                if not verdict.get("over"):
                    raise
            finally:
                os.environ.pop("SYCO_RUN_REPORT", None)
        for line in verdict.get("lines", []):
            typer.echo(line, err=True)
        took = f"{time.time() - start:.0f} s"
        if verdict.get("over"):
            failed.append(n)
            kept = "the published page is unchanged" if out is None else f"page: {out}"
            typer.echo(
                f"  FAILED after {took}: failed calls above --max-error-rate "
                f"{max_error_rate:g} ({kept}); rerun to retry only what failed",
                err=True,
            )
        else:
            typer.echo(f"  done in {took} -> {out}", err=True)
    if failed:
        raise typer.Exit(1)


@contextlib.contextmanager
def batch_mode(on: bool) -> Iterator[None]:
    """``SYCO_BATCH=1`` for the chapter's kernel, and batch progress printed here (the
    kernel's own output is the published page)."""
    if not on:
        yield
        return
    from syco.models.batch import watch

    os.environ.update(SYCO_BATCH="1", SYCO_BATCH_PARENT=str(os.getpid()))
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(stop, time.time()), daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()
        os.environ.pop("SYCO_BATCH", None)
        os.environ.pop("SYCO_BATCH_PARENT", None)


command = run
