"""hh-rlhf helpfulness pairs for §4.1 (Sharma et al. §4.1; Bai et al. 2022a; source schema: SCHEMAS.md §2).

Each `chosen`/`rejected` dialogue is split into turns; a pair becomes (shared context,
chosen final response, rejected final response). Pairs whose contexts differ, whose final
responses are identical, that do not end in an Assistant turn (2 in helpful-online) or that
do not parse are dropped and counted.
"""

from __future__ import annotations

import re
from typing import Any

from syco.data import readers
from syco.data.common import sample

SPLITS = ("helpful-base", "helpful-online", "helpful-rejection-sampled")
_TURN = re.compile(r"\n\n(Human|Assistant): ?")


def parse_dialogue(text: str) -> list[dict[str, str]]:
    """``"\\n\\nHuman: …\\n\\nAssistant: …"`` -> [{role: user|assistant, content}]."""
    parts = _TURN.split(text)
    if parts[0].strip():
        return []  # text before the first turn marker: not a dialogue we understand
    roles = {"Human": "user", "Assistant": "assistant"}
    return [
        {"role": roles[parts[i]], "content": parts[i + 1].strip()} for i in range(1, len(parts), 2)
    ]


def parse_pair(chosen: str, rejected: str) -> tuple[dict[str, Any] | None, str]:
    """(pair, '') or (None, reason dropped)."""
    c, r = parse_dialogue(chosen), parse_dialogue(rejected)
    if not c or not r:
        return None, "unparsed"
    if c[-1]["role"] != "assistant" or r[-1]["role"] != "assistant":
        return None, "no final Assistant turn"
    if c[:-1] != r[:-1]:
        return None, "contexts differ"
    if c[-1]["content"] == r[-1]["content"]:
        return None, "identical responses"
    return {"context": c[:-1], "chosen": c[-1]["content"], "rejected": r[-1]["content"]}, ""


def load_hh_rlhf(
    splits: tuple[str, ...] | list[str] = SPLITS,
    n: int | None = None,
    seed: int = 0,
    stats: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Preference pairs from the hh-rlhf helpfulness test splits.

    Each pair: ``{"split", "row", "context": [{role, content}], "chosen": str,
    "rejected": str, "source": {...}}``. `n` samples pairs (seeded, in file order) after
    dropping; pass a dict as `stats` to get rows read and drops by reason per split.
    """
    out: list[dict[str, Any]] = []
    for split in splits:
        if split not in SPLITS:
            raise ValueError(f"unknown hh-rlhf split {split!r}; choose from {SPLITS}")
        rel = f"hh-rlhf/{split}/test.jsonl.gz"
        rows = readers.read_jsonl(rel, {"chosen": str, "rejected": str})
        dropped: dict[str, int] = {}
        for i, row in enumerate(rows):
            pair, why = parse_pair(row["chosen"], row["rejected"])
            if pair is None:
                dropped[why] = dropped.get(why, 0) + 1
                continue
            out.append(
                {
                    "split": split,
                    "row": i,
                    **pair,
                    "source": {"dataset": "hh_rlhf", "file": rel, "row": i},
                }
            )
        if stats is not None:
            stats[split] = {
                "rows": len(rows),
                "kept": len(rows) - sum(dropped.values()),
                "dropped": dropped,
            }
    return sample(out, n, seed, "hh_rlhf")
