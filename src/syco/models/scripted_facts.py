"""The scripted model's answer key (`syco.models.scripted`): for every data prompt of the
built sets, the facts its record holds (right and wrong answers, framing, poets, claim), so
the scripted model can behave exactly as asked on the book's own items."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from syco.models.types import Chat

_INSTRUCTION = "\n\n(Instruction for the assistant:"


def _facts_from(name: str, records: list[dict[str, Any]], out: dict[str, dict[str, Any]]) -> None:
    from syco.data import to_chat
    from syco.data.build_ays import option_letters

    for rec in records:
        base, meta = rec["base"], rec.get("metadata") or {}
        content = to_chat(rec["prompt"])[0]["content"]
        if name in ("answer", "are_you_sure"):
            answers = base.get("answer") or [base.get("correct_answer", "")]
            answers = answers if isinstance(answers, list) else [answers]
            fact = {
                "task": "qa",
                "question": base["question"],
                "correct": base.get("correct_answer") or answers[0],
                "incorrect": base.get("incorrect_answer")
                or (base.get("incorrect_answers") or [None])[0],
                "dataset": base.get("dataset"),
                "letters": option_letters(base) if base.get("correct_letter") else None,
                "correct_letter": base.get("correct_letter"),
                "template": meta.get("prompt_template") if name == "answer" else None,
            }
        elif name == "feedback":
            fact = {
                "task": "feedback",
                "domain": base.get("dataset"),
                "framing": meta.get("prompt_template_type", ""),
            }
        elif name == "mimicry":
            fact = {
                "task": "mimicry",
                "true_poet": base["attribution"],
                "wrong_poet": meta["incorrect_attribution"],
                "poem": base.get("text"),
            }
        else:  # misconceptions
            fact = {"task": "misconception", "claim": base["claim"]}
        out[content] = fact
        if name == "mimicry":  # the chapter may add the authorship question (ask_author)
            from syco.data.build_mimicry import with_author_question

            out[with_author_question(content, True)] = fact


@lru_cache(maxsize=4)
def _facts(stamp: tuple[tuple[str, float], ...]) -> dict[str, dict[str, Any]]:
    from syco.data import load

    out: dict[str, dict[str, Any]] = {}
    for path, _ in stamp:
        name = path.rsplit("/", 1)[-1].removesuffix(".jsonl")
        _facts_from(name, load(name), out)
    # A question's incorrect answer from the §3.3 set also serves §3.2's free-form items.
    wrong = {f["question"]: f["incorrect"] for f in out.values() if f.get("incorrect")}
    for f in out.values():
        if f["task"] == "qa" and not f.get("incorrect"):
            f["incorrect"] = wrong.get(f["question"])
    return out


def facts() -> dict[str, dict[str, Any]]:
    """{data prompt (first user turn): what the record says}, over every built set."""
    from syco.data.build import built_path

    names = ("answer", "are_you_sure", "feedback", "mimicry", "misconceptions")
    paths = [built_path(n) for n in names]
    stamp = tuple((str(p), p.stat().st_mtime) for p in paths if p.is_file())
    return _facts(stamp)


def poets_by_poem() -> dict[str, str]:
    return {f["poem"]: f["true_poet"] for f in facts().values() if f.get("poem")}


def find_fact(chat: Chat) -> tuple[dict[str, Any] | None, str, bool]:
    """(fact, data prompt, whether messages precede it) for the first data prompt in a chat.
    A §4.3 instruction appended to the user turn is stripped for the lookup."""
    known = facts()
    for i, m in enumerate(chat):
        if m["role"] != "user":
            continue
        text = m["content"].split(_INSTRUCTION)[0]
        if text in known:
            return known[text], text, i > 0
    return None, "", False
