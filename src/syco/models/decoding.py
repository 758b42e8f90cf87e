"""Which sampling a chapter's free-form replies use, per model: the paper's, or the model's own.

The paper samples free-form replies at temperature 1 (Sharma et al. §3). For the embedded
SmolLM2-135M-Instruct that measures the sampler more than the model: at T=1 its answers are
mostly noise (the §3.3 chapter shows the measured comparison). Its model card
(HuggingFaceTB/SmolLM2-135M-Instruct, "How to use") samples with temperature 0.2 and top-p
0.9; the model folder's ``generation_config.json`` sets no sampling at all. So a chapter's
``decoding`` parameter picks, per model:

- ``"recommended"`` (the default): a model's own recommended sampling where `RECOMMENDED`
  lists one (only the embedded model), else the paper's temperature;
- ``"paper"``: the paper's temperature (the chapter's ``temperature`` parameter) for every
  model.

The resolved temperature and top-p go into every request's cache key (`GenerateConfig`) and
every record's settings. A run whose sampling is not its model's default gets its own record
(`record_model`), so a comparison run never replaces the book's run.
"""

from __future__ import annotations

from dataclasses import dataclass

from syco.errors import SycoError

DECODINGS = ("recommended", "paper")
PAPER_TEMPERATURE = 1.0  # the paper's free-form sampling (Sharma et al. §3)
MODEL_CARD = "SmolLM2-135M-Instruct model card (Hugging Face), 'How to use'"


@dataclass(frozen=True)
class Sampling:
    """The sampling settings one model's free-form replies get, and why."""

    temperature: float
    top_p: float | None
    decoding: str  # "recommended" or "paper": what was asked
    source: str  # where the numbers come from

    def settings(self) -> dict[str, object]:
        """The record's settings (flat, beside the chapter's other settings)."""
        return {
            "decoding": self.decoding,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "decoding_source": self.source,
        }


# The embedded model on either engine: its model card's sampling.
RECOMMENDED: dict[str, tuple[float, float]] = {"smollm2": (0.2, 0.9), "smollm2-hf": (0.2, 0.9)}


def resolve(spec: str, decoding: str, paper_temperature: float) -> Sampling:
    """The sampling for `spec` under `decoding` (see the module docstring)."""
    if decoding not in DECODINGS:
        raise SycoError(f"decoding must be one of {', '.join(DECODINGS)}, got {decoding!r}")
    own = RECOMMENDED.get(spec.strip())
    if decoding == "recommended" and own is not None:
        return Sampling(own[0], own[1], decoding, MODEL_CARD)
    return Sampling(paper_temperature, None, decoding, "the chapter's temperature (the paper's)")


def record_model(spec: str, sampling: Sampling) -> str:
    """The record's model name: the spec when `sampling` is what the book runs the model at
    (``decoding="recommended"`` with the paper's T=1), else the spec with its sampling, e.g.
    ``smollm2 [T=1]``."""
    default = resolve(spec, "recommended", PAPER_TEMPERATURE)
    if (sampling.temperature, sampling.top_p) == (default.temperature, default.top_p):
        return spec
    top_p = f", top-p {sampling.top_p:g}" if sampling.top_p is not None else ""
    return f"{spec} [T={sampling.temperature:g}{top_p}]"


def has_own(spec: str, paper_temperature: float = PAPER_TEMPERATURE) -> bool:
    """Whether `spec`'s recommended sampling differs from the paper's."""
    own, paper = (
        resolve(spec, "recommended", paper_temperature),
        resolve(spec, "paper", paper_temperature),
    )
    return (own.temperature, own.top_p) != (paper.temperature, paper.top_p)
