"""The published answer key recomputed (`make reproduce`): every published recording rerun
from scratch (a fresh answer key, the ladder models live) and compared metric by metric with
its published record: equal (same engine, same settings), within the published 95% CI, or
outside it. The table goes to ``benchmarks/results/reproduce.md``, rows as JSON beside it."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from syco import keyfile
from syco.errors import SycoError
from syco.runner.publish import machine, rerun

# -- reproduce -----------------------------------------------------------------------------
# A metric row's numbers; every other field (metric, subset, template, level, ...) names it.
NUMBERS = ("value", "ci_low", "ci_high", "n", "n_errors", "n_unparsed", "n_truncated")


def _metric_key(m: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, str(v)) for k, v in m.items() if k not in NUMBERS))


def _label(m: dict[str, Any]) -> str:
    extra = [f"{k}={v}" for k, v in sorted(m.items()) if k not in (*NUMBERS, "metric", "subset")]
    return ", ".join(str(x) for x in [m.get("subset"), *extra] if x not in (None, "", "nan"))


def _blank(v: Any) -> bool:
    """None or NaN: a metric with nothing to measure (e.g. no poem passes the filter)."""
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def compare_records(
    published: list[dict[str, Any]], recomputed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per metric of every published record: the published value and CI, the recomputed
    value, and whether it is equal (to 1e-9), within the published CI, outside it, or
    missing from the recomputed record."""
    again = {r["model"]: {_metric_key(m): m for m in r["metrics"]} for r in recomputed}
    rows = []
    for rec in published:
        mine = again.get(rec["model"], {})
        for m in rec["metrics"]:
            new = mine.get(_metric_key(m))
            value: Any = m.get("value")
            lo, hi = m.get("ci_low"), m.get("ci_high")
            got: Any = None if new is None else new.get("value")
            if new is None:
                verdict = "missing"
            elif _blank(got) and _blank(value):
                verdict = "equal (no value)"
            elif _blank(got) or _blank(value):
                verdict = "no value"
            elif abs(float(got) - float(value)) <= 1e-9:
                verdict = "equal"
            elif lo is not None and hi is not None and float(lo) <= float(got) <= float(hi):
                verdict = "within CI"
            else:
                verdict = "outside CI"
            rows.append(
                {
                    "record": rec["model"],
                    "metric": m.get("metric"),
                    "where": _label(m),
                    "n": m.get("n"),
                    "published": value,
                    "ci_low": lo,
                    "ci_high": hi,
                    "recomputed": got,
                    "verdict": verdict,
                }
            )
    return rows


def reproduce(
    recs: list[keyfile.Recording], out: Path, *, echo: Callable[[str], Any] = lambda s: None
) -> list[dict[str, Any]]:
    """Per recording: replay it (today's code, zero calls) and rerun it from scratch (fresh
    answer key, models live), compare metric by metric, and write the table to `out`."""
    all_rows: list[dict[str, Any]] = []
    timing = []
    with tempfile.TemporaryDirectory(prefix="syco-reproduce-") as tmp:
        for rec in recs:
            keyfile.verify(rec)
            echo(f"{rec.name}: replaying the published entries")
            published, _ = rerun(rec, Path(tmp) / rec.name / "replay", replay=True)
            echo(f"{rec.name}: recomputing from scratch")
            again, seconds = rerun(rec, Path(tmp) / rec.name / "scratch", replay=False)
            rows = compare_records(published, again)
            for r in rows:
                r["recording"] = rec.name
            all_rows += rows
            timing.append((rec.name, rec.manifest.get("seconds"), round(seconds, 1)))
            echo(f"  {seconds:.0f} s; " + _tally(rows))
    here = machine()
    machines = {name: here for name, _, _ in timing}
    kept = _earlier(out.with_suffix(".json"), {name for name, _, _ in timing})
    for name, row in kept["machines"].items():
        machines[name] = row
    timing = kept["timing"] + timing
    table_rows = kept["rows"] + all_rows
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(reproduce_markdown(table_rows, timing, machines), encoding="utf-8")
    # The rows behind the table, so it can be regenerated (and read) without a rerun.
    out.with_suffix(".json").write_text(
        json.dumps(
            {"machine": here, "machines": machines, "timing": timing, "rows": table_rows},
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    echo(f"table written to {out}" + (f" (kept {len(kept['timing'])} earlier recordings)"
                                      if kept["timing"] else ""))  # fmt: skip
    return all_rows


def _earlier(path: Path, rerun: set[str]) -> dict[str, Any]:
    """The earlier table's recordings that this run did not redo (a `--chapter` run must not
    drop the others' verdicts), with the machine each was recomputed on."""
    empty: dict[str, Any] = {"timing": [], "rows": [], "machines": {}}
    if not path.exists():
        return empty
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SycoError(f"{path}: unreadable ({e}); move it aside to start a new table") from None
    timing = [list(t) for t in old.get("timing", []) if t[0] not in rerun]
    names = {t[0] for t in timing}
    return {
        "timing": timing,
        "rows": [r for r in old.get("rows", []) if r.get("recording") in names],
        "machines": {n: old.get("machines", {}).get(n, old.get("machine", {})) for n in names},
    }


def _tally(rows: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    return ", ".join(f"{v}: {n}" for v, n in sorted(counts.items())) or "no metrics"


def reproduce_markdown(
    rows: list[dict[str, Any]],
    timing: list[Any],
    machines: dict[str, dict[str, Any]] | None = None,
) -> str:
    """The committed comparison table: per recording its times, the machine it was
    recomputed on and its verdict counts, then every metric."""
    machines = machines or {}
    lines = [
        "# Published answer key: recomputed from scratch vs published",
        "",
        "Generated by `syco key reproduce` (`make reproduce`; `--chapter`/`--model` redo some "
        "recordings and keep the others' rows): each recording rerun with a fresh answer key "
        "and the models live. Verdict per metric: equal (same engine and settings), within "
        "the published 95% CI, or outside it.",
        "",
        "| recording | published run (s) | recomputed (s) | recomputed on | verdicts |",
        "|---|---|---|---|---|",
    ]
    for name, pub_s, new_s in timing:
        mine = [r for r in rows if r.get("recording") == name]
        m = machines.get(name) or {}
        where = f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores" if m else ""
        if m.get("load_avg_1_5_15_min_at_end"):
            where += f", load {m['load_avg_1_5_15_min_at_end'][0]:g} at end"
        lines.append(f"| {name} | {pub_s} | {new_s} | {where} | {_tally(mine)} |")
    lines += [
        "",
        "| recording | record | metric | where | n | published [95% CI] | recomputed | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def f(v: Any) -> str:
        return "" if v is None else f"{float(v):.4g}"

    for r in rows:
        lines.append(
            f"| {r.get('recording')} | {r['record']} | {r.get('metric')} | "
            f"{r.get('where') or ''} | {r.get('n')} | {f(r['published'])} "
            f"[{f(r['ci_low'])}, {f(r['ci_high'])}] | {f(r['recomputed'])} | {r['verdict']} |"
        )
    return "\n".join(lines) + "\n"
