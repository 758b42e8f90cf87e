"""`syco results [CHAPTER] [--format table|json|csv]`: the metrics of every model run."""

from __future__ import annotations

import typer

from syco.errors import SycoError


def results(
    name: str = typer.Argument(None, help="Chapter name; all chapters when omitted."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv"),
) -> None:
    """Print metrics with 95% CIs, sample counts, errors and unparsed counts."""
    from syco.project import chapter
    from syco.results import metrics_frame, metrics_table

    if fmt not in ("table", "json", "csv"):
        raise SycoError(f"unknown format {fmt!r}: use table, json or csv")
    df = metrics_frame(chapter(name).name if name else None)
    if df.empty:
        raise SycoError("no results yet: run a chapter first, e.g. `syco run answer`")
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
