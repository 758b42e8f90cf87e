"""`openai/<model>`: the OpenAI chat-completions wire protocol, via the official SDK.

Also the path for any OpenAI-compatible server (vLLM, Ollama, llama.cpp server): set
``OPENAI_BASE_URL`` (ending in ``/v1``). The SDK's own retries are off (the shared wrapper
retries); the key is read from the environment and never leaves this object.
"""

from __future__ import annotations

import os

from syco.errors import ProviderError, SycoError
from syco.models._http import offline_key, translate
from syco.models.base import GENERATE, ModelAPI
from syco.models.types import Chat, Completion, GenerateConfig, Usage


class OpenAIAPI(ModelAPI):
    backend = "openai"

    def __init__(self, model_id: str, *, base_url: str | None = None, timeout: float = 120.0):
        import openai

        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        super().__init__(model_id, base_url.rstrip("/") if base_url else None)
        key = os.environ.get("OPENAI_API_KEY") or offline_key()
        if not key:
            raise SycoError(
                "OPENAI_API_KEY is not set: export it (any value works for a local "
                "OpenAI-compatible server)"
            )
        self._sdk = openai
        self._key = key
        self._timeout = timeout
        self._client: object | None = None

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({GENERATE})

    def _get_client(self):
        # One client per event loop: `Model.generate` may run each batch in a fresh loop.
        if self._client is None:
            self._client = self._sdk.AsyncOpenAI(
                api_key=self._key, base_url=self.base_url, max_retries=0, timeout=self._timeout
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def agenerate(self, chat: Chat, config: GenerateConfig) -> Completion:
        messages = list(chat)
        if config.system:
            messages = [{"role": "system", "content": config.system}, *messages]
        kwargs: dict = {"temperature": config.temperature, "max_tokens": config.max_tokens}
        if config.top_p is not None:
            kwargs["top_p"] = config.top_p
        if config.stop:
            kwargs["stop"] = list(config.stop)
        body = {"model": self.model_id, "messages": messages, **kwargs}
        try:
            # The SDK's `chat.completions.create` first walks the request through its
            # TypedDict transformer (~1 ms of CPU per call, a third of the client's cost at
            # high concurrency); the body here is already wire-ready JSON, so post it through
            # the same client (auth, headers, timeouts, response parsing) directly.
            resp = await self._get_client().post(
                "/chat/completions", body=body, cast_to=self._sdk.types.chat.ChatCompletion
            )
        except Exception as e:
            raise translate(self._sdk, e, f"openai/{self.model_id}") from e
        choices = getattr(resp, "choices", None)
        if not choices or getattr(choices[0], "message", None) is None:
            raise ProviderError(
                f"openai/{self.model_id}: malformed response (no choices)", transient=False
            )
        choice = choices[0]
        text = choice.message.content
        if not isinstance(text, str):
            raise ProviderError(
                f"openai/{self.model_id}: malformed response (no message text)", transient=False
            )
        u = getattr(resp, "usage", None)
        usage = Usage(
            input_tokens=getattr(u, "prompt_tokens", 0) or 0,
            output_tokens=getattr(u, "completion_tokens", 0) or 0,
        )
        return Completion(text=text, stop_reason=choice.finish_reason, usage=usage)
