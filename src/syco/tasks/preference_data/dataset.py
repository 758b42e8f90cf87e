"""§4.1 data: hh-rlhf helpfulness comparisons (Sharma et al. §4.1; Bai et al. 2022a).

The paper labels 15K randomly sampled pairs of the hh-rlhf *helpfulness* data. Only the
three helpfulness **test** splits are in our data mirror (6,190 usable pairs), so we sample
from those. Each pair's A/B order is randomised (seeded) so that the outcome "A preferred"
is 1 about half the time and the labels take both signs: the regression then needs no
intercept, as in the paper's model.
"""

from __future__ import annotations

import random
from typing import Any

from syco.data import load_hh_rlhf
from syco.data.fetch import ensure_source

SPLITS = ("helpful-base", "helpful-online", "helpful-rejection-sampled")
N_FOLDS = 6  # the paper's leave-one-sixth-out sensitivity check (App. B)


def ensure_sources() -> None:
    """Place the hh-rlhf source files (only those) if `syco data fetch` has not run yet."""
    ensure_source("hh_rlhf")


def load_pairs(
    n_pairs: int | None,
    *,
    seed: int = 0,
    holdout_frac: float = 0.16,
    splits: tuple[str, ...] | list[str] = SPLITS,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Sampled pairs with a random A/B order, a train/holdout part and a fold number.

    Returns (pairs, stats). Each pair: ``pair_id, split, row, context, a, b, a_is_chosen,
    y`` (1 if A was preferred), ``part`` ("train" | "holdout") and ``fold`` (0–5, train
    only; -1 for holdout)."""
    ensure_sources()
    stats: dict[str, Any] = {}
    raw = load_hh_rlhf(splits=tuple(splits), n=n_pairs, seed=seed, stats=stats)
    rng = random.Random(f"preference_data:{seed}")
    order = list(range(len(raw)))
    rng.shuffle(order)
    n_hold = round(len(raw) * holdout_frac)
    holdout = set(order[:n_hold])
    fold_of = {i: k % N_FOLDS for k, i in enumerate(order[n_hold:])}
    pairs = []
    for i, p in enumerate(raw):
        a_is_chosen = rng.random() < 0.5
        a, b = (p["chosen"], p["rejected"]) if a_is_chosen else (p["rejected"], p["chosen"])
        pairs.append(
            {
                "pair_id": f"{p['split']}:{p['row']}",
                "split": p["split"],
                "row": p["row"],
                "context": p["context"],
                "a": a,
                "b": b,
                "a_is_chosen": a_is_chosen,
                "y": int(a_is_chosen),
                "part": "holdout" if i in holdout else "train",
                "fold": -1 if i in holdout else fold_of[i],
            }
        )
    return pairs, stats
