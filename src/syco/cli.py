"""The ``syco`` command line.

Errors a user can fix (`SycoError`) end in one line on stderr and exit code 2, with no
traceback unless ``SYCO_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys

import typer

from syco.errors import SycoError

app = typer.Typer(
    help="Reproduce 'Towards Understanding Sycophancy in Language Models' (Sharma et al., 2023).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cache_app = typer.Typer(help="The answer-key cache of model outputs.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


def _mount_optional(name: str, module: str, help_text: str) -> None:
    """Attach a sub-command group that lives in its own module (kept import-light)."""
    try:
        mod = __import__(module, fromlist=["app", "command"])
    except ModuleNotFoundError as e:
        if not e.name or not module.startswith(e.name):
            raise
        return
    if hasattr(mod, "command"):
        app.command(name, help=help_text)(mod.command)
    else:
        app.add_typer(mod.app, name=name, help=help_text)


@app.command()
def ask(
    prompt: str = typer.Argument(..., help="The user message."),
    model: str = typer.Option(
        "smollm2", "--model", "-m", help="Model spec, e.g. openai/gpt-4o-mini."
    ),
    temperature: float = typer.Option(0.0, help="Sampling temperature (0 = greedy)."),
    max_tokens: int = typer.Option(256, help="Maximum new tokens."),
    system: str | None = typer.Option(None, help="Optional system prompt."),
    sample: int = typer.Option(0, help="Sample index: the k-th sample is its own cache entry."),
) -> None:
    """One chat turn, printed. Goes through the answer-key cache."""
    from syco.models import GenerateConfig, get_model

    m = get_model(model)
    config = GenerateConfig(temperature=temperature, max_tokens=max_tokens, system=system)
    os.environ.setdefault("SYCO_PROGRESS", "0")
    [comp] = m.generate([[{"role": "user", "content": prompt}]], config, sample_indices=[sample])
    if not comp.ok:
        raise SycoError(f"{model} failed: {comp.error}")
    typer.echo(comp.text)
    src = "cache hit" if comp.cached else "new call"
    typer.echo(
        f"[{model} · {src} · {comp.usage.input_tokens} in / {comp.usage.output_tokens} out tokens]",
        err=True,
    )


@app.command()
def models() -> None:
    """The model backends: spec form, what each needs, and what it can do."""
    import importlib.util

    from syco.models.registry import BACKENDS

    for info in BACKENDS.values():
        spec = f"{info.prefix}<model>" if info.prefix.endswith("/") else info.prefix
        missing = [
            p for p in info.packages if importlib.util.find_spec(p.replace("-", "_")) is None
        ]
        env = [f"{v} ({'set' if os.environ.get(v) else 'NOT SET'})" for v in info.needs_env]
        opt = [f"{v} ({'set' if os.environ.get(v) else 'unset'})" for v in info.optional_env]
        typer.echo(f"{spec}")
        typer.echo(f"    can do:    {info.capabilities}")
        typer.echo(f"    needs env: {', '.join(env) or '-'}; optional: {', '.join(opt) or '-'}")
        typer.echo(
            f"    packages:  {', '.join(info.packages)}"
            + (f"  (missing: {', '.join(missing)})" if missing else "")
        )
        typer.echo(f"    example:   {info.example}")


@app.command("prepare-model")
def prepare_model(spec: str = typer.Argument("smollm2")) -> None:
    """Prepare a local model once (the embedded SmolLM2: GGUF -> safetensors)."""
    from syco.models.registry import parse_spec

    backend, _ = parse_spec(spec)
    if backend != "smollm2":
        raise SycoError(f"only the embedded model needs preparing, not {spec!r}")
    from syco.models.smollm2 import prepare

    typer.echo(f"smollm2 ready at {prepare()}")


@cache_app.command("stats")
def cache_stats() -> None:
    """Entries, size and a break-down by model and kind."""
    from syco.cache import Cache

    cache = Cache()
    rows = cache.stats()
    typer.echo(f"cache: {cache.path}")
    typer.echo(f"entries: {len(cache)}, size on disk: {cache.size_bytes() / 1e6:.2f} MB")
    if rows:
        width = max(len(r["model"]) for r in rows)
        typer.echo(f"{'model':<{width}}  {'kind':<9} {'entries':>8} {'KB':>9}")
        for r in rows:
            typer.echo(
                f"{r['model']:<{width}}  {r['kind']:<9} {r['entries']:>8} {r['bytes'] / 1e3:>9.1f}"
            )


_mount_optional("data", "syco.data.cli", "Fetch, verify, build and list the evaluation data sets.")
_mount_optional("run", "syco.runner.cli", "Run a chapter notebook with papermill.")
_mount_optional("results", "syco.results.cli", "Print the metrics of every model run.")
_mount_optional("book", "syco.book.cli", "Build the Jupyter Book from the answer key.")


def main() -> None:
    try:
        app()
    except SycoError as e:
        if os.environ.get("SYCO_DEBUG"):
            raise
        print(f"syco: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("syco: interrupted (completed requests are in the cache)", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
