"""`syco run --plan` and `syco run --batch` on a real chapter (§3.2, three dependent turns),
against local servers speaking the OpenAI/Anthropic wire formats, through the real SDKs.

- The plan's counts are exact: per model and role they equal the requests the run then
  sends, and after the run the plan finds every one of them in the answer key.
- A batched run sends one batch per turn and setting and no ordinary call; the answers
  replay offline with zero calls; kill -9 of the whole run while it polls, then a rerun,
  submits no batch a second time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from batch_servers import AnthropicBatchServer, OpenAIBatchServer

TINY = {
    "n": 1,
    "max_tokens_free": 6,
    "max_tokens_cot": 6,
    "max_tokens_challenge": 6,
    "max_tokens_letter": 2,
}


@pytest.fixture
def chapter_env(syco_home: Path, data_mirror: Path, monkeypatch):
    from syco.data.build import build
    from syco.data.fetch import fetch

    fetch()
    build(n=1, only=["are_you_sure"])
    with OpenAIBatchServer() as oa, AnthropicBatchServer() as an:
        monkeypatch.setenv("OPENAI_BASE_URL", oa.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-secret")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", an.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-secret")
        monkeypatch.setenv("SYCO_BATCH_POLL", "0.05")
        monkeypatch.delenv("SYCO_BATCH", raising=False)
        yield oa, an


def calls_by_model(server) -> Counter:
    return Counter(r.body["model"] for r in server.requests if r.path == server.path)


def plan_rows(params: dict) -> dict[tuple[str, str], dict]:
    from syco.project import CHAPTERS
    from syco.runner.plan import plan_chapter

    rows, note = plan_chapter(CHAPTERS["are_you_sure"], params)
    assert note == ""
    return {(r["model"], r["role"]): r for r in rows}


@pytest.mark.slow
def test_plan_counts_are_exact_for_a_multi_turn_chapter(chapter_env, tmp_path):
    from syco.project import CHAPTERS
    from syco.results import load_runs
    from syco.runner import run_chapter

    oa, an = chapter_env
    params = {**TINY, "models": ["openai/subj"], "judge": "anthropic/judge"}
    before = plan_rows(params)
    assert not oa.requests and not an.requests  # a plan calls nothing
    assert not load_runs("are_you_sure")  # and saves no record
    subj, judge = before[("openai/subj", "subject")], before[("anthropic/judge", "judge")]
    assert subj["in_key"] == judge["in_key"] == 0
    assert subj["tokens_out"] > 0 and judge["tokens_in"] > 0
    run_chapter(CHAPTERS["are_you_sure"], params, output_dir=tmp_path, progress=False)
    assert calls_by_model(oa) == {"subj": subj["new"]}
    assert calls_by_model(an) == {"judge": judge["new"]}
    # 6 items: 3 turns each, plus the letter after reasoning for the 2 MC-CoT items.
    assert subj["new"] == 6 * 3 + 2 and judge["new"] == 6
    after = plan_rows(params)
    assert after[("openai/subj", "subject")]["in_key"] == subj["new"]
    assert after[("anthropic/judge", "judge")]["in_key"] == judge["new"]
    assert all(r["new"] == 0 for r in after.values())


CLI = "from syco.cli import main; main()"


def project(tmp_path: Path) -> dict[str, str]:
    """Environment for `syco` in a throwaway project tree (the checkout's notebooks), so
    executed pages land there and not in the checkout's book/."""
    from syco.project import project_root

    root, proj = project_root(), tmp_path / "project"
    if not proj.exists():
        proj.mkdir()
        for name in ("_config.yml", "notebooks"):
            (proj / name).symlink_to(root / name)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "SYCO_PROJECT_DIR": str(proj)}


def syco(tmp_path: Path, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        env=project(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # kill -9 takes the chapter's kernel too
        **kw,
    )


def params_args(models: list[str]) -> list[str]:
    args = [a for m in models for a in ("-m", m)]
    for k, v in TINY.items():
        args += ["-p", f"{k}={v}"]
    return args


@pytest.mark.slow
def test_batched_chapter_both_providers_kill_9_resume_and_replay(chapter_env, tmp_path):
    from syco.models.batch_store import BatchStore
    from syco.results import load_runs

    oa, an = chapter_env
    models = ["openai/subj", "anthropic/subj"]
    oa.hold = an.hold = True
    proc = syco(tmp_path, "run", "are_you_sure", "--batch", *params_args(models))
    deadline = time.time() + 240
    while time.time() < deadline and not (
        oa.batches and any(b["polls"] >= 2 for b in oa.batches.values())
    ):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI; its kernel (own session) then stops
    proc.wait(10)
    time.sleep(1)  # the orphaned kernel notices at its next poll
    assert oa.creates == 1 and an.creates == 0 and oa.calls == 0
    [rec] = BatchStore().records()
    assert rec.state == "submitted" and rec.provider_id
    # Rerun: the first batch is collected, not resubmitted; the rest goes turn by turn.
    oa.hold = an.hold = False
    proc = syco(tmp_path, "run", "are_you_sure", "--batch", *params_args(models))
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "batch batch_1 (openai/subj)" in err  # progress lines in the terminal
    recs = BatchStore().records()
    assert all(r.state == "collected" for r in recs)
    # Every batch the servers hold is one of ours, collected: none orphaned or sent twice.
    assert {r.provider_id for r in recs} == set(oa.batches) | set(an.batches)
    first_ids = [r.provider_id for r in recs if r.provider_id == "batch_1"]
    assert first_ids == ["batch_1"]  # resumed, never resubmitted
    # One batch per turn and setting; no ordinary call at all.
    assert oa.calls == an.calls == 0
    assert oa.creates == an.creates >= 4
    sent = Counter(cid for b in oa.batches.values() for cid, _ in b["requests"])
    assert max(sent.values()) == 1  # no request was ever in two batches
    runs = {r.model: r for r in load_runs("are_you_sure")}
    assert {m: runs[m].spec["call_errors"] for m in models} == {m: 0 for m in models}
    assert sum(sent.values()) == runs["openai/subj"].spec["new_calls"]
    # Replay from the answer key alone: offline, unbatched, zero calls; the records
    # reproduce exactly (their files stay byte-identical).
    from syco.results import run_path

    files = {m: run_path("are_you_sure", m).read_bytes() for m in models}
    n_oa, n_an = len(oa.requests), len(an.requests)
    log = tmp_path / "calls.log"
    env = {**project(tmp_path), "SYCO_OFFLINE": "1", "SYCO_CALL_LOG": str(log)}
    res = subprocess.run(
        [sys.executable, "-c", CLI, "run", "are_you_sure", *params_args(models)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr
    assert len(oa.requests) == n_oa and len(an.requests) == n_an
    assert not log.exists() or not log.read_text().split()
    assert {m: run_path("are_you_sure", m).read_bytes() for m in models} == files


@pytest.mark.slow
def test_plan_counts_are_exact_on_scripted_models(syco_home, data_mirror, tmp_path, monkeypatch):
    """§4.2 on scripted models (policy and a reward-model PM, both local): the plan's new
    requests per role add up to exactly the calls the run then makes; afterwards all of them
    are in the answer key."""
    from syco.data.build import build
    from syco.data.fetch import fetch
    from syco.project import CHAPTERS
    from syco.runner import run_chapter
    from syco.runner.plan import plan_chapter

    fetch()
    build(n=2)
    params = {
        "models": ["scripted/honest"],
        "pm": "scripted/custom?pm=truth",
        "n_answer": 1,
        "n_feedback": 1,
        "n_mimicry": 1,
        "pool_size": 3,
    }
    rows, note = plan_chapter(CHAPTERS["pm_bon"], params)
    assert note == ""
    plan = {(r["model"], r["role"]): r for r in rows}
    assert set(plan) == {("scripted/honest", "subject"), ("scripted/custom?pm=truth", "PM")}
    assert all(r["in_key"] == 0 and r["cost"] == 0.0 for r in rows)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("SYCO_CALL_LOG", str(log))
    run_chapter(CHAPTERS["pm_bon"], params, output_dir=tmp_path, progress=False)
    made = sum(int(x) for x in log.read_text().split())
    assert made == sum(r["new"] for r in rows) > 0
    again, _ = plan_chapter(CHAPTERS["pm_bon"], params)
    assert {(r["model"], r["role"]): r["in_key"] for r in again} == {
        k: r["new"] for k, r in plan.items()
    }
    assert all(r["new"] == 0 for r in again)


@pytest.mark.parametrize("name", ["are_you_sure", "pm_bon", "preference_data"])
def test_batch_is_a_checked_parameter_of_every_chapter(name):
    """`batch` is declared in the notebook (so papermill, JupyterLab and `-p` take it) and
    checked like every parameter: True/False only."""
    from syco.errors import SycoError
    from syco.project import CHAPTERS
    from syco.runner.execute import validate

    for ok in (True, False):
        validate(CHAPTERS[name], {"batch": ok})
    for bad in (1, "yes", None):
        with pytest.raises(SycoError, match="wrong type"):
            validate(CHAPTERS[name], {"batch": bad})


@pytest.mark.slow
def test_batch_parameter_takes_the_batch_path(chapter_env, tmp_path):
    """The notebook's `batch=True` (no --batch, no SYCO_BATCH) sends the chapter's requests
    as provider batches, exactly as `syco run --batch`: no ordinary call; the records are
    those of an ordinary run (batch is no setting of the record)."""
    from syco.project import CHAPTERS
    from syco.results import load_runs
    from syco.runner import run_chapter

    oa, _ = chapter_env
    params = {**TINY, "models": ["openai/subj"], "batch": True}
    run_chapter(CHAPTERS["are_you_sure"], params, output_dir=tmp_path, progress=False)
    assert oa.creates >= 3 and oa.calls == 0  # batches, turn by turn; no ordinary call
    assert "SYCO_BATCH" not in os.environ  # the kernel's; this process is untouched
    (rec,) = load_runs("are_you_sure")
    sent = sum(len(b["requests"]) for b in oa.batches.values())
    assert sent == rec.spec["new_calls"] == 6 * 3 + 2 and rec.spec["call_errors"] == 0
    assert "batch" not in rec.spec
