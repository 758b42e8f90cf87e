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

import json
import os
import re
from typing import Any

from syco.errors import ProviderError, SycoError
from syco.models._http import check_base_url, client_timeout, offline_key, sdk_call, translate
from syco.models.base import GENERATE, ModelAPI
from syco.models.runstate import offline
from syco.models.types import BatchStatus, Chat, Completion, GenerateConfig, Usage

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
        self._client: Any = None

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

    def _body(self, chat: Chat, config: GenerateConfig) -> dict:
        """The chat-completions request body (the same for a call and a batch line)."""
        messages = list(chat)
        if config.system:
            messages = [{"role": "system", "content": config.system}, *messages]
        body: dict = {
            "model": self.model_id,
            "messages": messages,
            "temperature": config.temperature,
            "max_tokens": config.max_tokens,
        }
        if config.top_p is not None:
            body["top_p"] = config.top_p
        if config.stop:
            body["stop"] = list(config.stop)
        return body

    async def agenerate(self, chat: Chat, config: GenerateConfig) -> Completion:
        try:
            # The SDK's `chat.completions.create` first walks the request through its
            # TypedDict transformer (~1 ms of CPU per call, a third of the client's cost at
            # high concurrency); the body here is already wire-ready JSON, so post it through
            # the same client (auth, headers, timeouts, response parsing) directly.
            resp = await self._get_client().post(
                "/chat/completions",
                body=self._body(chat, config),
                cast_to=self._sdk.types.chat.ChatCompletion,
            )
        except Exception as e:
            raise translate(
                self._sdk, e, self.spec, key_var=self.key_var, url_var=self.url_var
            ) from e
        return self._completion(resp)

    def _completion(self, resp) -> Completion:
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

    # -- the Batch API: a JSONL file of requests, one batch, output and error files --------
    supports_batch = True

    def _sdk_call(self, factory):
        return sdk_call(self._sdk, f"{self.spec} batch", factory)

    async def batch_submit(self, requests: list[tuple[str, Chat, GenerateConfig]], tag: str) -> str:
        lines = [
            json.dumps(
                {
                    "custom_id": cid,
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": self._body(chat, cfg),
                },
                ensure_ascii=False,
            )
            for cid, chat, cfg in requests
        ]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        client = self._get_client()
        upload = await self._sdk_call(
            lambda: client.files.create(file=(f"{tag}.jsonl", data), purpose="batch")
        )
        batch = await self._sdk_call(
            lambda: client.batches.create(
                input_file_id=upload.id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
                metadata={"syco_batch": tag},
            )
        )
        return batch.id

    @staticmethod
    def _status(b) -> BatchStatus:
        rc = b.request_counts
        total, completed, failed = (rc.total, rc.completed, rc.failed) if rc else (0, 0, 0)
        note = "; ".join(f"{e.code}: {e.message}" for e in (getattr(b.errors, "data", None) or []))
        ended = b.status in ("completed", "failed", "expired", "cancelled")
        return BatchStatus(b.status, ended, total, completed + failed, failed, note)

    async def batch_status(self, batch_id: str) -> BatchStatus:
        client = self._get_client()
        return self._status(await self._sdk_call(lambda: client.batches.retrieve(batch_id)))

    async def batch_cancel(self, batch_id: str) -> BatchStatus:
        client = self._get_client()
        return self._status(await self._sdk_call(lambda: client.batches.cancel(batch_id)))

    async def batch_results(self, batch_id: str) -> dict[str, Completion]:
        client = self._get_client()
        b = await self._sdk_call(lambda: client.batches.retrieve(batch_id))
        out: dict[str, Completion] = {}
        for file_id in (b.output_file_id, b.error_file_id):
            if not file_id:
                continue
            content = await self._sdk_call(lambda f=file_id: client.files.content(f))
            for line in content.text.splitlines():
                if line.strip():
                    cid, comp = self._batch_line(json.loads(line))
                    out[cid] = comp
        return out

    def _batch_line(self, d: dict) -> tuple[str, Completion]:
        """One line of an output or error file -> (custom_id, reply or failure)."""
        resp, err = d.get("response") or {}, d.get("error") or {}
        where = f"{self.spec} batch request"
        if resp.get("status_code") == 200 and not err:
            try:
                body = self._sdk.types.chat.ChatCompletion.model_validate(resp.get("body"))
                return d["custom_id"], self._completion(body)
            except Exception as e:  # a malformed reply is an error, never an answer
                return d["custom_id"], Completion.failed(f"{where}: {type(e).__name__}: {e}")
        body_err = (resp.get("body") or {}).get("error") or {}
        status = f"HTTP {resp['status_code']}: " if resp.get("status_code") else ""
        code = err.get("code") or body_err.get("type") or body_err.get("code") or "error"
        msg = err.get("message") or body_err.get("message") or ""
        return d["custom_id"], Completion.failed(f"{where} failed: {status}{code}: {msg}")

    async def batch_find(self, tag: str, since: float, n: int, known: set[str]) -> str | None:
        client = self._get_client()
        page = await self._sdk_call(lambda: client.batches.list(limit=100))
        for b in page.data:
            if (b.metadata or {}).get("syco_batch") == tag:
                return b.id
        return None


class OpenAICompatibleAPI(OpenAIAPI):
    """``openai-api/<service>/<model>``: an OpenAI-compatible server you name."""

    backend = "openai-api"
    supports_batch = False  # vLLM, Ollama & co. serve no Batch API: ordinary calls

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
