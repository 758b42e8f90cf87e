"""Preparing the executed chapter notebooks (``book/chapters/``) for rendering.

Code is hidden by default: every code cell gets the ``hide-input`` tag (a "Show code cell
source" toggle), papermill's ``parameters`` / ``injected-parameters`` cells included, unless
the chapter already chose ``remove-*`` / ``hide-*`` for it. A short banner after the title
says how the page was produced (papermill parameters, date) and links the transcripts, the
summary and the source notebook. Both are idempotent: the banner is replaced on rebuild.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat

from syco.project import Chapter

BANNER_TAG = "syco-banner"
HIDE_TAGS = {"hide-input", "hide-cell", "remove-input", "remove-cell", "hide-output"}


def papermill_parameters(path: Path) -> dict[str, Any]:
    """The parameters papermill injected when it executed this notebook (``{}`` when it ran
    on the notebook's defaults)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return dict(nb.get("metadata", {}).get("papermill", {}).get("parameters") or {})


def _params_text(params: dict[str, Any]) -> str:
    if not params:
        return "the notebook's defaults (open the first code cell to see them)"
    return ", ".join(f"`{k}={v!r}`" for k, v in params.items())


def banner(ch: Chapter, params: dict[str, Any], when: str, repo: str, branch: str) -> str:
    """The "how this page was made" note; Colab/Binder links only where ``repo`` (GitHub
    "owner/name", from ``repository.url``) names a repository to open."""
    src = f"notebooks/{ch.notebook}"
    launch = ""
    if repo:
        colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{src}"
        binder = f"https://mybinder.org/v2/gh/{repo}/{branch}?labpath={src}"
        launch = f" ([Colab]({colab}), [Binder]({binder}))"
    date = f" on {when[:10]}" if when else ""
    return "\n".join(
        [
            ":::{admonition} How this page was made",
            ":class: tip syco-banner",
            f"Executed by papermill{date} with {_params_text(params)}; every model ever run "
            "on this chapter appears in its figures and tables (earlier runs come from the "
            "answer-key cache). The code is hidden: click *Show code cell source* to read it.",
            "",
            f"Browse the samples in the [transcripts](../generated/transcripts/{ch.name}.md); "
            "all metrics of all chapters are on the [summary](../summary.md). "
            f"Rerun with your model: `syco run {ch.name} --model SPEC` "
            f"([how](../rerun.md)); source notebook: `{src}`{launch}.",
            ":::",
        ]
    )


def prepare_notebook(path: Path, ch: Chapter, repo: str = "", branch: str = "main") -> None:
    """Tag code cells ``hide-input`` and (re)place the banner, in place."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if BANNER_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = list(cell.metadata.get("tags", []))
        if not HIDE_TAGS & set(tags):
            tags.append("hide-input")
        cell.metadata["tags"] = tags
    pm = nb.metadata.get("papermill", {})
    text = banner(ch, dict(pm.get("parameters") or {}), str(pm.get("end_time") or ""), repo, branch)
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = BANNER_TAG  # not a random id: preparing a page twice gives the same bytes
    cell.metadata["tags"] = [BANNER_TAG]
    at = 0
    if nb.cells and nb.cells[0].cell_type == "markdown":
        at = 1
        title, _, rest = nb.cells[0].source.lstrip().partition("\n")
        if title.startswith("# ") and rest.strip():  # banner right under the title
            nb.cells[0].source = title
            nb.cells.insert(1, nbformat.v4.new_markdown_cell(rest.strip("\n")))
    nb.cells.insert(at, cell)
    nbformat.write(nb, path)
