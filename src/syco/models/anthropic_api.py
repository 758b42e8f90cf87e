"""`anthropic/<model>`: the Anthropic Messages API, via the official SDK.

Supports assistant prefill natively (a final assistant message is continued), which the
paper uses for ``"The answer is ("``. ``ANTHROPIC_BASE_URL`` (no ``/v1``) points it at another
server. SDK retries are off: the shared wrapper retries.
"""

from __future__ import annotations

import os
from typing import Any

from syco.errors import ProviderError, SycoError
from syco.models._http import check_base_url, client_timeout, offline_key, sdk_call, translate
from syco.models.base import GENERATE, PREFILL, ModelAPI
from syco.models.types import BatchStatus, Chat, Completion, GenerateConfig, Usage


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
        self._client: Any = None

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

    def _params(self, chat: Chat, config: GenerateConfig) -> dict:
        """The Messages request (the same for a call and a batch request)."""
        system = [m["content"] for m in chat if m["role"] == "system"]
        if config.system:
            system.insert(0, config.system)
        params: dict = {
            "model": self.model_id,
            "messages": [m for m in chat if m["role"] != "system"],
            "max_tokens": config.max_tokens,
            "temperature": config.temperature,
        }
        if config.top_p is not None:
            params["top_p"] = config.top_p
        if system:
            params["system"] = "\n\n".join(system)
        if config.stop:
            params["stop_sequences"] = list(config.stop)
        return params

    async def agenerate(self, chat: Chat, config: GenerateConfig) -> Completion:
        params = self._params(chat, config)
        # anthropic>=1 dropped temperature/top_p from create()'s signature; the API still
        # takes them, so they go in the JSON body as they are (the SDK's migration guide).
        sampling = {k: params.pop(k) for k in ("temperature", "top_p") if k in params}
        try:
            resp = await self._get_client().messages.create(**params, extra_body=sampling)
        except Exception as e:
            raise translate(
                self._sdk,
                e,
                f"anthropic/{self.model_id}",
                key_var="ANTHROPIC_API_KEY",
                url_var="ANTHROPIC_BASE_URL",
            ) from e
        return self._completion(resp)

    def _completion(self, resp) -> Completion:
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

    # -- the Message Batches API: create, retrieve, cancel, results JSONL -----------------
    supports_batch = True

    def _sdk_call(self, factory):
        return sdk_call(self._sdk, f"anthropic/{self.model_id} batch", factory)

    async def batch_submit(self, requests: list[tuple[str, Chat, GenerateConfig]], tag: str) -> str:
        batches = self._get_client().messages.batches
        reqs = [{"custom_id": cid, "params": self._params(c, cfg)} for cid, c, cfg in requests]
        batch = await self._sdk_call(lambda: batches.create(requests=reqs))
        return batch.id

    @staticmethod
    def _status(b) -> BatchStatus:
        rc = b.request_counts
        failed = rc.errored + rc.canceled + rc.expired
        total = rc.processing + rc.succeeded + failed
        ended = b.processing_status == "ended"
        return BatchStatus(b.processing_status, ended, total, total - rc.processing, failed)

    async def batch_status(self, batch_id: str) -> BatchStatus:
        batches = self._get_client().messages.batches
        return self._status(await self._sdk_call(lambda: batches.retrieve(batch_id)))

    async def batch_cancel(self, batch_id: str) -> BatchStatus:
        batches = self._get_client().messages.batches
        return self._status(await self._sdk_call(lambda: batches.cancel(batch_id)))

    async def batch_results(self, batch_id: str) -> dict[str, Completion]:
        batches = self._get_client().messages.batches
        where = f"anthropic/{self.model_id} batch request"
        out: dict[str, Completion] = {}
        lines = await self._sdk_call(lambda: batches.results(batch_id))
        async for line in lines:
            result = line.result
            if result.type == "succeeded":
                try:
                    out[line.custom_id] = self._completion(result.message)
                except ProviderError as e:  # a malformed reply is an error, never an answer
                    out[line.custom_id] = Completion.failed(str(e))
            elif result.type == "errored":
                err = result.error.error
                out[line.custom_id] = Completion.failed(
                    f"{where} failed: {err.type}: {err.message}"
                )
            else:  # canceled or expired: never processed
                out[line.custom_id] = Completion.failed(f"{where} {result.type}")
        return out

    async def batch_find(self, tag: str, since: float, n: int, known: set[str]) -> str | None:
        """Message batches carry no tag: the newest unknown batch of ``n`` requests created
        since ``since`` (a few seconds of clock skew allowed) is taken to be ours."""
        batches = self._get_client().messages.batches
        page = await self._sdk_call(lambda: batches.list(limit=100))
        for b in page.data:
            counts = self._status(b)
            created = b.created_at.timestamp()
            if b.id not in known and counts.total == n and created >= since - 30:
                return b.id
        return None
