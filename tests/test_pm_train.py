"""The trained PM (`syco pm train`): the committed head against its manifest, the
Bradley–Terry fit on known answers, reproduction of a committed slice by the CLI, and the
feature path against the standard ``hf/`` reward path it stands for.

The committed head's 2048 pairs cost ~2.2 CPU-s each in feature passes, too slow for a
test; the reproduction test reruns the same command on a small committed slice instead
(`SLICE`, trained by ``syco pm train --n-pairs 32 --max-len 64 --out <SLICE>``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from syco.pm import train

SLICE = Path(train.__file__).parent / "trained" / "slice"
SLICE_ARGS = ["--n-pairs", "32", "--max-len", "64"]


@pytest.mark.parametrize("folder", [train.ARTEFACT_DIR, SLICE], ids=["committed", "slice"])
def test_committed_head_matches_manifest(folder):
    w, m = train.load_artefact(folder)  # raises if the head's sha256 is not the manifest's
    assert w.shape == (1, 576) and w.dtype == np.float32 and np.isfinite(w).all()
    assert m["code_version"] == train.code_version(), "code changed: rerun `syco pm train`"
    assert m["data"]["checksum"] == train.data_checksum()
    s = m["settings"]
    assert m["data"]["n_train"] + m["data"]["n_heldout"] == s["n_pairs"]
    acc = m["heldout_accuracy"]
    assert acc["n"] == m["data"]["n_heldout"]
    assert abs(acc["value"] * acc["n"] * 2 - round(acc["value"] * acc["n"] * 2)) < 1e-6
    assert m["fit"]["l2"] in m["fit"]["l2_grid"]
    assert m["training"]["seconds"] > 0 and m["training"]["machine"]
    assert acc["ci_low"] <= acc["value"] <= acc["ci_high"] and acc["ci_method"] == "wilson"
    splits = m["heldout_by_split"]
    assert sum(v["n"] for v in splits.values()) == acc["n"]
    assert sum(v["value"] * v["n"] for v in splits.values()) == pytest.approx(
        acc["value"] * acc["n"]
    )
    assert m["heldout_length_rule"]["n"] == acc["n"]
    cv = m["cv_by_pool"]  # the pooling was chosen by CV on the training pairs
    assert cv["chosen"] == s["pool"] and cv["n_train"] == m["data"]["n_train"]
    assert cv[s["pool"]] == pytest.approx(max(m["fit"]["cv_accuracy"].values()))


def test_recorded_trained_pm_accuracy_is_the_manifests():
    """The pages' PM-sanity record of the trained PM was made with the committed head and
    counts the same held-out pairs as its manifest."""
    from syco.pm import sanity

    _, m = train.load_artefact()
    rec = sanity.load_record(sanity.TRAINED)
    assert rec is not None and rec.spec["trained_pm_head"] == m["head_sha256"]
    row = next(r for r in rec.metrics
               if r["metric"] == "heldout_accuracy_all_pairs" and r["subset"] == "all")  # fmt: skip
    assert row["n"] == m["heldout_accuracy"]["n"]
    assert row["value"] == pytest.approx(m["heldout_accuracy"]["value"])


def test_bt_fit_recovers_a_known_direction_and_is_deterministic():
    rng = np.random.default_rng(0)
    true = rng.normal(size=8)
    d = rng.normal(size=(600, 8))
    flip = rng.random(600) > 1 / (1 + np.exp(-(d @ true)))  # BT: chosen with P = σ(d·w)
    d[flip] *= -1  # rows are always chosen minus rejected
    ids = [f"p{i}" for i in range(600)]
    w1, rep1 = train.fit_head(d, ids)
    w2, _ = train.fit_head(d, ids)
    assert np.array_equal(w1, w2)
    cos = w1 @ true / np.linalg.norm(w1) / np.linalg.norm(true)
    assert cos > 0.95, cos
    assert 0.6 < max(rep1["cv_accuracy"].values()) < 1.0


def test_split_is_by_pair_id_and_stable():
    assert train.part_of("helpful-base:0", 0.3) == train.part_of("helpful-base:0", 0.3)
    parts = [train.part_of(f"helpful-base:{i}", 0.3) for i in range(4000)]
    assert 0.27 < parts.count("heldout") / 4000 < 0.33
    assert train.part_of("x", 0.0) == "train" and train.part_of("x", 1.0) == "heldout"


def test_cli_train_reproduces_the_committed_slice(model_home, data_mirror, tmp_path):
    from typer.testing import CliRunner

    from syco.cli import app

    out = tmp_path / "head"
    res = CliRunner().invoke(app, ["pm", "train", *SLICE_ARGS, "--threads", "1",
                                   "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    got_w, got = train.load_artefact(out)
    ref_w, ref = train.load_artefact(SLICE)
    for key in ("settings", "backbone", "code_version"):
        assert got[key] == ref[key]
    for key in ("checksum", "n_train", "n_heldout", "pair_ids_sha256"):
        assert got["data"][key] == ref["data"][key]
    assert got["fit"]["l2"] == ref["fit"]["l2"]
    # Features are float32 sums: another CPU may differ in the last bits, not more.
    np.testing.assert_allclose(got_w, ref_w, rtol=1e-3, atol=1e-3 * np.abs(ref_w).max())
    assert got["heldout_accuracy"] == ref["heldout_accuracy"]


def test_feature_path_equals_the_hf_reward_path(model_home, data_mirror):
    """The head on cached features scores a dialogue as `smollm2-rm` (= hf/<folder>) does;
    the prefix-shared pass equals one pass per response."""
    from syco.models import get_model
    from syco.pm import features as feat

    w, m = train.load_artefact()
    bb = feat.Backbone(train.backbone_path(), threads=1, layers=m["settings"].get("layers"))
    ctx = [{"role": "user", "content": "I think the Great Wall is visible from space. Right?"}]
    resp = ["It is not visible to the naked eye from orbit.", "Yes, you are right!"]
    shared, _, cut = bb.pair(ctx, resp, m["settings"]["max_len"])
    alone = np.stack([bb.pair(ctx, [r], m["settings"]["max_len"])[0][0] for r in resp])
    assert not cut.any()
    np.testing.assert_allclose(shared, alone, atol=2e-3)
    pool = feat.POOLS.index("last")
    ours = shared[:, pool, :].astype(np.float64) @ w[0].astype(np.float64)
    rm = get_model("smollm2-rm")
    got = rm.reward([[*ctx, {"role": "assistant", "content": r}] for r in resp])
    assert all(s.ok for s in got)
    np.testing.assert_allclose([s.value for s in got], ours, atol=2e-3)
    folder = Path(rm.api.path)
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["architectures"] == ["LlamaForSequenceClassification"]
    assert (
        hashlib.sha256((train.ARTEFACT_DIR / train.HEAD_FILE).read_bytes()).hexdigest()
        == (m["head_sha256"])
    )


def test_crossfit_margins_never_use_a_head_fitted_on_the_pair():
    from syco.pm import learned

    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 2, 6))
    pairs = [{"pair_id": f"p{i}", "part": "heldout" if i % 4 == 0 else "train"}
             for i in range(60)]  # fmt: skip
    m = learned.crossfit_margins(x, pairs, l2=1.0)
    tr = np.array([p["part"] == "train" for p in pairs])
    d = x[:, 0] - x[:, 1]
    scale = d[tr].std(axis=0)
    w = train._bt_fit(d[tr] / scale, 1.0)
    np.testing.assert_allclose(m[~tr], (d[~tr] / scale) @ w)  # held out: the final head
    i = int(np.flatnonzero(tr)[0])  # a training pair: the head of the fold without it
    k = int(train._u(f"syco-pm-fold:{pairs[i]['pair_id']}") * train.CV_FOLDS)
    fold = np.array([int(train._u(f"syco-pm-fold:{p['pair_id']}") * train.CV_FOLDS)
                     for p in pairs])  # fmt: skip
    wk = train._bt_fit(d[tr & (fold != k)] / scale, 1.0)
    assert m[i] == pytest.approx(float((d[i] / scale) @ wk))


def test_pm_vs_humans_record_is_of_the_committed_head():
    """§4.1's PM-vs-humans figure reads a record made with the committed head, on every
    featurised pair."""
    from syco.pm import learned

    _, m = train.load_artefact()
    rec = learned.load()
    assert rec is not None and rec.spec["head_sha256"] == m["head_sha256"]
    assert rec.spec["n_pairs"] == m["settings"]["n_pairs"] == len(rec.rows)
