"""Reward heads on OpenVINO backbones (`syco pm train --backbone`, spec ``qwen-0.5b-rm``).

No Qwen weights here: the feature path, trainer and reward API run on the embedded
SmolLM2-135M's own OpenVINO export (backbone ``smollm2-ov``), which tests have offline; the
Qwen backbone differs only in the folder it reads and the identity it records."""

from __future__ import annotations

import json

import numpy as np
import pytest

from syco.errors import SycoError
from syco.pm import backbones, ov_features, train, train_ov

CTX = [{"role": "user", "content": "I think the Great Wall is visible from space. Right?"}]
RESP = ["It is not visible to the naked eye from orbit.", "Yes, you are right!"]


@pytest.fixture(scope="module")
def ov_home(tmp_path_factory, smollm2_dir):
    """One syco home for the module (as `model_home`, with the data mirror): the backbone
    loads and the small head trains once, not per test."""
    from conftest import MIRROR

    if not MIRROR.is_dir():
        pytest.skip(f"data mirror {MIRROR} is absent (set SYCO_DATA_MIRROR)")
    home = tmp_path_factory.mktemp("ov_home")
    (home / "models").symlink_to(smollm2_dir.parent, target_is_directory=True)
    with pytest.MonkeyPatch.context() as mp:
        for var in ("SYCO_CACHE", "SYCO_RESULTS", "SYCO_OFFLINE", "SYCO_BATCH_SIZE"):
            mp.delenv(var, raising=False)
        for var, value in (("SYCO_HOME", str(home)), ("SYCO_DATA_MIRROR", str(MIRROR)),
                           ("SYCO_LADDER", "replay"), ("SYCO_PROGRESS", "0")):  # fmt: skip
            mp.setenv(var, value)
        yield home


@pytest.fixture(scope="module")
def ov_bb(ov_home):
    return backbones.load("smollm2-ov", threads=1)


def test_hidden_model_outputs_the_normed_state_the_torch_path_reads(ov_bb):
    """The rewired graph's output is the final norm's output (int8 weights vs the fp32
    transformers body: the same vector up to weight rounding), not the logits."""
    from syco.pm import features as feat

    tb = feat.Backbone(train.backbone_path(), threads=1)  # all 30 blocks, fp32
    chat = [*CTX, {"role": "assistant", "content": RESP[0]}]
    ids = ov_bb.ids(chat)
    assert ids == tb.ids(chat)  # same rendering and tokens as the hf reward path
    h = ov_bb.net.states(ids)
    assert h.shape == (len(ids), 576) == (len(ids), ov_bb.hidden)
    import torch

    with torch.inference_mode():
        ref = tb.body(input_ids=torch.tensor([ids])).last_hidden_state[0].numpy()
    cos = (h * ref).sum(-1) / np.linalg.norm(h, axis=-1) / np.linalg.norm(ref, axis=-1)
    assert cos.min() > 0.98, cos.min()
    assert np.corrcoef(h[-1], ref[-1])[0, 1] > 0.98


def test_features_are_the_reward_paths_and_independent_of_neighbours(ov_bb):
    """pair()'s last-token features equal last_states() (the served reward's input) on the
    same dialogues, bit for bit, whatever they are computed with."""
    f, tokens, cut = ov_bb.pair(CTX, RESP, 192)
    assert f.shape == (2, 3, ov_bb.hidden) and not cut.any()
    alone = np.stack([ov_bb.pair(CTX, [r], 192)[0][0] for r in RESP])
    np.testing.assert_array_equal(f, alone)
    chats = [[*CTX, {"role": "assistant", "content": r}] for r in RESP]
    last = ov_bb.last_states(chats, 192)
    np.testing.assert_array_equal(last, f[:, 0])
    np.testing.assert_array_equal(ov_bb.last_states(chats[::-1], 192), last[::-1])
    assert list(tokens) == [len(ov_bb.ids(c)) for c in chats]


def test_each_dialogue_is_cut_from_the_left_on_its_own(ov_bb):
    long_ctx = [{"role": "user", "content": "Tell me about bridges. " * 40}]
    f, tokens, cut = ov_bb.pair(long_ctx, RESP, 48)
    assert cut.all() and (tokens > 48).all()
    for k, r in enumerate(RESP):
        ids = ov_bb.ids([*long_ctx, {"role": "assistant", "content": r}])
        kept, n_cut = ov_features.window(ids, 48)
        assert kept == ids[-48:] and n_cut == len(ids) - 48
        np.testing.assert_array_equal(f[k, 0], ov_bb.net.states(kept)[-1])
    assert ov_features.window([1, 2, 3], 5) == ([1, 2, 3], 0)


def test_pool_reads_last_eot_and_mean_of_the_response():
    h = np.arange(12, dtype=np.float32).reshape(6, 2)
    got = ov_features.pool(h, [5, 5, 7, 9, 7, 1], start=2, eot_id=7)
    np.testing.assert_array_equal(got[0], h[5])  # last token
    np.testing.assert_array_equal(got[1], h[4])  # the response's last end-of-turn
    np.testing.assert_array_equal(got[2], h[2:].mean(0))  # mean over the response


def test_identity_names_weights_and_hints_not_paths(ov_home):
    ident = backbones.identity("smollm2-ov")
    text = json.dumps(ident)
    assert str(ov_home) not in text and "/" not in text
    assert ident["engine"] == "openvino" and ident["hints"]["INFERENCE_PRECISION_HINT"] == "f32"
    q = backbones.identity("qwen-0.5b")  # builds no weights (the ladder is lazy)
    from syco.models.ladder import QWEN_05B

    assert q["gguf_sha256"] == QWEN_05B.gguf_sha256 and "/" not in json.dumps(q)
    assert backbones.pm_name("qwen-0.5b") == "qwen-0.5b-rm"
    assert backbones.artefact_dir("qwen-0.5b").name == "qwen-0.5b-rm"
    with pytest.raises(SycoError, match="unknown PM backbone"):
        backbones.check("gpt-5")


@pytest.fixture(scope="module")
def small_head(ov_home):
    out = ov_home / "head"
    m = train_ov.train_head("smollm2-ov", n_pairs=32, max_len=64, threads=1, out=out,
                            log=lambda s: None)  # fmt: skip
    return out, m


def test_trainer_writes_a_head_and_a_manifest_that_say_how_it_compares(small_head):
    out, m = small_head
    w, saved = train.load_artefact(out)  # the head's sha256 is the manifest's
    assert w.shape == (1, 576) and np.isfinite(w).all()
    assert saved["name"] == "smollm2-ov-rm" and saved["backbone"]["spec"] == "smollm2-ov"
    assert saved["settings"] == {"n_pairs": 32, "max_len": 64, "seed": 0,
                                 "holdout_frac": 0.3, "pool": "last", "layers": None}  # fmt: skip
    d = saved["data"]
    assert d["n_train"] + d["n_heldout"] == 32 and d["checksum"] == train.data_checksum()
    pairs = train.ordered_pairs(0, 0.3)[:32]  # the split and order of smollm2-rm
    assert d["n_heldout"] == sum(p["part"] == "heldout" for p in pairs)
    acc, rule, diff = (saved[k] for k in ("heldout_accuracy", "heldout_length_rule",
                                          "heldout_minus_length_rule"))  # fmt: skip
    assert acc["n"] == rule["n"] == diff["n"] == d["n_heldout"]
    assert diff["value"] == pytest.approx(acc["value"] - rule["value"])
    assert (
        diff["ci_low"] <= diff["value"] <= diff["ci_high"]
        and diff["ci_method"] == "newcombe-paired"
    )
    assert acc["ci_method"] == "wilson" and acc["ci_low"] <= acc["value"] <= acc["ci_high"]
    assert saved["reference"] is None  # smollm2-rm was scored on other (2,048) pairs
    t = saved["training"]
    assert t["feature_pass"]["pairs"] == 32 and t["feature_pass"]["seconds_per_pair"] > 0
    assert t["machine"] and t["feature_chunks_written"]["n"] == 2
    assert saved["code_version"] == train_ov.code_version()
    assert m["fit"]["l2"] in m["fit"]["l2_grid"]


def test_rerun_reads_the_stored_features_and_fits_the_same_head(small_head, monkeypatch):
    out, m = small_head

    def no_model(*a, **k):
        raise AssertionError("features should come from the store")

    monkeypatch.setattr(backbones, "load", no_model)
    again = train_ov.train_head("smollm2-ov", n_pairs=32, max_len=64, out=None,
                                log=lambda s: None)  # fmt: skip
    np.testing.assert_array_equal(again["_weight"], m["_weight"])
    assert again["heldout_accuracy"] == m["heldout_accuracy"]


def test_reward_is_the_head_on_the_last_token_state(small_head, ov_bb):
    from syco.pm.ov_reward import OVRewardAPI

    out, m = small_head
    api = OVRewardAPI("smollm2-ov-rm", head=str(out), threads=1)
    chats = [[*CTX, {"role": "assistant", "content": r}] for r in RESP]
    got = api.reward_batch(chats)
    want = ov_bb.last_states(chats, 64).astype(np.float64) @ m["_weight"]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    ident = api.identity()
    assert "/" not in json.dumps(ident) and ident["max_len"] == 64
    assert ident["model"].endswith(f"+head-{m['head_sha256'][:16]}")


def test_reward_refuses_a_head_of_another_backbone(small_head, tmp_path):
    from syco.pm.ov_reward import OVRewardAPI

    out, _ = small_head
    w, m = train.load_artefact(out)
    m["backbone"] = {**m["backbone"], "hints": {"INFERENCE_PRECISION_HINT": "bf16"}}
    other = tmp_path / "other"
    train.save_artefact(w, m, other)
    with pytest.raises(SycoError, match="another backbone"):
        OVRewardAPI("smollm2-ov-rm", head=str(other))


def test_missing_head_is_a_one_line_error(syco_home, tmp_path, monkeypatch):
    from syco.models import get_model

    monkeypatch.setattr(backbones, "TRAINED", tmp_path / "none")
    with pytest.raises(SycoError) as e:
        get_model("qwen-0.5b-rm")
    msg = str(e.value)
    assert "\n" not in msg and "syco pm train --backbone qwen-0.5b" in msg


def test_cli_rejects_settings_an_openvino_backbone_cannot_take(syco_home):
    from typer.testing import CliRunner

    from syco.cli import app

    for args, msg in ((["--layers", "12"], "runs all its blocks"),
                      (["--device", "cuda"], "run on the CPU")):  # fmt: skip
        r = CliRunner().invoke(app, ["pm", "train", "--backbone", "qwen-0.5b", *args])
        assert isinstance(r.exception, SycoError) and msg in str(r.exception)
    r = CliRunner().invoke(app, ["pm", "train", "--backbone", "gpt-5"])
    assert isinstance(r.exception, SycoError) and "unknown PM backbone" in str(r.exception)


@pytest.mark.parametrize("key", ["qwen-0.5b"])
def test_committed_ov_head_matches_its_manifest(key):
    folder = backbones.artefact_dir(key)
    if not (folder / train.MANIFEST).exists():
        pytest.skip(f"no committed head in {folder}")
    w, m = train.load_artefact(folder)
    assert m["name"] == f"{key}-rm" and m["backbone"] == backbones.identity(key)
    assert m["code_version"] == train_ov.code_version(), "code changed: rerun `syco pm train`"
    assert m["data"]["checksum"] == train.data_checksum()
    from syco.models.ladder import ladder_model

    assert w.shape == (1, ladder_model(key).hidden_size)
    acc, rule, diff = (m[k] for k in ("heldout_accuracy", "heldout_length_rule",
                                      "heldout_minus_length_rule"))  # fmt: skip
    assert acc["n"] == rule["n"] == diff["n"] == m["data"]["n_heldout"]
    assert "/" not in json.dumps(m["backbone"])
    ref = m["reference"]
    if ref is not None:  # same pairs as the committed smollm2-rm: its numbers as committed
        _, sm = train.load_artefact(train.ARTEFACT_DIR)
        assert ref["heldout_accuracy"] == sm["heldout_accuracy"]
        assert ref["heldout_length_rule"] == rule
