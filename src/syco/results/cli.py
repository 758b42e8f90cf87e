"""`syco results [CHAPTER] [--format table|json|csv]`: the metrics of every model run."""

from __future__ import annotations

from pathlib import Path

import typer

from syco.errors import SycoError


def results(
    name: str = typer.Argument(None, help="Chapter name; all chapters when omitted."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv"),
    precision: bool = typer.Option(
        False,
        "--precision",
        help="Only the headline metrics: n and 95% CI half-width (markdown; the table of "
        "docs/MEASUREMENTS.md and the summary page).",
    ),
    into: Path = typer.Option(
        None,
        "--into",
        "--readme",  # its earlier name, when the table lived in the README
        help="With --precision: write the table between the precision markers of this file "
        "(docs/MEASUREMENTS.md).",
    ),
) -> None:
    """Print metrics with 95% CIs, sample counts, errors and unparsed counts."""
    from syco.project import chapter
    from syco.results import metrics_frame, metrics_table

    if fmt not in ("table", "json", "csv"):
        raise SycoError(f"unknown format {fmt!r}: use table, json or csv")
    df = metrics_frame(chapter(name).name if name else None)
    if df.empty:
        raise SycoError("no results yet: run a chapter first, e.g. `syco run answer`")
    if precision:
        from syco.book.precision import precision_markdown, write_block

        table = precision_markdown(df)
        if into is not None:
            write_block(into, table)
            typer.echo(f"wrote the precision table into {into}")
        else:
            typer.echo(table, nl=False)
        return
    if fmt == "json":
        typer.echo(df.to_json(orient="records", indent=1))
    elif fmt == "csv":
        typer.echo(df.to_csv(index=False), nl=False)
    else:
        typer.echo(
            metrics_table(df, lead=("chapter", "model")).to_string(
                index=False, float_format=lambda v: f"{v:.3f}"
            )
        )


command = results
