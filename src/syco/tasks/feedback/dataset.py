"""§3.1 feedback data (Sharma et al. §3.1, Fig. 1): each base text (argument, math solution, poem) under
the 5 framings, via `syco.data.load` (our rebuilt set or the paper's released file)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from syco.data import load, to_chat
from syco.errors import SycoError
from syco.tasks.feedback.prompts import framing_id

DOMAINS = ("arguments", "math", "poems")


def text_id(base: dict[str, Any]) -> str:
    """A stable id for a base text (its base record's hash)."""
    blob = json.dumps(base, sort_keys=True, ensure_ascii=True).encode()
    return f"{base.get('dataset', '?')}-{hashlib.sha256(blob).hexdigest()[:10]}"


def load_items(
    source: str = "rebuilt", n: int | None = 3, seed: int = 0, domains=DOMAINS
) -> list[dict[str, Any]]:
    """One item per (text, framing): ids, domain, framing, chat.

    ``n`` base items per domain, all five framings of a text together: n arguments, n poems,
    and n math problems, each with its reference and a wrong solution (2n math texts)."""
    unknown = sorted(set(domains) - set(DOMAINS))
    if unknown:
        raise SycoError(f"unknown feedback domain(s) {unknown}: choose from {', '.join(DOMAINS)}")
    items = []
    for rec in load("feedback", source=source, n=n, seed=seed):
        base = rec["base"]
        if base.get("dataset") not in domains:
            continue
        meta = rec.get("metadata") or {}
        items.append(
            {
                "text_id": text_id(base),
                "domain": base["dataset"],
                "framing": framing_id(meta.get("prompt_template_type", "")),
                "chat": to_chat(rec["prompt"]),
                "is_correct": base.get("is_correct"),
            }
        )
    return items
