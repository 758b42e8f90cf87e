"""Readers for the source files (SCHEMAS.md §1, §4–§10), each checking every row.

A malformed row raises `SycoError` naming the file and line, so a bad source never turns
into a silently wrong data set.
"""

from __future__ import annotations

import ast
import csv
import gzip
import json
import re
from pathlib import Path
from typing import Any

from syco.data.registry import source_path
from syco.errors import SycoError

TRUTHFULQA = "truthfulqa/TruthfulQA.csv"
TRIVIAQA = "triviaqa/topics.dpr.trivia.test.txt"
AQUA = "aqua/test.json"
MATH_FULL = "math/math_test_full.jsonl"
REALCRITIC = "math/realcritic_math_wrong_solutions.jsonl"
FAMOUS_POEMS = "poems/famous_poets_pd.jsonl.gz"
MINOR_POEMS = "poems/minor_poets_pd.jsonl.gz"
ARGKP = tuple(f"arguments/argkp/arguments_{s}.csv" for s in ("train", "dev", "test"))


def _bad(relpath: str, line: int, what: str) -> SycoError:
    return SycoError(
        f"malformed row in source {relpath} line {line}: {what}; the file does not match "
        "SCHEMAS.md: re-fetch it with `syco data fetch` or fix the registry entry"
    )


def _need(relpath: str, line: int, row: dict, keys: dict[str, type]) -> None:
    for k, t in keys.items():
        if not isinstance(row.get(k), t):
            raise _bad(relpath, line, f"field {k!r} missing or not {t.__name__}")


def read_jsonl(relpath: str, keys: dict[str, type]) -> list[dict[str, Any]]:
    path = source_path(relpath)
    opener = gzip.open if relpath.endswith(".gz") else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise _bad(relpath, i, f"not JSON ({e.msg})") from e
            if not isinstance(row, dict):
                raise _bad(relpath, i, "not a JSON object")
            _need(relpath, i, row, keys)
            rows.append(row)
    return rows


def read_truthfulqa() -> list[dict[str, Any]]:
    cols = ["Type", "Category", "Question", "Best Answer", "Correct Answers", "Incorrect Answers"]
    path = source_path(TRUTHFULQA)
    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for i, row in enumerate(csv.DictReader(f), 1):
            if any(not (row.get(c) or "").strip() for c in cols):
                raise _bad(TRUTHFULQA, i + 1, f"expected non-empty columns {cols}")
            out.append(
                {
                    "row": i - 1,
                    "category": row["Category"],
                    "question": row["Question"].strip(),
                    "best_answer": row["Best Answer"].strip(),
                    "correct_answers": [a.strip() for a in row["Correct Answers"].split("; ")],
                    "incorrect_answers": [a.strip() for a in row["Incorrect Answers"].split("; ")],
                }
            )
    return out


def read_triviaqa() -> list[dict[str, Any]]:
    path = source_path(TRIVIAQA)
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f, delimiter="\t"), 1):
            if len(row) != 2:
                raise _bad(TRIVIAQA, i, f"expected 2 tab-separated fields, got {len(row)}")
            try:
                aliases = ast.literal_eval(row[1])
            except (ValueError, SyntaxError) as e:
                raise _bad(TRIVIAQA, i, "answers field is not a Python list literal") from e
            if not (
                isinstance(aliases, list) and aliases and all(isinstance(a, str) for a in aliases)
            ):
                raise _bad(TRIVIAQA, i, "answers is not a non-empty list of strings")
            out.append({"row": i - 1, "question": row[0].strip(), "aliases": aliases})
    return out


def read_aqua() -> list[dict[str, Any]]:
    rows = read_jsonl(AQUA, {"question": str, "options": list, "correct": str})
    for i, r in enumerate(rows, 1):
        opts = r["options"]
        if len(opts) != 5 or any(
            not o.startswith(f"{L})") for L, o in zip("ABCDE", opts, strict=False)
        ):
            raise _bad(AQUA, i, "options are not 5 strings 'A)'…'E)'")
        if r["correct"] not in "ABCDE" or len(r["correct"]) != 1:
            raise _bad(AQUA, i, f"correct letter {r['correct']!r} not in A–E")
        r["options"] = [o[2:].strip() for o in opts]
        r["row"] = i - 1
    return rows


def read_mmlu() -> list[dict[str, Any]]:
    from syco.data.registry import sources

    out = []
    for entry in sources()["mmlu"].files:
        path = source_path(entry.path)
        topic = Path(entry.path).stem  # e.g. "astronomy_test", as in mmlu_mc_cot
        with open(path, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.reader(f), 1):
                if len(row) != 6 or row[5] not in ("A", "B", "C", "D"):
                    raise _bad(entry.path, i, "expected 6 fields ending in a letter A–D")
                out.append(
                    {
                        "topic": topic,
                        "row": i - 1,
                        "question": row[0],
                        "options": row[1:5],
                        "answer": row[5],
                        "path": entry.path,
                    }
                )
    return out


def last_boxed(solution: str) -> str | None:
    """Content of the last \\boxed{…} or \\fbox{…}, matching braces (SCHEMAS.md §5)."""
    starts = [m.end() for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", solution)]
    if not starts:
        return None
    i = start = starts[-1]
    depth = 1
    while i < len(solution):
        c = solution[i]
        depth += (c == "{") - (c == "}")
        if depth == 0:
            return solution[start:i].strip()
        i += 1
    return None


def read_math_full() -> dict[str, dict[str, Any]]:
    rows = read_jsonl(
        MATH_FULL, {"problem": str, "level": str, "type": str, "solution": str, "idx": int}
    )
    return {r["problem"]: r for r in rows}


def read_realcritic() -> list[dict[str, Any]]:
    return read_jsonl(
        REALCRITIC,
        {
            "idx": int,
            "question": str,
            "solution": str,
            "answer": str,
            "gt": str,
            "pred": str,
            "wrong": str,
            "model": str,
            "level": str,
        },
    )


def read_poems(relpath: str) -> list[dict[str, Any]]:
    return read_jsonl(
        relpath, {"id": str, "author": str, "title": str, "text": str, "n_lines": int}
    )


def read_argkp() -> list[dict[str, Any]]:
    out = []
    for rel in ARGKP:
        with open(source_path(rel), encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f), 1):
                if (
                    not row.get("arg_id")
                    or not row.get("argument")
                    or row.get("stance") not in ("1", "-1")
                ):
                    raise _bad(rel, i + 1, "expected arg_id, argument, topic, stance (1/-1)")
                out.append({"path": rel, "row": i - 1, **row})
    return out


def read_ukpconvarg1() -> list[dict[str, Any]]:
    from syco.data.registry import sources

    out = []
    for entry in sources()["ukpconvarg1"].files:
        debate, _, stance = Path(entry.path).stem.partition("_")
        with open(source_path(entry.path), encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.reader(f, delimiter="\t"), 1):
                if i == 1:
                    continue  # header "#id rank argument"
                if len(row) != 3:
                    raise _bad(entry.path, i, f"expected 3 tab-separated fields, got {len(row)}")
                out.append(
                    {
                        "path": entry.path,
                        "row": i - 2,
                        "id": row[0],
                        "rank": row[1],
                        "text": row[2],
                        "debate": debate,
                        "stance": stance,
                    }
                )
    return out
