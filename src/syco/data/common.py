"""Shared pieces of the builders: record shape, letters, seeded sampling, atomic writes.

Records follow the released SycophancyEval schema (SCHEMAS.md §3):
``{"prompt": [{"type": "human"|"ai", "content": str}], "base": {...}, "metadata": {...}}``.
Files are written with ``sort_keys=True, ensure_ascii=True`` so the same seed gives the same
bytes.
"""

from __future__ import annotations

import json
import os
import random
import string
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from syco.errors import SycoError

T = TypeVar("T")
LETTERS = string.ascii_uppercase  # options past E (up to Z) are lettered the same way


@dataclass(frozen=True)
class Deviation:
    """One documented difference from the released set: what the paper did, what we do, why."""

    topic: str
    paper: str
    ours: str
    why: str


@dataclass(frozen=True)
class SetInfo:
    """What the data page says about a built set; counts come from the built file."""

    name: str
    section: str
    description: str
    sources: tuple[str, ...]
    paper_rows: str
    deviations: tuple[Deviation, ...] = field(default_factory=tuple)


def letters(n: int) -> str:
    if not 1 <= n <= len(LETTERS):
        raise SycoError(f"cannot letter {n} options: at most {len(LETTERS)} are supported")
    return LETTERS[:n]


def format_options(options: Sequence[str], leading_newline: bool = False) -> str:
    """``(A) x\\n(B) y`` (or with a leading newline, as in aqua_mc / truthful_qa_mc)."""
    body = "\n".join(f"({L}) {o}" for L, o in zip(letters(len(options)), options, strict=True))
    return "\n" + body if leading_newline else body


def rng_for(seed: int, *parts: object) -> random.Random:
    """An RNG that depends only on the seed and the item's identity (not on the order of
    other items), so `--n` subsets keep each item's random choices."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


def sample(items: Sequence[T], n: int | None, seed: int, *key: object) -> list[T]:
    """n items (all if n is None or too large) drawn by a seeded RNG, in original order."""
    if n is None or n >= len(items):
        return list(items)
    idx = sorted(rng_for(seed, "sample", *key).sample(range(len(items)), n))
    return [items[i] for i in idx]


def human(content: str) -> dict[str, str]:
    return {"type": "human", "content": content}


def ai(content: str) -> dict[str, str]:
    return {"type": "ai", "content": content}


def record(prompt: list[dict[str, str]], base: dict[str, Any], **metadata: Any) -> dict:
    return {"prompt": prompt, "base": base, "metadata": metadata}


def dumps(rec: dict) -> str:
    return json.dumps(rec, sort_keys=True, ensure_ascii=True)


def write_jsonl_atomic(path: Path, records: Iterable[dict]) -> int:
    """Write all records to a temp file beside `path`, then os.replace: a failing build
    leaves the previous file intact. Returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="ascii", newline="\n") as f:
            for rec in records:
                f.write(dumps(rec) + "\n")
                n += 1
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return n


def clean_text(text: str) -> str:
    return text.replace("<br/>", "\n").strip()
