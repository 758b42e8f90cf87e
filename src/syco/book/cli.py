"""`syco book [--no-execute]`: rebuild the book from the answer key, with zero model calls."""

from __future__ import annotations

import time

import typer


def book(
    execute: bool = typer.Option(
        True,
        "--execute/--no-execute",
        help="Re-execute the chapters from the cache first (default), or only regenerate "
        "the pages and render.",
    ),
) -> None:
    """Build the Jupyter Book into _build/html from the cache and run records.

    Chapters are re-executed with SYCO_OFFLINE=1 (a cache miss is a recorded error, never a
    call) and no API keys; the build fails if any model call was made."""
    from syco.book.build import build_book

    start = time.time()
    report = build_book(execute=execute, echo=lambda s: typer.echo(s, err=True))
    stages = ", ".join(f"{k} {v:.0f} s" for k, v in report.seconds.items())
    typer.echo(
        f"book built in {time.time() - start:.0f} s ({stages}): {report.html / 'index.html'}"
    )


command = book
