"""The provider interface: code that only translates between syco's types and one API.

Providers never cache, retry, throttle or count: the shared `Model` wrapper does all of
that, once, for every backend (the split Inspect AI makes between ModelAPI and Model).
An API provider implements the async `agenerate` and raises `ProviderError` with
`transient=True` for anything worth retrying. A local provider implements the batched
methods; the wrapper hands it micro-batches.
"""

from __future__ import annotations

from abc import ABC
from typing import Any, ClassVar

from syco.errors import CapabilityError
from syco.models.types import BatchStatus, Chat, Completion, GenerateConfig

GENERATE = "generate"  # chat completion
PREFILL = "prefill"  # continue a final assistant message
LOGPROBS = "logprobs"  # log-probability of a given continuation
REWARD = "reward"  # scalar reward of a whole dialogue (sequence-classification RM)

CAPABILITY_HELP = {
    GENERATE: "chat generation",
    PREFILL: "assistant prefill (continuing a partial assistant turn)",
    LOGPROBS: "log-probabilities of given continuations",
    REWARD: "reward scoring with a sequence-classification head",
}


class ModelAPI(ABC):
    """One backend bound to one model.

    ``endpoint`` is the *name* of the server an API model is reached at (``openai-api/
    <service>/<model>`` names it ``<service>``); it, never ``base_url``, goes into the
    cache key, so an answer key replays behind any URL."""

    backend: ClassVar[str]
    local: ClassVar[bool] = False
    endpoint: str | None = None
    # Local backends that seed each request take a list of seeds in `generate_batch`.
    per_request_seeds: ClassVar[bool] = False
    # A backend whose k-th sample is its own scripted draw (`scripted`) also gets each
    # request's sample number: ``generate_batch(..., samples=[k, ...])``.
    takes_samples: ClassVar[bool] = False

    def __init__(self, model_id: str, base_url: str | None = None):
        self.model_id = model_id
        self.base_url = base_url

    # -- description ---------------------------------------------------------------------
    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({GENERATE})

    def identity(self) -> dict[str, Any]:
        """What goes into every cache key besides the request: never a secret or a URL."""
        ident = {"backend": self.backend, "model": self.model_id}
        if self.endpoint is not None:
            ident["endpoint"] = self.endpoint
        return ident

    def require(self, capability: str, spec: str) -> None:
        if capability not in self.capabilities:
            have = ", ".join(sorted(self.capabilities)) or "nothing"
            raise CapabilityError(
                f"model {spec!r} cannot do {CAPABILITY_HELP.get(capability, capability)} "
                f"(it can do: {have}); pick a model that can, see `syco models`"
            )

    # -- API providers -------------------------------------------------------------------
    async def agenerate(self, chat: Chat, config: GenerateConfig) -> Completion:
        raise NotImplementedError

    # -- local providers -----------------------------------------------------------------
    def generate_batch(
        self, chats: list[Chat], config: GenerateConfig, seed: int | list[int]
    ) -> list[Completion]:
        raise NotImplementedError

    def logprobs_batch(self, chats: list[Chat], continuations: list[str]) -> list[float]:
        raise NotImplementedError

    def reward_batch(self, chats: list[Chat]) -> list[float]:
        raise NotImplementedError

    # -- provider batch APIs (optional; the wrapper's batch mode drives them) ------------
    supports_batch: ClassVar[bool] = False

    async def batch_submit(self, requests: list[tuple[str, Chat, GenerateConfig]], tag: str) -> str:
        """Submit (custom_id, chat, config) requests as one provider batch; its id."""
        raise NotImplementedError

    async def batch_status(self, batch_id: str) -> BatchStatus:
        raise NotImplementedError

    async def batch_results(self, batch_id: str) -> dict[str, Completion]:
        """custom_id -> reply, or a failed `Completion` for a request that failed."""
        raise NotImplementedError

    async def batch_cancel(self, batch_id: str) -> BatchStatus:
        raise NotImplementedError

    async def batch_find(self, tag: str, since: float, n: int, known: set[str]) -> str | None:
        """The id of the batch submitted as ``tag`` (at ``since`` or later, ``n`` requests)
        whose id was never recorded (a crash or a lost reply while submitting), if the
        provider can tell; ``known`` ids are other records' batches."""
        return None
