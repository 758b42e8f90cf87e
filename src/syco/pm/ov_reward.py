"""``qwen-0.5b-rm``: a reward model served from a committed Bradley–Terry head on an OpenVINO
backbone (`syco.pm.train_ov`), the trained PM of Sharma et al. §4.2–§4.3 on a larger model.

reward(dialogue) = head · (the backbone's normed hidden state at the dialogue's last token),
the dialogue rendered with the backbone's chat template and cut from the left to the
head's ``max_len``: the very pass its training features came from (`syco.pm.ov_features`),
so its held-out accuracy is the manifest's. The identity names the weights (GGUF sha256),
the hints, the cut and the head's sha256, never a path, so cached rewards replay on any
machine; the backbone's weights are prepared only when a reward misses the answer key
(as ``SYCO_LADDER`` allows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from syco.errors import SycoError
from syco.models.base import REWARD, ModelAPI
from syco.models.types import Chat
from syco.pm import backbones


def load_head(key: str, folder: Path | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """(head (1, hidden), manifest) of a backbone, or a one-line error saying how to train it."""
    from syco.pm.train import load_artefact

    folder = folder or backbones.artefact_dir(key)
    try:
        w, m = load_artefact(folder)
    except SycoError as e:
        if "no trained PM" not in str(e):
            raise
        raise SycoError(
            f"{backbones.pm_name(key)} has no trained head in {folder}: run "
            f"`syco pm train --backbone {key}`"
        ) from None
    if m["settings"]["pool"] != "last":
        raise SycoError(f"{folder}: a reward reads the last token; this head is on "
                        f"{m['settings']['pool']!r} states")  # fmt: skip
    return w, m


class OVRewardAPI(ModelAPI):
    """A trained head on an OpenVINO backbone, as a reward model (capability: reward)."""

    backend = "ov"
    local = True

    def __init__(
        self, name: str = "qwen-0.5b-rm", *, head: str | None = None, threads: int | None = None
    ):
        self.key = backbones.backbone_of(name)
        self.w, self.manifest = load_head(self.key, Path(head) if head else None)
        self.lm = backbones.lm(self.key)
        want, have = self.manifest["backbone"], backbones.identity(self.key, self.lm)
        if want != have:
            raise SycoError(
                f"{name}: its head was trained on another backbone or feature code "
                f"({want} vs {have}): rerun `syco pm train --backbone {self.key}`"
            )
        super().__init__(f"{self.lm.model_id}-rm")
        self.max_len = int(self.manifest["settings"]["max_len"])
        self.threads = threads
        self._bb: Any = None

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({REWARD})

    def identity(self) -> dict[str, Any]:
        b = self.manifest["backbone"]
        weights = b.get("gguf_sha256") or b.get("wheel")
        return {
            "backend": "ov",
            "model": f"{b['model']}@{str(weights)[:16]}+head-{self.manifest['head_sha256'][:16]}",
            "base_url": None,
            "weights": "int8",
            "score_hints": b["hints"],
            "max_len": self.max_len,
        }

    def close(self) -> None:
        self._bb = None

    def reward_batch(self, chats: list[Chat]) -> list[float]:
        if self._bb is None:
            self._bb = backbones.load(self.key, self.threads, api=self.lm)
        states = self._bb.last_states(chats, self.max_len).astype(np.float64)
        return [float(v) for v in states @ self.w[0].astype(np.float64)]
