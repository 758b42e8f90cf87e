"""`syco run CHAPTER [--model SPEC]... [-p key=value]...`"""

from __future__ import annotations

import time

import typer

from syco.project import CHAPTERS, chapter
from syco.runner.execute import parse_params, run_chapter


def run(
    name: str = typer.Argument(..., help=f"Chapter: {', '.join(CHAPTERS)}, or 'all'."),
    model: list[str] = typer.Option(
        [], "--model", "-m", help="Model spec to run (repeatable); sets the `models` parameter."
    ),
    param: list[str] = typer.Option([], "--param", "-p", help="Notebook parameter key=value."),
) -> None:
    """Execute a chapter notebook with papermill into book/chapters/.

    Earlier models' results stay and appear beside the new ones; their calls come from
    the cache."""
    params = parse_params(param)
    if model:
        params["models"] = list(model)
    names = list(CHAPTERS) if name == "all" else [name]
    for n in names:
        ch = chapter(n)
        start = time.time()
        typer.echo(f"running §{ch.section} {ch.title} ({ch.notebook})", err=True)
        out = run_chapter(ch, params)
        typer.echo(f"  done in {time.time() - start:.0f} s -> {out}", err=True)


command = run
