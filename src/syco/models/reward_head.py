"""The trained reward model `smollm2-rm` as a model folder: the committed head read against
its manifest, and the embedded backbone plus that head assembled into a standard
`LlamaForSequenceClassification` folder (so the spec is exactly ``hf/<that folder>``).

On the models floor (docs/CONVENTIONS.md, Floors): the ``smollm2-rm`` spec needs it, and
the trainer that writes the head (`syco.pm.train`, a floor up) imports it from here, so no
model imports the PM package. The committed head stays where `syco pm train` writes it
(`ARTEFACT_DIR`, inside the PM package's data).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from syco import paths
from syco.errors import SycoError

ARTEFACT_DIR = Path(__file__).parent.parent / "pm" / "trained" / "smollm2-rm"
HEAD_FILE = "head.npy"
MANIFEST = "manifest.json"


def load_artefact(folder: Path = ARTEFACT_DIR) -> tuple[np.ndarray, dict[str, Any]]:
    """(head weight (1, hidden) float32, manifest); fails if the head is not the manifest's."""
    head, man = folder / HEAD_FILE, folder / MANIFEST
    if not head.exists() or not man.exists():
        raise SycoError(f"no trained PM in {folder}: run `syco pm train`")
    manifest = json.loads(man.read_text())
    if hashlib.sha256(head.read_bytes()).hexdigest() != manifest["head_sha256"]:
        raise SycoError(f"{head} does not match its manifest: rerun `syco pm train`")
    return np.load(head), manifest


def _keep_layer(key: str, layers: int | None) -> bool:
    parts = key.split(".")
    return not (layers and parts[1] == "layers" and int(parts[2]) >= layers)


def assemble(folder: Path = ARTEFACT_DIR, force: bool = False) -> Path:
    """A `LlamaForSequenceClassification` folder (backbone + committed head) under
    ``$SYCO_HOME/models``, built once per head; returns its path."""
    w, manifest = load_artefact(folder)
    target = paths.models_dir() / f"smollm2-rm-{manifest['head_sha256'][:12]}"
    if (target / "model.safetensors").exists() and not force:
        return target
    import torch
    from safetensors.torch import load_file, save_file

    from syco.models.smollm2 import prepare
    from syco.quiet import widget_warning_off

    with widget_warning_off():
        from transformers import AutoConfig, AutoTokenizer

    src = prepare()
    cfg = AutoConfig.from_pretrained(str(src))
    tok = AutoTokenizer.from_pretrained(
        str(src), truncation_side="left", model_max_length=manifest["settings"]["max_len"]
    )
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    layers = manifest["settings"].get("layers")
    if layers:  # the backbone's first `layers` blocks, then its final norm
        cfg.num_hidden_layers = layers
    cfg.architectures = ["LlamaForSequenceClassification"]
    cfg.num_labels = 1
    cfg.pad_token_id = tok.pad_token_id
    state = {k: v for k, v in load_file(str(src / "model.safetensors")).items()
             if k.startswith("model.") and _keep_layer(k, layers)}  # fmt: skip
    state["score.weight"] = torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32))
    tmp = Path(tempfile.mkdtemp(prefix=".smollm2-rm-", dir=target.parent))
    try:
        cfg.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        (tmp / "syco_manifest.json").write_text(json.dumps(manifest, indent=1))
        if target.exists():
            shutil.rmtree(target)
        try:
            tmp.rename(target)
        except OSError:  # another process assembled the same head meanwhile
            if not (target / "model.safetensors").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
