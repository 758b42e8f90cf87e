"""Paper-scale chapter runs, timed one by one, without Jupyter: for a GPU machine.

`make book-paper` executes the chapter notebooks at paper scale (`syco.runner.scale`). A GPU
machine often has the model runtime (torch, transformers) but not Jupyter; this script makes
the very call each notebook makes (its parameters cell, then `--scale paper`, then `-m`) into
`syco.tasks.<chapter>.run`, times it, and saves the records and answer key as `syco run`
does. The book is then built anywhere from those records (copy `$SYCO_HOME`; `syco book`
replays from the answer key). Chapters run in the order given and one is started only while
the time budget lasts, so a short lease still returns every chapter it finished.

    SYCO_BATCH_SIZE=1024 python benchmarks/paper_scale.py -m smollm2-hf \
        --chapters answer are_you_sure mimicry feedback --budget 480 --out timings.json

Back where the records are (``SYCO_HOME``/``SYCO_RESULTS``), ``--report timings.json ...
--md out.md`` writes the timings and the headline metrics (n, 95% CI) as markdown.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import os
import platform
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from syco.project import CHAPTERS, project_root
from syco.runner.scale import scale_params


def _cells(chapter: str) -> list[str]:
    nb = json.loads((project_root() / "notebooks" / CHAPTERS[chapter].notebook).read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def notebook_parameters(chapter: str) -> dict[str, Any]:
    """The parameters cell's literals (the first code cell), as papermill would see them."""
    tree = ast.parse(_cells(chapter)[0])
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }


def notebook_call(chapter: str, params: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The arguments of the notebook's ``<chapter>.run(models, key=name, ...)`` call, with
    each name read from `params`: the same call the notebook would make."""
    for src in _cells(chapter)[1:]:
        for node in ast.walk(ast.parse(src)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"
                and node.args
            ):
                models = params[node.args[0].id]  # type: ignore[attr-defined]
                kwargs = {
                    k.arg: params[k.value.id] if isinstance(k.value, ast.Name) else k.value.value  # type: ignore[attr-defined]
                    for k in node.keywords
                    if k.arg
                }
                return models, kwargs
    raise SystemExit(f"no <chapter>.run(...) call found in {CHAPTERS[chapter].notebook}")


def run_chapter(chapter: str, model: str, extra: dict[str, Any]) -> dict[str, Any]:
    params = {**notebook_parameters(chapter), **scale_params(chapter, "paper"), **extra}
    params["models"] = [model]
    models, kwargs = notebook_call(chapter, params)
    module = importlib.import_module(f"syco.tasks.{chapter}")
    start = time.perf_counter()
    records = module.run(models, **kwargs)
    seconds = time.perf_counter() - start
    return {
        "chapter": chapter,
        "section": CHAPTERS[chapter].section,
        "seconds": round(seconds, 1),
        "rows": sum(len(r.rows) for r in records),
        # per record: new calls, cache hits, errors, new output tokens, seconds (as the page
        # shows), and when it was made (so a report reads this run's record, not a later one)
        "records": {
            r.model: {
                **{
                    k: r.spec.get(k)
                    for k in ("new_calls", "cache_hits", "call_errors", "tokens_out_new", "seconds")
                },
                "created": r.created,
            }
            for r in records
        },
        "params": {k: v for k, v in kwargs.items() if k != "batch"},
    }


def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "cpu": platform.processor(),
        "batch_size": os.environ.get("SYCO_BATCH_SIZE"),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=project_root(), capture_output=True, text=True
    )
    info["commit"] = git.stdout.strip() or None  # a copy without .git (a GPU box) has none
    try:
        import torch
        import transformers

        info["torch"] = torch.__version__
        info["transformers"] = transformers.__version__
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return info


def report(timings: list[Path]) -> str:
    """Markdown: per-chapter time and work from the timing files, then the headline metrics
    of the records those runs saved (`syco results --precision`)."""
    from syco.book.precision import precision_markdown
    from syco.results import load_runs, metrics_frame

    lines, models = [], set()
    for path in timings:
        d = json.loads(path.read_text())
        m = d["machine"]
        lines += [
            f"`{path.name}`: model `{d['model']}`, {m.get('gpu', 'no GPU')}, python {m['python']},"
            f" torch {m.get('torch')}, transformers {m.get('transformers')}"
            + "".join(f", {k} {m[k]}" for k in ("batch_size", "commit", "started") if m.get(k)),
            "",
            "| chapter | rows | new calls | errors | new output tokens | seconds | tokens/s |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in d["chapters"]:
            if "skipped" in c:
                lines.append(
                    f"| §{CHAPTERS[c['chapter']].section} {c['chapter']} | not run: {c['skipped']} |||||| "
                )
                continue
            saved = {r.model: r.created for r in load_runs(c["chapter"])}
            for name, r in c["records"].items():
                if "created" in r and saved.get(name) != r["created"]:
                    raise SystemExit(
                        f"{c['chapter']}: the record {name!r} here is not the one {path.name} "
                        "timed (another run replaced it); point SYCO_HOME at that run's home"
                    )
            recs = c["records"].values()
            new = sum(r["new_calls"] or 0 for r in recs)
            errs = sum(r["call_errors"] or 0 for r in recs)
            toks = sum(r["tokens_out_new"] or 0 for r in recs)
            rate = f"{toks / c['seconds']:,.0f}" if c["seconds"] else "-"  # a replay takes ~0 s
            lines.append(
                f"| §{c['section']} {c['chapter']} | {c['rows']:,} | {new:,} | {errs} | {toks:,} "
                f"| {c['seconds']:.1f} | {rate} |"
            )
            models.update(c["records"])
        lines.append("")
    return "\n".join(lines) + "\n" + precision_markdown(metrics_frame(), sorted(models))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-m", "--model", default="smollm2-hf")
    ap.add_argument("--chapters", nargs="+", default=["answer", "are_you_sure", "mimicry"])
    ap.add_argument(
        "--budget", type=float, default=float("inf"), help="seconds; no new chapter after"
    )
    ap.add_argument("--out", type=Path, default=Path("paper_scale.json"))
    ap.add_argument("-p", action="append", default=[], help="key=value for every chapter")
    ap.add_argument("--report", nargs="+", type=Path, help="timing files to report on (no run)")
    ap.add_argument("--md", type=Path, help="with --report: write the markdown here")
    args = ap.parse_args()
    if args.report:
        text = report(args.report)
        args.md.write_text(text) if args.md else print(text)
        return
    extra = {k: ast.literal_eval(v) for k, v in (p.split("=", 1) for p in args.p)}
    known: set[str] = set()
    for chapter in args.chapters:  # a typo must not run a chapter at the wrong size
        known |= set(notebook_call(chapter, {**notebook_parameters(chapter), "models": []})[1])
    if unknown := sorted(set(extra) - known):
        raise SystemExit(f"-p {', '.join(unknown)}: no chapter among {args.chapters} takes it")
    out: dict[str, Any] = {"model": args.model, "machine": _machine(), "chapters": []}
    start = time.perf_counter()
    for chapter in args.chapters:
        used = time.perf_counter() - start
        if used >= args.budget:
            out["chapters"].append({"chapter": chapter, "skipped": f"budget spent ({used:.0f} s)"})
            continue
        print(f"[paper-scale] §{CHAPTERS[chapter].section} {chapter} ...", flush=True)
        entry = run_chapter(chapter, args.model, extra)
        print(f"[paper-scale] {chapter}: {entry['seconds']} s, {entry['rows']} rows", flush=True)
        out["chapters"].append(entry)
        args.out.write_text(json.dumps(out, indent=1))  # each chapter as soon as it is done
    out["total_seconds"] = round(time.perf_counter() - start, 1)
    args.out.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
