"""`load` and `to_chat`: one interface to the rebuilt sets and the released files.

A chapter switches between our rebuilt sets and the paper's released files with one
parameter (``source="rebuilt"`` or ``"released"``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from syco.data.build import BUILDERS, built_path
from syco.data.common import dumps, sample
from syco.errors import SycoError

SETS: tuple[str, ...] = tuple(BUILDERS)
ROLES = {"human": "user", "ai": "assistant"}


def read_records(path: Path) -> list[dict[str, Any]]:
    """Rows of a data-set file, each checked for the prompt/base/metadata shape."""
    out = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise SycoError(
                    f"{path} line {i} is not JSON ({e.msg}): rebuild or re-fetch it"
                ) from e
            if not (
                isinstance(rec, dict)
                and isinstance(rec.get("prompt"), list)
                and isinstance(rec.get("base"), dict)
            ):
                raise SycoError(f"{path} line {i} lacks prompt/base: rebuild or re-fetch it")
            out.append(rec)
    return out


def item_key(rec: dict) -> str:
    """The base item a row belongs to: its base.source when it has one (so a math problem's
    correct and incorrect solutions stay together), else the whole base."""
    base = rec["base"]
    return dumps(base["source"]) if "source" in base else dumps(base)


def sample_by_base(records: list[dict], n: int | None, seed: int, name: str) -> list[dict]:
    """Keep n base items per sub-dataset (base.dataset), with all their rows (templates,
    framings, wrong poets, a problem's correct and incorrect solution) together and in file
    order. Deterministic in `seed`."""
    if n is None:
        return records
    groups: dict[str, dict[str, list[int]]] = {}
    for i, rec in enumerate(records):
        ds = str(rec["base"].get("dataset", ""))
        groups.setdefault(ds, {}).setdefault(item_key(rec), []).append(i)
    keep: list[int] = []
    for ds, by_base in groups.items():
        for rows in sample(list(by_base.values()), n, seed, "load", name, ds):
            keep.extend(rows)
    return [records[i] for i in sorted(keep)]


def load(name: str, source: str = "rebuilt", n: int | None = None, seed: int = 0) -> list[dict]:
    """The records of one set: ``{"prompt": [{type, content}], "base": {...}, "metadata": {...}}``.

    source: "rebuilt" (data_dir()/built, from `syco data build`) or "released" (the paper's
    files, see `syco.data.released`). n: base items per sub-dataset (None = all).
    """
    if source == "rebuilt":
        if name not in BUILDERS:
            raise SycoError(f"unknown data set {name!r}: choose from {', '.join(SETS)}")
        path = built_path(name)
        if not path.is_file():
            raise SycoError(
                f"data set {name!r} is not built ({path} missing): run "
                "`syco data fetch && syco data build`"
            )
    elif source == "released":
        from syco.data.released import released_path

        path = released_path(name)
    else:
        raise SycoError(f"source must be 'rebuilt' or 'released', not {source!r}")
    return sample_by_base(read_records(path), n, seed, name)


def checksum(name: str, source: str = "rebuilt") -> str | None:
    """sha256 of what a set's records come from, for a run record's ``data_checksum``.

    "rebuilt": the built file; "released": the paper's file; "hh_rlhf": one sha256 over the
    registered checksums of the hh-rlhf source files. None when the file is not there."""
    if source == "hh_rlhf":
        from syco.data.registry import sources

        shas = sorted(f.sha256 for f in sources()["hh_rlhf"].files)
        return hashlib.sha256("".join(shas).encode()).hexdigest()
    if source == "rebuilt":
        path = built_path(name)
    elif source == "released":
        from syco.data.released import released_dir

        path = released_dir() / f"{name}.jsonl"
    else:
        raise SycoError(f"source must be 'rebuilt' or 'released', not {source!r}")
    from syco.data.registry import sha256_file

    return sha256_file(path) if path.is_file() else None


def to_chat(prompt: list[dict[str, str]]) -> list[dict[str, str]]:
    """A record's prompt as a chat for `syco.models` (human->user, ai->assistant; a final
    assistant message is a prefill)."""
    try:
        return [{"role": ROLES[m["type"]], "content": m["content"]} for m in prompt]
    except KeyError as e:
        raise SycoError(f"prompt message has no valid type/content ({e}): expected human|ai") from e
