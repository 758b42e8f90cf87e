"""Export a transformers causal LM folder to an OpenVINO folder (int8 weights) once.

The exporter (``optimum-cli export openvino``, from optimum-intel) pins an older
transformers than the project's and pulls torch and NNCF, so it runs in a throwaway
virtual environment under ``$SYCO_HOME/models/.ov-export-venv`` with the exact versions
of ``ov_export_requirements.txt`` (installed ``--no-deps``: no resolver surprises, no
torchvision). The runtime side (``openvino-genai``) needs none of it. The result is
written to a temporary folder and renamed into place, so a crashed export leaves nothing
half-written and two racing processes both end with a whole folder.

Run by path with ``prepare-exporter`` (``runpy.run_path`` on this file, as the Makefile's
``OV_EXPORTER`` does; not ``-m``, which would import ``syco.models`` and so need the
installed packages), it builds only the exporter's venv with nothing but the standard
library: ``make`` starts it in the background beside the project's own install (two cores,
two single-threaded pip jobs), and a file lock makes the export wait for it rather than
build a second one.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from syco import paths
from syco.errors import SycoError

REQUIREMENTS = Path(__file__).with_name("ov_export_requirements.txt")
WEIGHT_FORMATS = ("int8", "fp32")
# What an exported folder must hold for the GenAI pipelines.
NEEDED = ("openvino_model.xml", "openvino_model.bin", "openvino_tokenizer.xml")


def is_exported(folder: Path) -> bool:
    return all((folder / f).exists() for f in NEEDED)


def venv_dir() -> Path:
    return paths.models_dir() / ".ov-export-venv"


def _log(msg: str) -> None:
    print(f"[ov-export] {msg}", file=sys.stderr, flush=True)


def exporter_python() -> Path:
    """The export venv's python, created on first use (pinned, ``--no-deps``). One process
    builds it; another that asks meanwhile waits on the lock and then finds it ready."""
    venv = venv_dir()
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".ov-export-venv.lock", "w") as lock:
        start = time.perf_counter()
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (waited := time.perf_counter() - start) >= 1:
            _log(f"waited {waited:.0f} s for the exporter's environment (built in the background)")
        return _build_exporter(venv)


def _build_exporter(venv: Path) -> Path:
    py = venv / "bin" / "python"
    stamp = venv / ".installed"
    want = REQUIREMENTS.read_text()
    if stamp.exists() and stamp.read_text() == want:
        return py
    start = time.perf_counter()
    _log(f"creating the exporter's environment in {venv} (once; optimum-intel, NNCF, torch)")
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile"]
        + ["-r", str(REQUIREMENTS)],
        check=True,
    )
    stamp.write_text(want)
    _log(f"exporter ready in {time.perf_counter() - start:.0f} s")
    return py


def export(src: Path, target: Path, weight_format: str = "int8") -> Path:
    """``src`` (a transformers folder with config.json and weights) -> ``target``."""
    if weight_format not in WEIGHT_FORMATS:
        raise SycoError(f"weight format {weight_format!r}: choose from {WEIGHT_FORMATS}")
    if is_exported(target):
        return target
    if not (src / "config.json").exists():
        raise SycoError(f"{src} has no config.json: cannot export it to OpenVINO")
    py = exporter_python()
    start = time.perf_counter()
    _log(f"exporting {src} -> {target} ({weight_format} weights)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    cmd = [
        str(py),
        "-m",
        "optimum.commands.optimum_cli",
        "export",
        "openvino",
        "--model",
        str(src),
        "--task",
        "text-generation-with-past",
        "--weight-format",
        weight_format,
        str(tmp),
    ]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0 or not is_exported(tmp):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise SycoError(f"OpenVINO export of {src} failed: {' | '.join(tail)}")
        (tmp / "syco_export.json").write_text(
            json.dumps(
                {
                    "source": str(src),
                    "weight_format": weight_format,
                    "seconds": round(time.perf_counter() - start, 1),
                    "requirements": REQUIREMENTS.read_text().split(),
                },
                indent=1,
            )
        )
        if is_exported(target):  # another process won the race
            return target
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _log(f"exported in {time.perf_counter() - start:.0f} s")
    return target


if __name__ == "__main__":
    if sys.argv[1:] != ["prepare-exporter"]:
        launch = f"import runpy; runpy.run_path({__file__!r}, run_name='__main__')"
        sys.exit(f'usage: python -c "{launch}" prepare-exporter')
    exporter_python()
