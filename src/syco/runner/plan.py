"""`syco run CHAPTER --plan`: run a chapter's notebook with every model in plan mode.

The planning itself (counting requests, tokens and cost per model and role, and answering a
request from the answer key or with a placeholder) is the models' (`syco.models.plan`); this
module runs the notebook around it, as `syco run` would, into a temporary folder, so the
models floor never needs to know how a chapter is executed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from syco.errors import SycoError
from syco.models.plan import summarize
from syco.project import Chapter, project_root
from syco.runner.execute import notebook_parameters, run_chapter


def plan_chapter(chapter: Chapter, params: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """Run a chapter in plan mode; its rows and a note (empty unless the notebook stopped)."""
    with tempfile.TemporaryDirectory(prefix="syco-plan-") as tmp:
        plan = Path(tmp) / "plan.jsonl"
        plan.touch()
        params = dict(params)
        known = notebook_parameters(project_root() / "notebooks" / chapter.notebook)
        for name in known:  # files a chapter writes (e.g. a class's rating sheet) stay out
            if name.endswith("_dir") and name not in params:
                params[name] = str(Path(tmp) / name)
        note = ""
        env = {"SYCO_PLAN": str(plan), "SYCO_RESULTS": str(Path(tmp) / "results")}
        with mock.patch.dict(os.environ, env):  # restores the environment as it was
            os.environ.pop("SYCO_BATCH", None)
            try:
                run_chapter(chapter, params, output_dir=Path(tmp) / "out", progress=False)
            except SycoError as e:
                note = f"the notebook stopped ({e}); requests after that point are not counted"
        lines = [json.loads(x) for x in plan.read_text(encoding="utf-8").splitlines() if x]
    return summarize(lines), note
