"""Helpers of the "what would 10 points take" suites (tests/test_*_reach.py)."""

from __future__ import annotations


def blocks(text: str) -> dict[str, list[str]]:
    """A reach text's model name (its backquoted header line) -> that model's bullet lines."""
    out: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("`"):
            out[line.split("`")[1]] = lines = []
        elif line.startswith("- "):
            lines.append(line)
    return out
