"""The settings `syco pm train` runs with by default: those of the committed head (kept
apart from `train.py` so the CLI can read them without importing numpy or torch)."""

from typing import Any

TRAIN_DEFAULTS: dict[str, Any] = {
    "n_pairs": 2048,
    "max_len": 192,
    "holdout_frac": 0.3,
    "seed": 0,
    "pool": "last",
    "layers": 12,  # the first 12 of 30 blocks (then the final norm): ~2x cheaper per pair here
}
