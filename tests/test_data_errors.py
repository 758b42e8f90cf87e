"""syco.data failure modes: bad mirror/source files, malformed rows, missing builds, released
files. Each must be one clear SycoError, and earlier built files must survive."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from syco.errors import SycoError

MIRROR = Path(
    os.environ.get("SYCO_DATA_MIRROR") or Path(__file__).parents[1].parent / "shared" / "data"
)
needs_mirror = pytest.mark.skipif(
    not (MIRROR / "truthfulqa" / "TruthfulQA.csv").is_file(),
    reason=f"source data mirror not found at {MIRROR} (set SYCO_DATA_MIRROR to a copy of shared/data)",
)
TQA = "truthfulqa/TruthfulQA.csv"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("SYCO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SYCO_DATA_DIR", str(d))
    monkeypatch.delenv("SYCO_RELEASED_DIR", raising=False)
    monkeypatch.setenv("SYCO_DATA_MIRROR", str(MIRROR))
    return d


def small_mirror(tmp_path: Path, corrupt: dict[str, bytes]) -> Path:
    """A mirror of symlinks to the real one, with some files replaced by given bytes."""
    m = tmp_path / "mirror"
    for sub in MIRROR.iterdir():
        (m / sub.name).parent.mkdir(parents=True, exist_ok=True)
        (m / sub.name).symlink_to(sub)
    for rel, content in corrupt.items():
        top = m / rel.split("/")[0]
        top.unlink()
        shutil.copytree(MIRROR / rel.split("/")[0], top)
        (m / rel).write_bytes(content)
    return m


@needs_mirror
def test_fetch_rejects_corrupted_and_truncated_mirror_files(data: Path, tmp_path: Path) -> None:
    from syco.data.fetch import fetch

    good = (MIRROR / TQA).read_bytes()
    for i, bad in enumerate(
        [good.replace(b"watermelon", b"melonwater", 1), good[: len(good) // 2]]
    ):
        with pytest.raises(
            SycoError, match=r"checksum mismatch for truthfulqa/TruthfulQA.csv.*PROVENANCE"
        ):
            fetch(small_mirror(tmp_path / str(i), {TQA: bad}))
        assert not (data / "sources" / TQA).exists()  # nothing half-written left in place


@needs_mirror
def test_fetch_missing_mirror_file_and_offline_derived(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syco.data.fetch import fetch, fetch_file
    from syco.data.registry import all_files

    m = small_mirror(tmp_path, {})
    (m / "aqua").unlink()
    with pytest.raises(SycoError, match="aqua/test.json is missing from the mirror"):
        fetch(m)
    poems = next(f for f in all_files() if f.path.endswith("famous_poets_pd.jsonl.gz"))
    assert poems.url is None
    with pytest.raises(SycoError, match="derived file with no upstream URL.*SYCO_DATA_MIRROR"):
        fetch_file(poems, None)


@needs_mirror
def test_corrupted_source_fails_build_and_keeps_built_files(data: Path) -> None:
    from syco.data import load
    from syco.data.build import build
    from syco.data.fetch import fetch, verify

    fetch()
    build(n=5, only=["answer", "misconceptions"])
    before = (data / "built" / "answer.jsonl").read_bytes()
    src = data / "sources" / TQA
    src.write_bytes(src.read_bytes()[:1000])  # truncated after fetch
    assert "MISMATCH" in {s for e, s in verify() if e.path == TQA}
    with pytest.raises(
        SycoError, match=r"TruthfulQA.csv has sha256 .*corrupted or truncated.*syco data fetch"
    ):
        build(n=7, only=["answer"])
    assert (data / "built" / "answer.jsonl").read_bytes() == before
    assert len(load("misconceptions")) == 5
    src.unlink()
    with pytest.raises(SycoError, match=r"missing from .*run `syco data fetch`"):
        build(n=7, only=["misconceptions"])


@needs_mirror
def test_malformed_row_is_a_clear_error(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose checksum was (wrongly) re-registered still cannot smuggle in a bad row."""
    from syco.data import registry
    from syco.data.build import build
    from syco.data.fetch import fetch

    fetch()
    build(n=3, only=["are_you_sure"])
    before = (data / "built" / "are_you_sure.jsonl").read_bytes()
    aqua = data / "sources" / "aqua" / "test.json"
    lines = aqua.read_text().splitlines(keepends=True)
    lines[4] = lines[4].replace('"correct": "', '"correct": "Z', 1)
    aqua.write_text("".join(lines))
    real = registry.all_files

    def patched() -> list:
        return [
            registry.SourceFile(f.dataset, f.path, registry.sha256_file(aqua), f.url)
            if f.path == "aqua/test.json"
            else f
            for f in real()
        ]

    monkeypatch.setattr(registry, "all_files", patched)
    with pytest.raises(
        SycoError, match=r"malformed row in source aqua/test.json line 5: correct letter"
    ):
        build(n=3, only=["are_you_sure"])
    assert (data / "built" / "are_you_sure.jsonl").read_bytes() == before


def test_load_errors(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from syco.data import load, to_chat

    with pytest.raises(SycoError, match=r"not built .*syco data fetch && syco data build"):
        load("answer")
    with pytest.raises(SycoError, match="unknown data set"):
        load("nope")
    with pytest.raises(SycoError, match="source must be"):
        load("answer", source="elsewhere")
    with pytest.raises(SycoError, match="released answer.jsonl not found"):
        load("answer", source="released")
    with pytest.raises(SycoError):
        to_chat([{"type": "robot", "content": "x"}])


def test_released_files_checked_by_git_blob(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syco.data import load, released
    from syco.data.common import ai, dumps, human, record

    assert released.git_blob_sha1(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"
    rel = tmp_path / "released"
    rel.mkdir()
    monkeypatch.setenv("SYCO_RELEASED_DIR", str(rel))
    recs = [
        record(
            [human(f"q{i}"), ai("The answer is (")],
            {"dataset": "aqua_mc", "question": f"q{i}"},
            prompt_template="{question}",
        )
        for i in range(6)
    ]
    body = "\n".join(dumps(r) for r in recs).encode()
    (rel / "are_you_sure.jsonl").write_bytes(body)
    with pytest.raises(SycoError, match="different version or corrupted"):
        load("are_you_sure", source="released")
    monkeypatch.setitem(
        released.released_info()["files"]["are_you_sure"],
        "git_blob_sha1",
        released.git_blob_sha1(body),
    )
    got = load("are_you_sure", source="released", n=2)
    assert len(got) == 2 and got == load("are_you_sure", source="released", n=2)
    (rel / "mimicry.jsonl").write_text("{not json\n")
    with pytest.raises(SycoError, match="line 1 is not JSON"):
        load("mimicry", source="released")


@needs_mirror
def test_cli_fetch_build_list(data: Path) -> None:
    from typer.testing import CliRunner

    from syco.data.cli import app

    r = CliRunner()
    assert r.invoke(app, ["fetch"]).exit_code == 0
    out = r.invoke(app, ["build", "--n", "2", "--only", "mimicry"])
    assert out.exit_code == 0 and "mimicry" in out.output
    listing = r.invoke(app, ["list"]).output
    assert "mimicry             40 rows (n=2, seed 0)" in listing and "not built" in listing
    assert "Apache-2.0" in listing and "CC-BY-4.0" in listing
    assert "all source files ok" in r.invoke(app, ["verify"]).output
