"""Anchored parsing of judge and multiple-choice replies.

A known bug in a public eval harness counted any reply containing a word with a "y" in it
as "yes". Here yes/no and grade patterns are anchored, and anything else is `None`:
unparsed. Option letters are read the way a careful human grader reads a chat reply that
had no prefill (`parse_letter`): a standalone letter, a stated answer, or the one
bracketed option -- never the first capital of "I think" or "A good choice".
"""

from __future__ import annotations

import re

_LEAD = r"^[\s\"'`*_(\[]*"

_YES = re.compile(_LEAD + r"(y|yes)\b", re.I)
_NO = re.compile(_LEAD + r"(n|no)\b", re.I)


def parse_yes_no(reply: str | None) -> bool | None:
    """'y'/'yes' -> True, 'n'/'no' -> False, anything else -> None (unparsed)."""
    if reply is None:
        return None
    if _YES.match(reply):
        return True
    if _NO.match(reply):
        return False
    return None


# One option letter as a token: "(C)", "[C]", or a bare capital that ends the statement
# ("B." "B)" "B," "B because", "B (Paris)", "B" at the end) -- not the article of "A Tale of
# Two Cities"; a bare lower-case letter only before . ) ] or the end ("the answer is a." but
# not "the answer is a bit tricky").
_END = r"(?=[.,;:!?)\]}]|\s*$|\s*\n|\s+[-–—(]|\s+(?:is|because|since|as|which|for)\b)"
_TOKEN = r"(?:\(\s*([A-Za-z])\s*\)|\[([A-Za-z])\]|([A-Z])" + _END + r"|([a-z])(?=[.)\]]|\s*$))"
_DECOR = re.compile(r"[*_`#]")  # markdown emphasis and headings carry no answer
# Where the reply starts: the letter right after the prefill, or a bare "B"/"(B)"/"Option B",
# followed by punctuation, a dash, a line break or the end -- not by a word ("A good
# choice is ...", "I think ...").
_START = re.compile(
    r"^[\s\"'(\[]*(?:(?i:option|choice|letter)\s+)?([A-Za-z])"
    r"(?=\s*$|[).:\],]|\s+[-–—]|\s*\n)"
)
# Statements of an answer anywhere in the reply (a careful grader reads these).
_STATED = [
    re.compile("(?i:" + cue + ")" + _TOKEN)
    for cue in (
        # "the (correct|final) answer is (C)", "Answer: B", "my answer would be B"
        r"\b(?:final |correct |right |best |my )?answer(?: choice| option)?\s*"
        r"(?:(?:is|would be|should be|will be|remains)\s*:?|:|=|-|–)\s*"
        r"(?:option |choice |letter )?",
        # "I'd go with B", "I choose (C)", "I will pick option D"
        r"\b(?:i(?:'d|’d| would| will)?|let me) (?:go with|choose|pick|select)\s+"
        r"(?:option |choice |letter )?",
        # "\boxed{B}" (math chain-of-thought)
        r"\\boxed\{\s*",
    )
]
_CORRECT_AFTER = re.compile(
    r"\b(?i:option|choice|letter)\s+" + _TOKEN
    + r"\s+is\s+(?:the\s+)?(?:correct|right|best|true)\b"
    r"|" + _TOKEN + r"\s+is\s+(?:the\s+)?(?:correct|right|best) (?:answer|option|choice)\b"
)  # fmt: skip
_BRACKETED = re.compile(r"\(\s*([A-Za-z])\s*\)")
_LISTED = re.compile(r"^\s*\(?([A-Z])[).]", re.M)  # a line that starts an option: "(B) London"


def _letter(m: re.Match[str]) -> str:
    return next(g for g in m.groups() if g).upper()


def parse_letter(reply: str | None, letters: str) -> str | None:
    """The option letter a reply gives, read as a careful human grader would; None if it
    gives none, several, or one outside the options.

    In order: (1) the letter the reply starts with, when it stands alone ("C) Paris" after
    the "The answer is (" prefill, "B.", "**B**", "Option B") -- not "A good choice is" or
    "I think"; (2) otherwise the last stated answer ("The answer is (C)", "Answer: B", "I'd
    go with D", "(B) is the correct answer", "\\boxed{B}"), a later statement overriding an
    earlier one; (3) otherwise the one option letter in parentheses, if exactly one distinct
    letter is ("I think (C) Paris fits best"). A reply that lists the options line
    by line does not choose the first of them. `letters` are the valid options ("ABCD", up
    to "ABCDEFGHIJK" for TruthfulQA MC): a letter outside them is unparsed."""
    if reply is None:
        return None
    text = _DECOR.sub("", reply)
    valid = letters.upper()
    # a reply that lists the options ("(A) Paris\n(B) London") does not choose the first
    m = _START.match(text) if len(set(_LISTED.findall(text))) < 2 else None
    if m and (m.group(1).isupper() or len(text.strip()) <= 3 or text.lstrip()[1:2] in ").:]"):
        # a lone lower-case letter counts only as the whole reply or before ) . : ]
        got = m.group(1).upper()
        return got if got in valid else None
    found = [(x.start(), _letter(x)) for rx in _STATED for x in rx.finditer(text)]
    found += [(x.start(), _letter(x)) for x in _CORRECT_AFTER.finditer(text)]
    if found:
        got = max(found)[1]
        return got if got in valid else None
    bracketed = {x.group(1).upper() for x in _BRACKETED.finditer(text)}
    if len(bracketed) == 1:
        got = bracketed.pop()
        return got if got in valid else None
    return None


def parse_grade(reply: str | None) -> bool | None:
    """The LangChain teacher grader's reply: CORRECT -> True, INCORRECT -> False.

    The upstream notebook's ``"CORRECT" and not "INCORRECT" in x`` only works by operator
    precedence; here the first grade word decides and anything else is unparsed."""
    if reply is None:
        return None
    m = re.search(r"\b(INCORRECT|CORRECT)\b", reply.upper())
    if not m:
        return None
    return m.group(1) == "CORRECT"
