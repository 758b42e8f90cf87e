"""`syco key`: the published answer key (``published/``): record, verify, import, list,
reproduce. See `syco.keyfile`, `syco.runner.publish` and `syco.runner.reproduce`."""

from __future__ import annotations

from pathlib import Path

import typer

from syco import keyfile
from syco.errors import SycoError
from syco.project import project_root

app = typer.Typer(no_args_is_help=True)


def _select(chapter: str | None, model: str | None) -> list[keyfile.Recording]:
    recs = [
        r
        for r in keyfile.recordings(project_root())
        if (chapter is None or r.chapter == chapter) and (model is None or r.model == model)
    ]
    if not recs:
        raise SycoError("no published recording matches (see `syco key list`)")
    return recs


@app.command("record")
def record_cmd(
    chapter: str = typer.Argument(..., help="Chapter name, e.g. answer."),
    model: str = typer.Option(..., "--model", "-m", help="The model to record, e.g. qwen-0.5b."),
    param: list[str] = typer.Option([], "--param", "-p", help="key=value, as `syco run -p`."),
    force: bool = typer.Option(False, "--force", help="Record again over a published one."),
) -> None:
    """Run one chapter for one model and publish every answer it used (resumable: rerun the
    same command after an interruption)."""
    from syco.runner.params import parse_params
    from syco.runner.publish import record

    record(chapter, model, parse_params(param), force=force, echo=typer.echo)


@app.command("verify")
def verify_cmd() -> None:
    """Check every published file against its manifest (exit 2 on the first mismatch)."""
    recs = keyfile.recordings(project_root())
    total = 0
    for r in recs:
        n = keyfile.verify(r)
        total += n
        typer.echo(f"ok  {r.name}: {n} entries, {r.manifest['records']['file']}")
    typer.echo(f"{len(recs)} recording(s), {total} entries: every file matches its manifest")


@app.command("import")
def import_cmd(
    cache: Path | None = typer.Option(None, help="Answer key to add to (default: this one)."),
) -> None:
    """Verify the published key and add its entries to the answer key (none replaced)."""
    from syco.cache import Cache

    recs = keyfile.recordings(project_root())
    added = keyfile.import_into(Cache(cache), recs)
    for name, n in added.items():
        typer.echo(f"{name}: {n} entries added")
    typer.echo(f"{len(recs)} recording(s) verified and imported")


@app.command("list")
def list_cmd() -> None:
    """Every published recording: chapter, model, entries, seconds, commit."""
    recs = keyfile.recordings(project_root())
    if not recs:
        typer.echo("no recording is published yet (`syco key record CHAPTER -m MODEL`)")
    for r in recs:
        m = r.manifest
        typer.echo(
            f"{r.chapter:<16} {r.model:<12} {m['entry_count']:>7} entries "
            f"{m['seconds_all_attempts']:>8.0f} s  {str(m.get('commit'))[:8]}  "
            f"{m['machine'].get('cores')} cores"
        )


@app.command("refresh")
def refresh_cmd(
    chapter: str | None = typer.Option(None, help="Only this chapter."),
    model: str | None = typer.Option(None, "--model", "-m", help="Only this model."),
) -> None:
    """Re-derive published run records from their entries with today's code (zero model
    calls): after a change to a chapter's scoring or metrics."""
    from syco.runner.publish import refresh

    refresh(_select(chapter, model), echo=typer.echo)


@app.command("reproduce")
def reproduce_cmd(
    chapter: str | None = typer.Option(None, help="Only this chapter."),
    model: str | None = typer.Option(None, "--model", "-m", help="Only this model."),
    out: Path = typer.Option(
        Path("benchmarks/results/reproduce.md"), help="Where the comparison table goes."
    ),
) -> None:
    """Recompute published records from scratch (fresh answer key, models live) and write
    per metric whether the value equals the published one or lies within its CI."""
    from syco.runner.reproduce import reproduce

    reproduce(_select(chapter, model), out, echo=typer.echo)
