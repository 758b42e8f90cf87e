"""Where the book's sources are: the chapter notebooks and the `book/` tree.

`syco run` and `syco book` work from a checkout of this repository. It is found from
``$SYCO_PROJECT_DIR``, else by walking up from the current directory to a folder holding
``_config.yml`` and ``notebooks/``, else next to the installed package (editable install).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from syco.errors import SycoError


def project_root() -> Path:
    env = os.environ.get("SYCO_PROJECT_DIR")
    candidates = [Path(env)] if env else []
    cwd = Path.cwd().resolve()
    candidates += [cwd, *cwd.parents, Path(__file__).resolve().parents[2]]
    for c in candidates:
        if (c / "_config.yml").exists() and (c / "notebooks").is_dir():
            return c
    raise SycoError(
        "cannot find the book's sources (_config.yml and notebooks/): run inside a checkout "
        "of the repository or set SYCO_PROJECT_DIR"
    )


@dataclass(frozen=True)
class Chapter:
    name: str  # the name users type: `syco run answer`
    section: str  # the paper's section
    notebook: str  # file name in notebooks/ and book/chapters/
    title: str


CHAPTERS: dict[str, Chapter] = {
    c.name: c
    for c in [
        Chapter("feedback", "3.1", "03_1_feedback.ipynb", "Feedback sycophancy"),
        Chapter("are_you_sure", "3.2", "03_2_are_you_sure.ipynb", '"Are you sure?" sycophancy'),
        Chapter("answer", "3.3", "03_3_answer.ipynb", "Answer sycophancy"),
        Chapter("mimicry", "3.4", "03_4_mimicry.ipynb", "Mimicry sycophancy"),
        Chapter(
            "preference_data", "4.1", "04_1_preference_data.ipynb", "What preference data rewards"
        ),
        Chapter("pm_bon", "4.2", "04_2_pm_bon.ipynb", "Optimizing against preference models"),
        Chapter(
            "misconceptions", "4.3", "04_3_misconceptions.ipynb", "Misconceptions: humans and PMs"
        ),
    ]
}


def chapter(name: str) -> Chapter:
    key = name.replace("-", "_")
    if key not in CHAPTERS:
        raise SycoError(f"unknown chapter {name!r}: choose from {', '.join(CHAPTERS)} or 'all'")
    return CHAPTERS[key]
