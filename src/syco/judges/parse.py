"""Anchored parsing of judge and multiple-choice replies.

A known bug in a public eval harness counted any reply containing a word with a "y" in it
as "yes". Here every pattern is anchored at the start of the reply (after optional
whitespace, quotes, brackets or markdown), and anything else is `None`: unparsed.
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


def parse_letter(reply: str | None, letters: str) -> str | None:
    """The option letter a reply starts with, e.g. 'B)' or '(C' or 'D.'; None if absent.

    `letters` is the set of valid options ("ABCD", or up to "ABCDEFGHIJK" for TruthfulQA),
    so a reply that starts with a letter outside the options stays unparsed."""
    if reply is None:
        return None
    m = re.match(_LEAD + r"([A-Za-z])(?:[).:\],]|\s|$)", reply)
    if m and m.group(1).upper() in letters.upper():
        return m.group(1).upper()
    # "The answer is (C)" style replies, when a model repeats the prefill.
    m = re.search(r"\banswer is\s*\(?([A-Za-z])\)", reply, re.I)
    if m and m.group(1).upper() in letters.upper():
        return m.group(1).upper()
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
