"""Build sizes: the book's default (the notebooks' parameters cells) and the paper's.

``syco run all --scale paper`` (``make book-paper``) runs every item of every set at the
paper's pool sizes: the parameters below override the notebooks' defaults (and are
overridden in turn by any ``-p key=value``). The default sizes are chosen by precision for
the embedded model (each headline metric's 95% CI half-width, docs/MEASUREMENTS.md), within the
20-minute `make book`.
"""

from __future__ import annotations

from typing import Any

from syco.errors import SycoError

SCALES = ("default", "paper")

# Per chapter: the parameters that make it paper-sized (None = every item of the set).
PAPER: dict[str, dict[str, Any]] = {
    # §3.1: every text of every domain (1,700 texts x 5 framings; App. A.3); the paper's
    # released code let replies run to 256 tokens.
    "feedback": {"n": None, "max_tokens": 256},
    # §3.2: all 4,888 questions of the six sub-datasets (App. A.4).
    "are_you_sure": {"n": None},
    # §3.3: 1,000 TriviaQA + 817 TruthfulQA questions x 4 templates (App. A.5).
    "answer": {"n": None},
    # §3.4: 15 poems x 20 wrong poets = 300 prompts (§3.4).
    "mimicry": {"n": 15, "n_wrong": 20},
    # §4.1: every usable hh-rlhf test pair; the paper's 4 chains x (500 warm-up + 1,500 draws).
    "preference_data": {"n_pairs": None, "num_warmup": 500, "num_samples": 1500},
    # §4.2: every prompt of the §3 sets it reuses (1,000 TriviaQA + 817 TruthfulQA x 4
    # templates, 15 poems x 20 wrong poets, 300 arguments x 3 framings), M = 32 samples each
    # (Fig. 6a).
    "pm_bon": {
        "n_answer": 1000,
        "n_mimicry": 15,
        "mimicry_wrong": 20,
        "n_feedback": 300,
        "pool_size": 32,
    },
    # §4.3: all misconceptions; the paper's best-of-4096 pool (Fig. 7c/d).
    "misconceptions": {"n": None, "pool_size": 4096},
}


def scale_params(chapter: str, scale: str) -> dict[str, Any]:
    """The parameters a chapter gets at `scale` (before the user's ``-p``)."""
    if scale not in SCALES:
        raise SycoError(f"--scale must be one of {', '.join(SCALES)}, got {scale!r}")
    return dict(PAPER.get(chapter, {})) if scale == "paper" else {}
