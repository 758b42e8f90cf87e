"""The README is the front door (issue 21, item 12): what the book is, how to build it, how
to rerun it with another model, where things are. Measurements live in docs/MEASUREMENTS.md,
whose precision table is generated from the records (`syco results --precision --into`)."""

from __future__ import annotations

import re
from pathlib import Path

from syco.book.precision import END, START

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LOG = ROOT / "docs" / "MEASUREMENTS.md"

# What a measurement looks like when typed into prose: a duration, a rate, a size, a speed-up
# or a share other than the 95% of an interval's name.
MEASURED = re.compile(
    r"\b\d[\d,.]*\s*(?:s|min|ms|h|GB|MB|tok/s|CPU-s|nats?|×)(?=[\s),.;:]|$)"
    r"|\b\d[\d,.]*x\b"
    r"|\b(?!95%)\d[\d.]*%"
)


def test_readme_is_short_and_opens_with_the_two_commands() -> None:
    lines = README.splitlines()
    assert len(lines) < 200, f"{len(lines)} lines: move details to docs/ or the book"
    head = "\n".join(lines[:8])
    assert "make book" in head and "make test" in head


def test_readme_documents_the_ladder_rerunning_and_the_layout() -> None:
    for needed in ("make models", "make key", "make book", "make reproduce", "SYCO_LADDER"):
        assert needed in README, needed
    for mode in ("`replay`", "`live`", "`auto`"):
        assert mode in README, mode
    for spec in ("anthropic/", "openai/", "openai-api/", "hf/", "vllm/"):
        assert f"`{spec}" in README, spec
    for role in ("judge", "grader", "pm"):
        assert f"`{role}`" in README, role
    assert "environment" in README and "credential" in README
    for path in ("notebooks/", "src/syco/", "book/", "data/", "published/", "benchmarks/",
                 "tests/", "docs/"):  # fmt: skip
        assert f"| `{path}` |" in README, path
        assert (ROOT / path).is_dir(), path


def test_readme_types_no_measurement() -> None:
    hits = [m.group(0) for m in MEASURED.finditer(README)]
    assert hits == [], f"measured numbers belong in docs/MEASUREMENTS.md: {hits}"
    assert START not in README  # the precision table is generated into docs/, not here


def test_the_measurements_log_keeps_the_generated_precision_block() -> None:
    text = LOG.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert "syco results --precision --into docs/MEASUREMENTS.md" in block
    assert "docs/MEASUREMENTS.md" in README
