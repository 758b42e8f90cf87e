"""Execute a chapter notebook with papermill into the book's source tree.

Parameters are checked first (`syco.runner.params`: names, types, ranges, no secrets). The
notebook runs into a temporary file and is moved into ``book/chapters/`` only when it
succeeds (and the caller's ``accept`` check passes): a failed, interrupted or killed run
never replaces the published page, nor leaves half a page there; its output is kept under
``$SYCO_HOME/failed/`` to read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from syco import paths
from syco.errors import Interrupted, SycoError
from syco.project import Chapter, project_root
from syco.runner.params import check_params, parse_params

__all__ = [
    "check_params",
    "notebook_parameters",
    "parse_params",
    "publish",
    "run_chapter",
    "validate",
]


def notebook_parameters(path: Path) -> dict[str, Any]:
    import papermill as pm

    return {name: info for name, info in pm.inspect_notebook(str(path)).items()}


def validate(chapter: Chapter, params: dict[str, Any]) -> None:
    """Check parameters against the chapter notebook before anything runs."""
    src = project_root() / "notebooks" / chapter.notebook
    if not src.exists():
        raise SycoError(f"notebook {src} is missing")
    check_params(chapter.name, params, notebook_parameters(src))


def publish(src: Path, dest: Path) -> None:
    """Put `src` at `dest` in one step: readers see the old file or the new one, never half."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def keep_failed(src: Path) -> Path | None:
    """A failed run's notebook, kept to read (never published)."""
    if not src.exists():
        return None
    dest = paths.home() / "failed" / src.name
    publish(src, dest)
    return dest


def run_chapter(
    chapter: Chapter,
    params: dict[str, Any] | None = None,
    *,
    output_dir: Path | None = None,
    progress: bool = True,
    timeout: int | None = None,
    accept: Callable[[Path], None] | None = None,
) -> Path:
    """Run one chapter; returns the published notebook's path. `accept(executed)` may raise
    to keep the published page (e.g. too many failed calls)."""
    import papermill as pm

    root = project_root()
    src = root / "notebooks" / chapter.notebook
    params = dict(params or {})
    validate(chapter, params)
    out = (output_dir or root / "book" / "chapters") / chapter.notebook
    os.environ.setdefault("SYCO_PROGRESS", "0")  # bars would land in the published page
    os.environ.setdefault("SYCO_HOME", str(root / ".syco"))
    with tempfile.TemporaryDirectory(prefix="syco-run-") as tmp:
        executed = Path(tmp) / chapter.notebook
        try:
            pm.execute_notebook(
                str(src),
                str(executed),
                parameters=params,
                cwd=str(root),
                kernel_name="python3",
                progress_bar=progress,
                execution_timeout=timeout,
                request_save_on_cell_execute=True,
                # The kernel listens on 127.0.0.1 for this process only; its start-up warning
                # about unencrypted TCP would print once per chapter, and Ctrl-C (which reaches
                # the kernel too) its handler's traceback. Cell output and errors are unaffected.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        except pm.PapermillExecutionError as e:
            if e.ename == "KeyboardInterrupt":
                raise Interrupted(f"chapter {chapter.name} interrupted") from None
            kept = keep_failed(executed)
            raise SycoError(
                f"chapter {chapter.name} failed in cell {e.exec_count}: {e.ename}: "
                f"{_first_line(e.evalue)} (the published page is unchanged; the failed run "
                f"is at {kept})"
            ) from None
        except KeyboardInterrupt:
            raise Interrupted(f"chapter {chapter.name} interrupted") from None
        if accept is not None:
            try:
                accept(executed)
            except SycoError:
                keep_failed(executed)
                raise
        publish(executed, out)
    return out


def _first_line(text: str) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""
