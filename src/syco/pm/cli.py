"""`syco pm train` / `syco pm eval`: the trained preference model and its sanity record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from syco.errors import SycoError
from syco.pm.defaults import TRAIN_DEFAULTS as D

app = typer.Typer(help="The trained preference model.", no_args_is_help=True)


@app.command()
def train(
    n_pairs: int = typer.Option(D["n_pairs"], help="hh-rlhf pairs featurised (train + held out)."),
    max_len: int = typer.Option(D["max_len"], help="Tokens per dialogue kept (its end)."),
    seed: int = typer.Option(D["seed"], help="Order of the pairs."),
    holdout_frac: float = typer.Option(
        D["holdout_frac"], help="Share of pairs held out (by pair-id hash)."
    ),
    pool: str = typer.Option(D["pool"], help="Hidden state read: last (standard RM), eot, mean."),
    layers: int = typer.Option(
        None,
        help=f"Backbone blocks used (0: all; smollm2 default {D['layers']}; "
        "OpenVINO backbones run all).",
    ),
    device: str = typer.Option("auto", help="auto (GPU when present), cpu or cuda."),
    threads: int = typer.Option(0, help="CPU threads (0: the engine's default)."),
    backbone: str = typer.Option(
        "smollm2",
        help="smollm2 (transformers; the committed smollm2-rm), or an OpenVINO "
        "backbone: qwen-0.5b, qwen-1.5b, smollm2-ov (head in trained/<backbone>-rm).",
    ),
    out: Path = typer.Option(None, help="Write the head here (default: the committed one)."),
    dry_run: bool = typer.Option(False, help="Report only; write nothing."),
) -> None:
    """Train the reward head (features cached under $SYCO_HOME/pm; resumable)."""
    if backbone.strip() != "smollm2":
        _train_ov(backbone, n_pairs=n_pairs, max_len=max_len, seed=seed,
                  holdout_frac=holdout_frac, pool=pool, layers=layers, device=device,
                  threads=threads, out=out, dry_run=dry_run)  # fmt: skip
        return
    from syco.pm import train as t

    target = None if dry_run else (out or t.ARTEFACT_DIR)
    layers = D["layers"] if layers is None else layers
    m = t.train(n_pairs=n_pairs, max_len=max_len, seed=seed, holdout_frac=holdout_frac,
                pool=pool, layers=layers or None, device=device, threads=threads or None, out=target,
                log=typer.echo)  # fmt: skip
    acc = m["heldout_accuracy"]
    typer.echo(
        f"held-out accuracy {acc['value']:.3f} (n={acc['n']}), L2={m['fit']['l2']}, "
        f"{m['training']['seconds']:.0f} s" + (f" -> {target}" if target else "")
    )


def _train_ov(backbone: str, *, layers: int | None, device: str, out: Path | None,
              dry_run: bool, threads: int, **settings: Any) -> None:  # fmt: skip
    """`syco pm train --backbone <OpenVINO backbone>` (`syco.pm.train_ov`)."""
    from syco.pm import backbones, train_ov

    key = backbones.check(backbone)
    if layers:
        raise SycoError(f"--layers: an OpenVINO backbone ({key}) runs all its blocks")
    if device not in ("auto", "cpu"):
        raise SycoError(f"--device {device}: OpenVINO backbones run on the CPU")
    target = None if dry_run else (out or backbones.artefact_dir(key))
    m = train_ov.train_head(key, threads=threads or None, out=target, log=typer.echo,
                            **settings)  # fmt: skip
    acc, rule, diff = (
        m["heldout_accuracy"],
        m["heldout_length_rule"],
        m["heldout_minus_length_rule"],
    )
    rate = m["training"]["feature_pass"]
    typer.echo(
        f"held-out accuracy {acc['value']:.3f} [{acc['ci_low']:.3f}, {acc['ci_high']:.3f}] "
        f"(n={acc['n']}); longer wins {rule['value']:.3f} [{rule['ci_low']:.3f}, "
        f"{rule['ci_high']:.3f}]; PM minus length rule {diff['value']:+.3f} "
        f"[{diff['ci_low']:+.3f}, {diff['ci_high']:+.3f}]; L2={m['fit']['l2']}, "
        f"{m['training']['seconds']:.0f} s"
        + (f", {rate['seconds_per_pair']:.2f} s/pair featurised" if rate.get("pairs") else "")
        + (f" -> {target}" if target else "")
    )


@app.command("eval")
def evaluate(
    pm: str = typer.Option("smollm2-rm", help="PM spec to evaluate on the held-out pairs."),
    n: int = typer.Option(60, help="Held-out pairs (the first n of the order)."),
    n_ab: int = typer.Option(30, help="Of those, pairs also judged in both A/B orders."),
    max_context_chars: int = typer.Option(800, help="Prompted PM: conversation end kept."),
    same_as: str = typer.Option(
        "", help="Use exactly the pairs of this PM's saved record (e.g. smollm2)."
    ),
    answered_only: bool = typer.Option(
        False, help="Keep only pairs the PM scored (with SYCO_OFFLINE=1: the answer key)."
    ),
) -> None:
    """Held-out accuracy (and position bias of a prompted PM): saved as a project record.
    The trained PM is read from its cached features on the same pairs, plus every held-out
    pair it has."""
    from syco.pm import sanity

    pairs = sanity.heldout(n)
    if same_as:
        other = sanity.load_record(same_as)
        if other is None:
            raise SycoError(f"no saved PM-sanity record of {same_as!r}: evaluate it first")
        ids = {r["pair_id"] for r in other.rows}
        pairs = [p for p in pairs if p["pair_id"] in ids]
    sanity.require_pairs(pairs)
    if pm == sanity.TRAINED:  # its cached features: the hf path's numbers, no forward pass
        rec = sanity.evaluate_trained_from_features(pairs)
    else:
        rec = sanity.evaluate(pm, pairs, n_ab=n_ab, max_context_chars=max_context_chars,
                              answered_only=answered_only)  # fmt: skip
    path = sanity.save(rec)
    for m in rec.metrics:
        if m["subset"] == "all":
            typer.echo(f"{m['metric']:<22} {m['value']:.3f} [{m['ci_low']:.3f}, "
                       f"{m['ci_high']:.3f}] n={m['n']}")  # fmt: skip
    typer.echo(f"-> {path}")


@app.command()
def prefix(
    pm: str = typer.Option("smollm2-rm", help="PM spec whose prefix effect is measured."),
    n: int = typer.Option(0, help="Misconception items (0: all)."),
) -> None:
    """Does the non-sycophantic PM's prefix move the PM toward truthful replies (§4.3)?
    Fixed responses to the misconception items; saved as a project record."""
    from syco.tasks.misconceptions import prefix as pfx

    rec = pfx.run(pm, n=n or None)
    path = pfx.save(rec, pfx.record_path(pm))
    typer.echo(pfx.verdict(rec))
    typer.echo(f"-> {path}")
