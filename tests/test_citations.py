"""The book cites the paper itself (section, figure, table, appendix), never a file its
readers do not have: the project's paper notes are a developers' aid, not a source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from syco.paper import PAPER_HEADLINES, paper_label
from syco.plots import paper_vs_ours

ROOT = Path(__file__).resolve().parents[1]
NOTES = "PAPER" + ".md"  # spelled apart so this file is not itself a hit
SCANNED = ["src", "notebooks", "book", "docs", "data", "README.md", "_config.yml"]


def _files() -> list[Path]:
    out: list[Path] = []
    for name in SCANNED:
        p = ROOT / name
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out += [f for f in p.rglob("*") if f.is_file() and "_build" not in f.parts]
    return out


def test_no_page_docstring_or_notebook_cites_the_notes_file() -> None:
    files = _files()
    assert len(files) > 50  # the scan really covers the project
    hits = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary assets (images, fonts)
        hits += [
            f"{f.relative_to(ROOT)}:{i}" for i, line in enumerate(text.splitlines(), 1)
            if NOTES.lower() in line.lower()
        ]  # fmt: skip
    assert hits == [], f"cite the paper (Sharma et al. §N, Fig. N, App. X), not {NOTES}: {hits}"


def test_paper_column_names_the_paper_and_its_figure() -> None:
    df = paper_vs_ours([{"quantity": "q", "paper": "95% [P]", "ours": 0.5, "model": "m"}],
                       cite="§4.3, Fig. 7a")  # fmt: skip
    assert "Paper (Sharma et al. 2023, §4.3, Fig. 7a)" in df.columns
    assert paper_label() == "Paper (Sharma et al. 2023)"
    assert isinstance(df, pd.DataFrame)


def test_every_headline_says_where_in_the_paper() -> None:
    for chapter, lines in PAPER_HEADLINES.items():
        for line in lines:
            assert "Fig." in line or "App." in line or "§" in line, (chapter, line)
