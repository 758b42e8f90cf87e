"""`syco data …`: fetch, verify, build, list the evaluation data sets (see book/data.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)


@app.command()
def fetch(
    mirror: Annotated[
        Path | None,
        typer.Option(
            help="Mirror dir laid out like shared/data "
            "(default: $SYCO_DATA_MIRROR, else upstream URLs)."
        ),
    ] = None,
    released: bool = typer.Option(False, help="Instead download the paper's released files."),
) -> None:
    """Place every registered source file in data_dir()/sources, checking sha256."""
    from syco.data.registry import sources_dir

    t0 = time.perf_counter()
    if released:
        from syco.data.released import fetch_released, released_dir

        names = fetch_released()
        typer.echo(f"released: {', '.join(names)} -> {released_dir()}")
        return
    from syco.data.fetch import fetch as do_fetch

    counts = do_fetch(mirror)
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    typer.echo(f"sources: {summary} -> {sources_dir()} ({time.perf_counter() - t0:.1f}s)")


@app.command()
def verify() -> None:
    """Check the sha256 of every fetched source file."""
    from syco.data.fetch import verify as do_verify
    from syco.errors import SycoError

    bad = [(e, s) for e, s in do_verify() if s != "ok"]
    for e, s in bad:
        typer.echo(f"{s:9} {e.path}")
    if bad:
        raise SycoError(f"{len(bad)} source files missing or corrupted: run `syco data fetch`")
    typer.echo("all source files ok")


@app.command()
def build(
    n: int | None = typer.Option(
        None, "--n", help="Base items per sub-dataset (default: paper sizes)."
    ),
    seed: int = typer.Option(0, help="Seed for every sampling step."),
    only: Annotated[
        list[str] | None, typer.Option(help="Build only this set (repeatable).")
    ] = None,
) -> None:
    """Build the evaluation sets into data_dir()/built (deterministic in --seed/--n)."""
    from syco.data.build import build as do_build
    from syco.data.build import built_dir

    t0 = time.perf_counter()
    do_build(
        n=n,
        seed=seed,
        only=only,
        progress=lambda name, rows, s: typer.echo(f"{name:15} {rows:>6} rows  {s:5.1f}s"),
    )
    typer.echo(f"built -> {built_dir()} ({time.perf_counter() - t0:.1f}s)")


@app.command("list")
def list_() -> None:
    """Each set with its row count (if built), sources and licenses."""
    from syco.data.build import BUILDERS, built_path, manifest
    from syco.data.registry import sources

    src, man = sources(), manifest()
    for name, b in BUILDERS.items():
        m = man.get(name)
        if built_path(name).is_file() and m:
            size = "paper sizes" if m["n"] is None else f"n={m['n']}"
            state = f"{m['rows']:>6} rows ({size}, seed {m['seed']})"
        else:
            state = "not built"
        typer.echo(f"{name:15} {state}   {b.info.section}")
        for s in b.info.sources:
            typer.echo(f"    {s:12} {src[s].license}")
    hh = src["hh_rlhf"]
    typer.echo(
        f"{'hh_rlhf':15} loaded on demand (load_hh_rlhf)   §4.1\n    {'hh_rlhf':12} {hh.license}"
    )


@app.command()
def readme(path: Annotated[Path, typer.Argument()] = Path("data/README.md")) -> None:
    """Write data/README.md (sources, licences, sha256, URLs, built sets) from the registry."""
    from syco.data.page import render_readme

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_readme(), encoding="utf-8")
    typer.echo(f"wrote {path}")


@app.command()
def page(path: Annotated[Path, typer.Argument()] = Path("book/data.md")) -> None:
    """Render the data page (sources, counts, deviations) from the built files."""
    from syco.data.page import write_data_page

    typer.echo(f"wrote {write_data_page(path)}")
