"""Rough API cost of rerunning a chapter, estimated from a run already recorded, and the
measured run times of the chapters (for planning a lab session).

The estimate replays the recorded transcripts: every assistant message is one call whose
input is everything before it. Characters / 4 approximate tokens (a rule of thumb for
English with GPT/Claude tokenizers); prices are `syco.models.pricing` list prices. Judge and
grader calls are not included (they depend on which judge you choose). It is an estimate to
decide whether to run, not a bill.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from syco.models.pricing import price_of
from syco.project import CHAPTERS

CHARS_PER_TOKEN = 4.0
REFERENCE_MODELS = ["gpt-4o-mini", "gpt-4o", "claude-3-5-haiku", "claude-sonnet-4"]


def _chats(row: dict[str, Any]) -> list[list[dict[str, Any]]]:
    out = []
    for v in row.values():
        if isinstance(v, list) and v and all(isinstance(m, dict) and "content" in m for m in v):
            out.append(v)
    return out


def replay_tokens(rows: pd.DataFrame) -> tuple[int, int, int]:
    """(calls, input tokens, output tokens) one model's rows would cost, from transcripts."""
    calls = inp = outp = 0
    for row in rows.to_dict("records"):
        for chat in _chats(row):
            for i, m in enumerate(chat):
                if m.get("role") != "assistant":
                    continue
                calls += 1
                inp += sum(len(str(x.get("content", ""))) for x in chat[:i])
                outp += len(str(m.get("content", "")))
    return calls, round(inp / CHARS_PER_TOKEN), round(outp / CHARS_PER_TOKEN)


def estimate(rows: pd.DataFrame, model_id: str) -> float | None:
    """USD to rerun these rows' calls on ``model_id`` (None: no list price known)."""
    price = price_of(model_id)
    if price is None:
        return None
    _, inp, outp = replay_tokens(rows)
    return (inp * price[0] + outp * price[1]) / 1e6


def cost_table(rows_by_chapter: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per chapter with a recorded run: calls, tokens and estimated cost per reference model,
    replayed from the first model's rows (the sample size it was run with)."""
    out = []
    for name, rows in rows_by_chapter.items():
        if rows.empty or "model" not in rows:
            continue
        first = rows["model"].iloc[0]
        sub = rows[rows["model"] == first]
        calls, inp, outp = replay_tokens(sub)
        if calls == 0:
            continue
        rec: dict[str, Any] = {
            "chapter": f"§{CHAPTERS[name].section} {name}",
            "replayed from": first,
            "samples": len(sub),
            "calls": calls,
            "input tokens": inp,
            "output tokens": outp,
        }
        for m in REFERENCE_MODELS:
            p = price_of(m)
            rec[f"{m} (USD)"] = (inp * p[0] + outp * p[1]) / 1e6 if p else None
        out.append(rec)
    return pd.DataFrame(out)


def run_seconds(path: Path) -> tuple[float | None, float | None]:
    """(seconds of the last `syco run` of this page, seconds of its last re-execution from
    the cache) from the executed notebook's metadata."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, json.JSONDecodeError):
        return None, None
    pm = meta.get("papermill", {}) or {}
    syco = meta.get("syco", {}) or {}
    last = pm.get("duration")
    if "run_seconds" in syco:
        return syco["run_seconds"], last
    return last, None


REPLAY_COLUMN = "rebuild from cache (s)"


def timing_table(root: Path) -> pd.DataFrame:
    """Per executed chapter page: its parameters, the seconds of its last `syco run` and,
    where this build re-executed it from the answer key (`syco book` without
    ``--no-execute``), the seconds that took. The replay column is left out when no page
    was re-executed (`make book` renders the pages its run just wrote)."""
    out = []
    for ch in CHAPTERS.values():
        nb = root / "book" / "chapters" / ch.notebook
        if not nb.exists():
            continue
        run, replay = run_seconds(nb)
        params = (
            json.loads(nb.read_text("utf-8")).get("metadata", {}).get("papermill", {}) or {}
        ).get("parameters") or {}
        out.append(
            {
                "chapter": f"§{ch.section} {ch.title}",
                "parameters": ", ".join(f"{k}={v!r}" for k, v in params.items()) or "defaults",
                "syco run (s)": None if run is None else round(run),
                REPLAY_COLUMN: None if replay is None else round(replay),
            }
        )
    df = pd.DataFrame(out)
    for col in ("syco run (s)", REPLAY_COLUMN):
        if col in df:
            df[col] = df[col].astype("Int64")
    if REPLAY_COLUMN in df and df[REPLAY_COLUMN].isna().all():
        df = df.drop(columns=REPLAY_COLUMN)
    return df
