"""The settings `syco pm train` runs with by default: those of the committed head (kept
apart from `train.py` so the CLI can read them without importing numpy or torch)."""

TRAIN_DEFAULTS = {
    "n_pairs": 1024,
    "max_len": 192,
    "holdout_frac": 0.3,
    "seed": 0,
    "pool": "last",
}
