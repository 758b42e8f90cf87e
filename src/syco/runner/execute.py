"""Execute a chapter notebook with papermill into the book's source tree.

Papermill only warns about unknown parameters and writes every parameter into the output
notebook, which is published: so unknown names are an error here, and anything that looks
like a secret is refused before the kernel starts (keys come from the environment only).
"""

from __future__ import annotations

import ast
import os
import re
import time
from pathlib import Path
from typing import Any

from syco.errors import SycoError
from syco.project import Chapter, project_root

SECRET_NAME = re.compile(r"(api[_-]?key|(?:^|_)token$|secret|password)", re.I)  # not max_tokens
SECRET_VALUE = re.compile(r"(sk-[A-Za-z0-9_-]{16,}|sk-ant-[A-Za-z0-9_-]{10,})")


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` strings -> dict; values are Python literals when they parse as one."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise SycoError(f"parameter {pair!r} is not key=value (e.g. -p n=20)")
        key, raw = pair.split("=", 1)
        key = key.strip()
        try:
            value: Any = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        out[key] = value
    return out


def notebook_parameters(path: Path) -> dict[str, Any]:
    import papermill as pm

    return {name: info for name, info in pm.inspect_notebook(str(path)).items()}


def check_params(chapter: Chapter, params: dict[str, Any], known: dict[str, Any]) -> None:
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise SycoError(
            f"unknown parameter(s) for {chapter.name}: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    for key, value in params.items():
        if SECRET_NAME.search(key) or SECRET_VALUE.search(repr(value)):
            raise SycoError(
                f"parameter {key!r} looks like a secret: parameters are published in the book; "
                "pass API keys through environment variables only"
            )


def run_chapter(
    chapter: Chapter,
    params: dict[str, Any] | None = None,
    *,
    output_dir: Path | None = None,
    progress: bool = True,
    timeout: int | None = None,
) -> Path:
    """Run one chapter; returns the executed notebook's path."""
    import papermill as pm

    root = project_root()
    src = root / "notebooks" / chapter.notebook
    if not src.exists():
        raise SycoError(f"notebook {src} is missing")
    params = dict(params or {})
    check_params(chapter, params, notebook_parameters(src))
    out_dir = output_dir or root / "book" / "chapters"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / chapter.notebook
    os.environ.setdefault("SYCO_PROGRESS", "0")  # bars would land in the published page
    os.environ.setdefault("SYCO_HOME", str(root / ".syco"))
    start = time.time()
    try:
        pm.execute_notebook(
            str(src),
            str(out),
            parameters=params,
            cwd=str(root),
            kernel_name="python3",
            progress_bar=progress,
            execution_timeout=timeout,
            request_save_on_cell_execute=True,
            # The kernel listens on 127.0.0.1 for this process only; its start-up warning
            # about unencrypted TCP would print once per chapter. Cell output is unaffected.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except pm.PapermillExecutionError as e:
        raise SycoError(
            f"chapter {chapter.name} failed in cell {e.exec_count}: {e.ename}: {e.evalue} "
            f"(see {out})"
        ) from e
    _ = time.time() - start
    return out
