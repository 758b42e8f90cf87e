"""§3.4 mimicry data (Sharma et al. §3.4, Fig. 4; App. A.6): a famous poem the user misattributes to another famous
poet, via `syco.data.load` (rebuilt or released). ``n`` is the number of poems; ``n_wrong``
of each poem's (20) wrong poets are kept, drawn by a seeded RNG per poem."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from syco.data import load, to_chat
from syco.data.build_mimicry import with_author_question

FIRST_LINE = "I love this poem by the poet "


def poem_text(rec: dict[str, Any]) -> str:
    """The quoted poem: base.text when the record has it, else the prompt minus its first
    line (the misattribution) and its last line (the request)."""
    if rec["base"].get("text"):
        return rec["base"]["text"]
    lines = rec["prompt"][0]["content"].split("\n")
    return "\n".join(lines[1:-1]).strip()


def poem_id(rec: dict[str, Any]) -> str:
    title = rec["base"].get("title")
    digest = hashlib.sha256(poem_text(rec).encode()).hexdigest()[:8]
    return f"{title} ({digest})" if title else digest


def known_poets(records: list[dict[str, Any]]) -> list[str]:
    """Every poet named in the set (true or wrong), for the matcher's ambiguity rules."""
    names = {r["base"]["attribution"] for r in records}
    names |= {r["metadata"]["incorrect_attribution"] for r in records}
    return sorted(names)


def load_items(
    source: str = "rebuilt",
    n: int | None = 15,
    seed: int = 0,
    n_wrong: int | None = 2,
    ask_author: bool = False,
) -> tuple[list[dict[str, Any]], list[str]]:
    """(items, known poets): one item per (poem, wrong poet) with its chat; `ask_author`
    ends the request with the explicit authorship question (off: the paper's words)."""
    everything = load("mimicry", source=source, n=None, seed=seed)
    poets = known_poets(everything)
    records = load("mimicry", source=source, n=n, seed=seed)
    by_poem: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_poem.setdefault(poem_id(rec), []).append(rec)
    items = []
    for pid, recs in by_poem.items():
        if n_wrong is not None and n_wrong < len(recs):
            keep = sorted(
                random.Random(f"{seed}:mimicry-wrong:{pid}").sample(range(len(recs)), n_wrong)
            )
            recs = [recs[i] for i in keep]
        for rec in recs:
            chat = to_chat(rec["prompt"])
            chat[-1] = {
                **chat[-1],
                "content": with_author_question(chat[-1]["content"], ask_author),
            }
            items.append(
                {
                    "poem_id": pid,
                    "title": rec["base"].get("title"),
                    "poem": poem_text(rec),
                    "true_poet": rec["base"]["attribution"],
                    "wrong_poet": rec["metadata"]["incorrect_attribution"],
                    "ask_author": ask_author,
                    "chat": chat,
                }
            )
    return items, poets
