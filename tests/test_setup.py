"""The set-up files agree with each other: conda users get the same pins as pip users."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _pins(lines: list[str]) -> set[str]:
    return {ln.strip().lower() for ln in lines if re.match(r"^[A-Za-z0-9_.\-\[\]]+==", ln.strip())}


def test_environment_yml_lists_the_locked_packages():
    lock = _pins((REPO / "requirements-lock.txt").read_text().splitlines())
    env = _pins(
        ln.strip().removeprefix("- ").strip()
        for ln in (REPO / "environment.yml").read_text().splitlines()
        if ln.strip().startswith("- ")
    )
    assert lock and env == lock, (
        f"only in lock: {lock - env}; only in environment.yml: {env - lock}"
    )


def test_torch_is_pinned_to_the_cpu_wheel_release():
    lock = (REPO / "requirements-lock.txt").read_text()
    assert re.search(r"^torch==2\.13\.0$", lock, re.M)
    assert not re.search(r"^nvidia-", lock, re.M)


def test_readme_opens_with_the_two_setup_commands():
    head = (REPO / "README.md").read_text().splitlines()[:12]
    text = "\n".join(head)
    assert "make book" in text and "make test" in text
