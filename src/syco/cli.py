"""The ``syco`` command line.

Errors a user can fix (`SycoError`) end in one line on stderr and exit code 2, with no
traceback unless ``SYCO_DEBUG=1``.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

import typer

from syco.errors import Interrupted, SycoError

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


def read_prompt(prompt: str | None, file: Path | None) -> str:
    """The prompt from the argument, a file, or stdin (``-``): strict UTF-8, one-line errors."""
    if (prompt is None) == (file is None):
        raise SycoError("give the prompt as an argument, `-` for stdin, or --file PATH (one)")
    if prompt is not None and prompt != "-":
        try:
            prompt.encode("utf-8")
        except UnicodeEncodeError as e:  # argv bytes that were not UTF-8 (surrogate-escaped)
            raise SycoError(
                f"the prompt is not UTF-8 (character {e.start}): pass UTF-8 text, or use "
                "--file PATH / `-` for stdin"
            ) from None
        return prompt
    where = "stdin" if file is None else str(file)
    try:
        data = sys.stdin.buffer.read() if file is None else file.read_bytes()
    except OSError as e:
        raise SycoError(f"cannot read the prompt from {where}: {e.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SycoError(
            f"the prompt in {where} is not UTF-8 (byte {e.start}): save it as UTF-8"
        ) from None
    if not text.strip():
        raise SycoError(f"the prompt in {where} is empty")
    return text


@app.command()
def ask(
    prompt: str | None = typer.Argument(
        None, help="The user message; `-` reads it from stdin (any length)."
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="Read the user message from this UTF-8 file."
    ),
    model: str = typer.Option(
        "smollm2", "--model", "-m", help="Model spec, e.g. openai/gpt-4o-mini."
    ),
    temperature: float = typer.Option(0.0, help="Sampling temperature (0 = greedy)."),
    max_tokens: int = typer.Option(256, help="Maximum new tokens."),
    system: str | None = typer.Option(None, help="Optional system prompt."),
    sample: int = typer.Option(0, help="Sample index: the k-th sample is its own cache entry."),
    timeout: float | None = typer.Option(
        None, "--timeout", min=0.001, help="Seconds the request may take (default 120)."
    ),
) -> None:
    """One chat turn, printed. Goes through the answer-key cache."""
    from syco.models import GenerateConfig, get_model

    text = read_prompt(prompt, file)
    if timeout is not None:
        os.environ["SYCO_TIMEOUT"] = f"{timeout:g}"
    m = get_model(model)
    config = GenerateConfig(temperature=temperature, max_tokens=max_tokens, system=system)
    os.environ.setdefault("SYCO_PROGRESS", "0")
    [comp] = m.generate([[{"role": "user", "content": text}]], config, sample_indices=[sample])
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
    from syco.models.registry import BACKENDS, missing_packages

    for backend, info in BACKENDS.items():
        spec = info.form or (f"{info.prefix}<model>" if info.prefix.endswith("/") else info.prefix)
        missing = missing_packages(backend)
        env = [
            f"{v} ({'per service' if v.startswith('<') else 'set' if os.environ.get(v) else 'NOT SET'})"
            for v in info.needs_env
        ]
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
    """Prepare a local model once: the embedded SmolLM2 (GGUF -> safetensors -> OpenVINO
    int8, the exporter in its own throwaway venv), an ``ov/<folder>`` export, or the
    trained reward model `smollm2-rm` (backbone + committed head -> a standard folder)."""
    from syco.models.registry import parse_spec

    backend, name = parse_spec(spec)
    if backend == "smollm2-rm":
        from syco.models.reward_head import assemble

        typer.echo(f"smollm2-rm ready at {assemble()} (use it as hf/<that folder> too)")
    elif backend == "smollm2-hf":
        from syco.models.smollm2 import prepare

        typer.echo(f"smollm2-hf ready at {prepare()}")
    elif backend == "smollm2":
        from syco.models.smollm2 import prepare_ov

        typer.echo(f"smollm2 ready at {prepare_ov()}")
    elif backend in ("qwen-0.5b", "qwen-1.5b"):
        from syco.models.ladder import prepare as prepare_rung

        typer.echo(f"{spec} ready at {prepare_rung(backend)}")
    elif backend == "ov":
        from syco.models.openvino import OVAPI

        typer.echo(f"{spec} ready at {OVAPI(name).prepare()}")
    else:
        raise SycoError(f"only the embedded models and ov/<folder> need preparing, not {spec!r}")


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


@cache_app.command("verify")
def cache_verify(
    path: Path | None = typer.Argument(None, help="A cache file (default: this one's)."),
) -> None:
    """Check an answer key (integrity, keys, JSON, no URLs) and fold its write-ahead log in,
    so the one file can be copied. Changes no answer; exit 2 if anything is wrong."""
    from syco import paths
    from syco.cache import verify

    r = verify(path or paths.cache_path())
    typer.echo(
        f"cache: {r['path']}\nentries: {r['entries']} ({r['models']} models), schema version "
        f"{r['version']}, integrity: {r['integrity']}"
    )
    if r["version"] < 1:
        typer.echo("round-1 keys (with base URLs): upgraded in place the first time syco opens it")
    if r["superseded"]:
        typer.echo(f"superseded by an answer behind another URL (kept aside): {r['superseded']}")
    problems = [
        f"{r[k]} {what}"
        for k, what in (
            ("bad_json", "entries that are not JSON"),
            ("bad_keys", "keys that do not match their request"),
            ("with_url", "requests that hold a URL"),
        )
        if r[k]
    ]
    if not r["ok"]:
        raise SycoError(
            f"the cache at {r['path']} is damaged: {', '.join(problems) or r['integrity']}; "
            "keep a copy and restore the answer key from a good one"
        )
    typer.echo("ok: the file holds the whole answer key; copy it to share it")


_mount_optional("data", "syco.data.cli", "Fetch, verify, build and list the evaluation data sets.")
_mount_optional("run", "syco.runner.cli", "Run a chapter notebook with papermill.")
_mount_optional(
    "key", "syco.runner.key_cli", "The published answer key: record, verify, import, reproduce."
)
_mount_optional("results", "syco.results.cli", "Print the metrics of every model run.")
_mount_optional("book", "syco.book.cli", "Build the Jupyter Book from the answer key.")
_mount_optional("pm", "syco.pm.cli", "Train and check the preference model (§4.2–§4.3).")
_mount_optional("batches", "syco.models.batch_cli", "List, inspect and cancel provider batches.")


def _kept_since(start: float) -> str:
    """How many answers reached the answer key since `start` (any process), for Ctrl-C."""
    try:
        from syco import paths
        from syco.cache import Cache

        path = paths.cache_path()
        return str(Cache(path).count_since(start)) if path.exists() else "0"
    except (SycoError, OSError):
        return "the completed"


def _on_sigint(signum: int, frame: object) -> None:
    # Not KeyboardInterrupt: click would swallow that into "Aborted!" before main sees it.
    raise Interrupted("interrupted")


def _quiet_leftovers() -> None:
    """Keep the one-line ending the last line: a notebook client's task that died with the
    kernel (Ctrl-C reaches the kernel too) is otherwise logged by asyncio as "Task exception
    was never retrieved" with a traceback when it is collected at exit."""
    logging.getLogger("asyncio").disabled = True


def main() -> None:
    start = time.time()
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        app()
    except (KeyboardInterrupt, Interrupted):
        if os.environ.get("SYCO_DEBUG"):
            raise
        _quiet_leftovers()
        print(
            f"syco: interrupted; {_kept_since(start)} results kept, rerun to finish",
            file=sys.stderr,
        )
        sys.exit(130)
    except SycoError as e:
        if os.environ.get("SYCO_DEBUG"):
            raise
        _quiet_leftovers()
        print(f"syco: error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
