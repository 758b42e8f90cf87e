"""Rough list prices (USD per million tokens, input/output) for estimating API cost.

Estimates only: prices change, and unknown models get no estimate rather than a guess.
"""

from __future__ import annotations

from syco.models.types import Usage

# What a provider's batch API bills, as a fraction of its list price, by backend: the OpenAI
# Batch API and Anthropic Message Batches both bill half. A backend missing here has no batch
# API (its "batched" cost is its ordinary cost: `syco run --batch` sends ordinary calls).
BATCH_PRICE_FACTOR: dict[str, float] = {"openai": 0.5, "anthropic": 0.5}

# prefix of the model id -> (input, output) USD per 1M tokens
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-4": (30.00, 60.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "claude-3-5-haiku": (0.80, 4.00),
    "claude-3-haiku": (0.25, 1.25),
    "claude-haiku-4": (1.00, 5.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    "claude-3-7-sonnet": (3.00, 15.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-opus-4": (15.00, 75.00),
    "claude-3-opus": (15.00, 75.00),
}


def price_of(model_id: str) -> tuple[float, float] | None:
    best = None
    for prefix, price in PRICES.items():
        if model_id.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, price)
    return best[1] if best else None


def batch_factor(backend: str) -> float:
    """The fraction of list price ``backend``'s batch API bills (1.0: it has none)."""
    return BATCH_PRICE_FACTOR.get(backend, 1.0)


def estimate_cost(
    model_id: str, usage: Usage, batched: Usage | None = None, backend: str = ""
) -> float | None:
    """USD for ``usage`` at list price; ``batched`` (part of ``usage``) went through
    ``backend``'s batch API and is billed at its batch price."""
    price = price_of(model_id)
    if price is None:
        return None

    def usd(u: Usage) -> float:
        return (u.input_tokens * price[0] + u.output_tokens * price[1]) / 1e6

    if batched is None:
        return usd(usage)
    ordinary = Usage(
        usage.input_tokens - batched.input_tokens, usage.output_tokens - batched.output_tokens
    )
    return usd(ordinary) + usd(batched) * batch_factor(backend)
