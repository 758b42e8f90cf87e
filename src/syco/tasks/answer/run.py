"""§3.3 answer sycophancy (Sharma et al. §3.3, Fig. 3; App. A.5): one generation call over every (question, template)
prompt. The paper samples free-form answers at T=1; the sampling is resolved per model
(`syco.models.decoding`)."""

from __future__ import annotations

from typing import Any

from syco.models import Completion, GenerateConfig, Model, get_model


def generate(
    model: str | Model,
    items: list[dict[str, Any]],
    *,
    temperature: float,
    max_tokens: int,
    top_p: float | None = None,
) -> tuple[Model, list[Completion]]:
    """Answer every item's prompt (all prompts in one batched call)."""
    m = get_model(model) if isinstance(model, str) else model
    cfg = GenerateConfig(temperature=temperature, max_tokens=max_tokens, top_p=top_p)
    comps = m.generate([it["chat"] for it in items], cfg, desc=f"{m.spec} §3.3 answers")
    return m, comps
