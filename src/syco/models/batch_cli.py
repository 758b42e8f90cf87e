"""`syco batches list|show|cancel`: the provider batches that batch mode submitted."""

from __future__ import annotations

import time

import typer

app = typer.Typer(help="Provider batches sent by `syco run --batch`.", no_args_is_help=True)


def _age(t: float) -> str:
    s = time.time() - t
    return f"{s / 3600:.1f} h" if s >= 3600 else f"{s / 60:.0f} min" if s >= 60 else f"{s:.0f} s"


@app.command("list")
def list_batches(
    all_: bool = typer.Option(False, "--all", help="Also collected/abandoned."),
) -> None:
    """Live batches (submitted, not yet collected) as last polled; --all for every one."""
    from syco.models.batch_store import BatchStore

    recs = [r for r in BatchStore().records() if all_ or r.live]
    if not recs:
        typer.echo("no live batches" + ("" if all_ else " (--all lists finished ones too)"))
        return
    typer.echo(
        f"{'id':<32} {'model':<28} {'provider id':<24} {'state':<10} {'status':<11} done/total failed  age"
    )
    for r in recs:
        typer.echo(
            f"{r.id:<32} {r.spec:<28} {r.provider_id or '-':<24} {r.state:<10} "
            f"{r.status or '-':<11} {r.done:>5}/{r.total:<5} {r.failed:>5}  {_age(r.created)}"
        )


@app.command("show")
def show(
    ident: str = typer.Argument(..., help="Our id or the provider's (a prefix will do)."),
) -> None:
    """One batch: its record, and for a live one its status at the provider now."""
    from syco.models.batch import status
    from syco.models.batch_store import BatchStore

    rec = BatchStore().find(ident)
    for k in (
        "id",
        "spec",
        "provider_id",
        "state",
        "status",
        "total",
        "done",
        "failed",
        "succeeded",
        "note",
    ):
        typer.echo(f"{k:<12} {getattr(rec, k)}")
    typer.echo(f"{'created':<12} {time.ctime(rec.created)} ({_age(rec.created)} ago)")
    if rec.live and rec.provider_id:
        _, st = status(rec.id)
        typer.echo(
            f"{'provider':<12} {st.status}: {st.done}/{st.total} done, {st.failed} failed"
            + (f" ({st.note})" if st.note else "")
        )


@app.command("cancel")
def cancel_batch(ident: str = typer.Argument(..., help="Our id or the provider's.")) -> None:
    """Cancel a live batch. The run waiting on it keeps what finished and reports the rest
    as errors; rerunning the chapter submits those again."""
    from syco.models.batch import cancel

    st = cancel(ident)
    typer.echo(f"{ident}: {st.status} ({st.done}/{st.total} done)")
