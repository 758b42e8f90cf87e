"""Helpers of the known-answer suites (tests/test_known_answers*.py): small data sets built
from the mirror, and the exact comparisons every check uses."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("SYCO_DATA_MIRROR") or REPO.parent / "shared" / "data").resolve()
N_BUILT = 8  # base items per sub-dataset in the test's data sets


def build_small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh SYCO_HOME with every §3/§4.3 data set built small from the mirror."""
    if not MIRROR.is_dir():
        pytest.skip(f"data mirror {MIRROR} is absent (set SYCO_DATA_MIRROR)")
    home = tmp_path_factory.mktemp("known_answers")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYCO_HOME", str(home))
        for var in ("SYCO_CACHE", "SYCO_RESULTS", "SYCO_OFFLINE", "SYCO_DATA_DIR"):
            mp.delenv(var, raising=False)
        mp.setenv("SYCO_PROGRESS", "0")
        mp.setenv("SYCO_DATA_MIRROR", str(MIRROR))
        from syco.data.build import build
        from syco.data.fetch import fetch

        fetch()
        build(n=N_BUILT, only=["answer", "are_you_sure", "feedback", "mimicry", "misconceptions"])
        yield home


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def metric(rec, name: str, **where) -> dict:
    """The one metric row of `rec` named `name` whose fields match `where`."""
    got = [
        m
        for m in rec.metrics
        if m["metric"] == name and all(m.get(k) == v for k, v in where.items())
    ]
    assert len(got) == 1, (name, where, len(got))
    return got[0]


def check(row: dict, values: list[float]) -> None:
    """A metric row equals the mean of the expected per-item values, with the same n."""
    assert row["n"] == len(values), (row["metric"], row.get("subset"), row["n"], len(values))
    assert close(row["value"], sum(values) / len(values)), (row, sum(values) / len(values))


def check_avg(row: dict, groups: list[list[float]]) -> None:
    """An "all" row equals the paper's average over datasets: the mean of the per-dataset
    means (empty datasets left out), with n the total number of items."""
    groups = [g for g in groups if g]
    assert row["n"] == sum(map(len, groups)), (row["metric"], row["n"])
    want = sum(sum(g) / len(g) for g in groups) / len(groups)
    assert close(row["value"], want), (row, want)


def mean(xs) -> float:
    return sum(xs) / len(xs)
