"""`anthropic/<model>`: the Anthropic Messages API, via the official SDK.

Supports assistant prefill natively (a final assistant message is continued), which the
paper uses for ``"The answer is ("``. ``ANTHROPIC_BASE_URL`` (no ``/v1``) points it at another
server. SDK retries are off: the shared wrapper retries.
"""

from __future__ import annotations

import os

from syco.errors import ProviderError, SycoError
from syco.models._http import check_base_url, client_timeout, offline_key, translate
from syco.models.base import GENERATE, PREFILL, ModelAPI
from syco.models.types import Chat, Completion, GenerateConfig, Usage


class AnthropicAPI(ModelAPI):
    backend = "anthropic"

    def __init__(self, model_id: str, *, base_url: str | None = None):
        import anthropic

        url_var = "ANTHROPIC_BASE_URL"
        super().__init__(model_id, check_base_url(base_url or os.environ.get(url_var), url_var))
        key = os.environ.get("ANTHROPIC_API_KEY") or offline_key()
        if not key:
            raise SycoError("ANTHROPIC_API_KEY is not set: export it to use anthropic/ models")
        self._sdk = anthropic
        self._key = key
        self._timeout = client_timeout(self._sdk)  # SYCO_TIMEOUT, checked before any call
        self._client: object | None = None

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({GENERATE, PREFILL})

    def _get_client(self):
        if self._client is None:
            self._client = self._sdk.AsyncAnthropic(
                api_key=self._key, base_url=self.base_url, max_retries=0, timeout=self._timeout
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def agenerate(self, chat: Chat, config: GenerateConfig) -> Completion:
        system = [m["content"] for m in chat if m["role"] == "system"]
        if config.system:
            system.insert(0, config.system)
        messages = [m for m in chat if m["role"] != "system"]
        # anthropic>=1 dropped temperature/top_p from create()'s signature; the API still
        # takes them, so they go in the JSON body as they are (the SDK's migration guide).
        sampling: dict = {"temperature": config.temperature}
        if config.top_p is not None:
            sampling["top_p"] = config.top_p
        kwargs: dict = {"max_tokens": config.max_tokens, "extra_body": sampling}
        if system:
            kwargs["system"] = "\n\n".join(system)
        if config.stop:
            kwargs["stop_sequences"] = list(config.stop)
        try:
            resp = await self._get_client().messages.create(
                model=self.model_id, messages=messages, **kwargs
            )
        except Exception as e:
            raise translate(
                self._sdk,
                e,
                f"anthropic/{self.model_id}",
                key_var="ANTHROPIC_API_KEY",
                url_var="ANTHROPIC_BASE_URL",
            ) from e
        content = getattr(resp, "content", None)
        if not isinstance(content, list):
            raise ProviderError(
                f"anthropic/{self.model_id}: malformed response (no content)", transient=False
            )
        text = "".join(getattr(b, "text", "") for b in content if getattr(b, "type", "") == "text")
        u = getattr(resp, "usage", None)
        usage = Usage(
            input_tokens=getattr(u, "input_tokens", 0) or 0,
            output_tokens=getattr(u, "output_tokens", 0) or 0,
        )
        return Completion(text=text, stop_reason=getattr(resp, "stop_reason", None), usage=usage)
