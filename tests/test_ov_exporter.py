"""The OpenVINO exporter's venv (`syco.models.ov_export`): built once even when `make` starts
it in the background and the export asks for it meanwhile; the background entry point needs
nothing outside the standard library (it runs before the project's install)."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from syco.models import ov_export

SRC = Path(__file__).resolve().parents[1] / "src"


def test_two_callers_build_the_exporter_once(tmp_path, monkeypatch):
    monkeypatch.setenv("SYCO_HOME", str(tmp_path))
    calls: list[list[str]] = []

    def fake_run(cmd, check=False, **kw):
        calls.append(cmd)
        if cmd[1:3] == ["-m", "venv"]:
            time.sleep(0.3)  # long enough for the second caller to arrive mid-build
            (Path(cmd[3]) / "bin").mkdir(parents=True)
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(ov_export.subprocess, "run", fake_run)
    with ThreadPoolExecutor(2) as pool:
        pys = list(pool.map(lambda _: ov_export.exporter_python(), range(2)))
    assert pys[0] == pys[1] == ov_export.venv_dir() / "bin" / "python"
    assert sum(c[1:3] == ["-m", "venv"] for c in calls) == 1
    assert sum("pip" in c for c in calls) == 1
    assert (ov_export.venv_dir() / ".installed").read_text() == ov_export.REQUIREMENTS.read_text()


def test_background_entry_point_imports_only_the_standard_library(tmp_path):
    probe = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); "
        "mods = {m.split('.')[0] for m in sys.modules}; "
        "print(sorted(mods - set(sys.stdlib_module_names) - {'syco', '__main__'}))"
    )
    env = {"PYTHONPATH": str(SRC), "SYCO_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    # as the Makefile runs it (by path: syco.models' __init__ needs the installed packages)
    launch = f"import runpy; runpy.run_path({str(SRC / 'syco/models/ov_export.py')!r}, run_name='__main__')"
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe, str(SRC / "syco/models/ov_export.py")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    usage = subprocess.run(
        [sys.executable, "-S", "-c", launch, "bogus"], env=env, capture_output=True, text=True
    )
    assert usage.returncode == 1 and "prepare-exporter" in usage.stderr
