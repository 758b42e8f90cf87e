"""`openai/<model>` and `openai-api/<service>/<model>`: the OpenAI chat-completions wire
protocol, via the official SDK.

``openai/<model>`` reads ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``; its answer key names the
endpoint "openai" whatever that URL is (so a run against a local stand-in replays anywhere;
give such a server its own name to keep its answers apart). ``openai-api/<service>/<model>``
is any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, a hosted one) under a name
you choose: it reads ``<SERVICE>_BASE_URL`` and ``<SERVICE>_API_KEY`` (upper case, ``-`` as
``_``, as Inspect AI does), so two servers can be in one run, and ``<service>`` (never the URL)
is what the answer key records. The SDK's own retries are off (the shared wrapper retries);
the key is read from the environment and never leaves this object.
"""

from __future__ import annotations

import os
import re

from syco.errors import ProviderError, SycoError
from syco.models._http import check_base_url, client_timeout, offline_key, translate
from syco.models.base import GENERATE, ModelAPI
from syco.models.model import offline
from syco.models.types import Chat, Completion, GenerateConfig, Usage

SERVICE = re.compile(r"[a-z][a-z0-9_-]{0,39}")


class OpenAIAPI(ModelAPI):
    backend = "openai"
    key_var = "OPENAI_API_KEY"
    url_var = "OPENAI_BASE_URL"

    def __init__(self, model_id: str, *, base_url: str | None = None):
        import openai

        base_url = check_base_url(base_url or os.environ.get(self.url_var), self.url_var)
        super().__init__(model_id, base_url)
        key = os.environ.get(self.key_var) or offline_key()
        if not key:
            raise SycoError(
                f"{self.key_var} is not set: export it (any value works for a local "
                "OpenAI-compatible server)"
            )
        self._sdk = openai
        self._key = key
        self._timeout = client_timeout(self._sdk)  # SYCO_TIMEOUT, checked before any call
        self._client: object | None = None

    @property
    def spec(self) -> str:
        return f"{self.backend}/{self.model_id}"

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
            raise translate(
                self._sdk, e, self.spec, key_var=self.key_var, url_var=self.url_var
            ) from e
        choices = getattr(resp, "choices", None)
        if not choices or getattr(choices[0], "message", None) is None:
            raise ProviderError(f"{self.spec}: malformed response (no choices)", transient=False)
        choice = choices[0]
        text = choice.message.content
        if not isinstance(text, str):
            raise ProviderError(
                f"{self.spec}: malformed response (no message text)", transient=False
            )
        u = getattr(resp, "usage", None)
        usage = Usage(
            input_tokens=getattr(u, "prompt_tokens", 0) or 0,
            output_tokens=getattr(u, "completion_tokens", 0) or 0,
        )
        return Completion(text=text, stop_reason=choice.finish_reason, usage=usage)


class OpenAICompatibleAPI(OpenAIAPI):
    """``openai-api/<service>/<model>``: an OpenAI-compatible server you name."""

    backend = "openai-api"

    def __init__(self, name: str, *, base_url: str | None = None):
        service, _, model_id = name.partition("/")
        if not SERVICE.fullmatch(service) or not model_id:
            raise SycoError(
                f"model spec 'openai-api/{name}' needs a service name and a model: "
                "openai-api/<service>/<model>, e.g. openai-api/vllm/Qwen2.5-7B-Instruct "
                "(service: lower-case letters, digits, - or _)"
            )
        self.endpoint = service
        env = service.upper().replace("-", "_")
        self.key_var, self.url_var = f"{env}_API_KEY", f"{env}_BASE_URL"
        if not (base_url or os.environ.get(self.url_var)) and not offline():
            raise SycoError(
                f"{self.url_var} is not set: export the server's URL (e.g. "
                f"http://127.0.0.1:8000/v1) for openai-api/{name}"
            )
        super().__init__(model_id, base_url=base_url)

    @property
    def spec(self) -> str:
        return f"openai-api/{self.endpoint}/{self.model_id}"
