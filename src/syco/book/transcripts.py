"""The per-chapter transcript browsers: one page per chapter with every model's samples
(capped per model, spread over conditions), each message escaped, filterable by model and
by text. Rows come from `syco.results.rows_frame`; nothing is typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from syco.book.pages import NOTE, breakable, esc, filter_controls, fmt_num, is_missing
from syco.project import Chapter

# A transcript page stays readable (and a few hundred KB) with this many rows per model.
ROWS_PER_MODEL = 100
# One message longer than this is cut (the record keeps all of it).
MAX_MESSAGE_CHARS = 3000

ITEM_COLS = [
    "item",
    "item_id",
    "question_id",
    "text_id",
    "poem_id",
    "misconception_id",
    "pair_id",
    "prompt_id",
    "id",
    "idx",
    "key",
    "base_id",
]
CONDITION_COLS = [
    "template",
    "framing",
    "condition",
    "prompt_template",
    "dataset",
    "domain",
    "kind",
    "subset",
    "wrong_poet",
    "variant",
    "difficulty",
    "level",
    "pm",
]
ANSWER_COLS = [
    "parsed",
    "parsed_answer",
    "answer",
    "prediction",
    "first_answer",
    "final_answer",
    "letter",
]
SCORE_COLS = [
    "score",
    "correct",
    "is_correct",
    "first_correct",
    "final_correct",
    "admits",
    "sycophantic",
    "mimicry",
    "mimics",
    "positive",
    "more_positive",
    "positivity",
    "reward",
    "value",
]
STATUS_COLS = ["status", "final_status"]


def _is_chat(v: Any) -> bool:
    return (
        isinstance(v, list)
        and len(v) > 0
        and all(isinstance(m, dict) and "content" in m for m in v)
    )


def _chat_html(chat: list[dict[str, Any]]) -> str:
    parts = []
    for m in chat:
        role = str(m.get("role", "?"))
        text = str(m.get("content", ""))
        cut = ""
        if len(text) > MAX_MESSAGE_CHARS:
            cut = f"<span class='syco-cut'>… ({len(text) - MAX_MESSAGE_CHARS:,} more characters)</span>"
            text = text[:MAX_MESSAGE_CHARS]
        parts.append(
            f"<div class='syco-msg syco-{esc(role)}'><span class='syco-role'>{esc(role)}</span>"
            f"<div class='syco-text'>{esc(text)}{cut}</div></div>"
        )
    return "".join(parts)


def _short(v: Any, limit: int = 120) -> str:
    if is_missing(v):
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else fmt_num(v)
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _first(cols: list[str], present: list[str]) -> list[str]:
    return [c for c in cols if c in present]


def _spread(rows: list[dict[str, Any]], cap: int, by: str | None) -> list[dict[str, Any]]:
    """At most ``cap`` rows, shared evenly between the values of ``by`` (e.g. each dataset
    gets its first rows), in their recorded order."""
    if len(rows) <= cap or by is None:
        return rows[:cap]
    groups: dict[Any, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(str(r.get(by)), []).append(i)
    take: set[int] = set()
    queues = [list(g) for g in groups.values()]
    while len(take) < cap and any(queues):
        for q in queues:
            if q and len(take) < cap:
                take.add(q.pop(0))
    return [rows[i] for i in sorted(take)]


def _strata(cols: list[str]) -> list[str]:
    """The column a capped page spreads its rows over (datasets, domains, ...), if any."""
    return _first(["dataset", "subset", "domain", "kind"], cols)[:1]


def shown_rows(rows: pd.DataFrame, model: str, per_model: int = ROWS_PER_MODEL) -> pd.DataFrame:
    """One model's rows exactly as its transcripts page shows them (at most ``per_model``,
    spread over datasets): what a student counting on the page sees."""
    sub = rows[rows["model"] == model]
    strata = _strata([c for c in rows.columns if c != "model"])
    kept = _spread(sub.to_dict("records"), per_model, strata[0] if strata else None)
    return pd.DataFrame(kept, columns=rows.columns)


def transcript_rows(rows: pd.DataFrame, per_model: int = ROWS_PER_MODEL) -> tuple[str, str]:
    """(note, table HTML) for one chapter's rows, at most ``per_model`` rows per model."""
    records = rows.to_dict("records")
    cols = [c for c in rows.columns if c != "model"]
    chat_cols = [c for c in cols if any(_is_chat(r.get(c)) for r in records[:50])]
    item = _first(ITEM_COLS, cols)[:1]
    cond = [c for c in _first(CONDITION_COLS, cols) if c not in item][:3]
    ans = _first(ANSWER_COLS, cols)[:2]
    score = [c for c in _first(SCORE_COLS, cols) if c not in ans][:3]
    status = _first(STATUS_COLS, cols)[:1]
    shown = set(chat_cols + item + cond + ans + score + status + ["error", "model"])
    rest = [c for c in cols if c not in shown]

    models = list(dict.fromkeys(rows["model"]))
    counts = rows["model"].value_counts()
    notes = []
    kept = []
    strata = _strata(cols)
    for m in models:
        sub = [r for r in records if r["model"] == m]
        kept += _spread(sub, per_model, strata[0] if strata else None)
        if len(sub) > per_model:
            by = f", the first of each {strata[0]} in turn" if strata else ""
            notes.append(f"{m}: {per_model} of {len(sub):,} rows{by}")
        else:
            notes.append(f"{m}: all {int(counts[m]):,} rows")

    head = ["#", "model", *(item or ["item"]), *cond, "transcript", *ans, *score, *status]
    head.append("error")
    out = [
        "<div class='syco-scroll'><table class='syco-table syco-rows' id='syco-rows'><thead><tr>"
        + "".join(f"<th>{breakable(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
    ]
    for i, r in enumerate(kept):
        err = r.get("error")
        has_err = not is_missing(err) and str(err) != ""
        cells = [f"<td class='syco-num'>{i + 1}</td>", f"<td>{esc(r['model'])}</td>"]
        cells += [f"<td class='syco-long'>{breakable(_short(r.get(c)))}</td>" for c in item] or [
            "<td></td>"
        ]
        cells += [f"<td>{breakable(_short(r.get(c)))}</td>" for c in cond]
        body = []
        preview = ""
        for c in chat_cols:
            chat = r.get(c)
            if chat is not None and _is_chat(chat):
                if not preview:
                    last = [m for m in chat if m.get("role") == "assistant"] or chat
                    preview = _short(str(last[-1].get("content", "")).strip(), 90)
                label = "" if len(chat_cols) == 1 else f"<div class='syco-field'>{esc(c)}</div>"
                body.append(label + _chat_html(chat))
        extra = [
            f"<tr><th>{esc(c)}</th><td>{esc(_short(r.get(c), 2000))}</td></tr>"
            for c in rest
            if not is_missing(r.get(c)) and r.get(c) != ""
        ]
        if extra:
            body.append("<table class='syco-kv'>" + "".join(extra) + "</table>")
        summary = esc(preview) if preview else "(no transcript)"
        cells.append(
            f"<td class='syco-transcript'><details><summary>{summary}</summary>"
            f"{''.join(body)}</details></td>"
        )
        cells += [f"<td class='syco-long'>{esc(_short(r.get(c)))}</td>" for c in ans]
        cells += [f"<td class='syco-num'>{esc(_short(r.get(c)))}</td>" for c in score]
        cells += [f"<td>{breakable(_short(r.get(c)))}</td>" for c in status]
        cells.append(
            f"<td class='syco-error syco-long'>{esc(_short(err, 300)) if has_err else ''}</td>"
        )
        cls = "syco-row syco-warn" if has_err else "syco-row"
        out.append(f"<tr class='{cls}' data-model='{esc(r['model'])}'>{''.join(cells)}</tr>")
    out.append("</tbody></table></div>")
    note = "; ".join(notes)
    controls = filter_controls(
        "syco-rows",
        models,
        "<label class='syco-errors-only'><input type='checkbox'> errors only</label>",
    )
    return note, controls + "\n" + "\n".join(out)


def shown_count(rows: pd.DataFrame, per_model: int = ROWS_PER_MODEL) -> tuple[int, int]:
    """(rows the page shows, rows recorded): at most ``per_model`` per model."""
    if rows.empty:
        return 0, 0
    counts = rows["model"].value_counts()
    return int(counts.clip(upper=per_model).sum()), int(counts.sum())


def transcripts_page(
    ch: Chapter, rows: pd.DataFrame, chapter_available: bool, per_model: int = ROWS_PER_MODEL
) -> str:
    back = (
        f"Back to the chapter: [§{ch.section} {ch.title}](../../chapters/{Path(ch.notebook).stem}.ipynb). "
        if chapter_available
        else ""
    )
    lines = [
        f"# Transcripts: §{ch.section} {ch.title}",
        "",
        f"<!-- {NOTE} -->",
        "",
    ]
    if rows.empty:
        lines += [
            back + f"No run of this chapter is recorded yet. Run it with `syco run {ch.name}`.",
            "",
        ]
        return "\n".join(lines)
    shown, total = shown_count(rows, per_model)
    which = (
        f"All {total:,} samples the chapter scored"
        if shown == total
        else f"{shown:,} of the {total:,} samples the chapter scored (at most {per_model} per "
        "model; the rest are in the run records, below)"
    )
    note, table = transcript_rows(rows, per_model)
    lines += [
        back + f"{which}, as recorded: the full conversation (click a row's reply to open "
        "it), the parsed answer, the score and any error. Filter by text or model; *errors "
        "only* shows the samples that were excluded from the metrics.",
        "",
        f"Shown: {esc(note)}. All rows are in the run records: "
        f"`syco.results.rows_frame({ch.name!r})` (one JSON file per model under "
        f"`$SYCO_HOME/results/{ch.name}/`).",
        "",
        "```{raw} html",
        table,
        "```",
        "",
    ]
    return "\n".join(lines)
