"""`vllm/<model folder>`: a local model served by vLLM's offline engine (`vllm.LLM`).

The route for a model that outgrows `hf/`: continuous batching and paged attention on a
GPU, and ``tensor_parallel_size`` to spread a model over several GPUs. It reads the same
folders as `hf/` and renders chats with the same tokenizer and chat template, so both
backends see identical token ids; only the engine differs (hence its own cache keys).

- generation: one ``SamplingParams`` per request, each with its own seed, so a sampled
  reply depends on its request alone, not on which requests share its batch;
- log-probabilities of given continuations (prompted PMs, P(true)): the prompt's own
  log-probabilities (``prompt_logprobs=0``), summed over the continuation's tokens;
- reward: a ``*ForSequenceClassification`` folder runs as a pooling model and
  ``classify`` returns its raw logits (``use_activation=False``).

Engine options: ``tensor_parallel_size`` (or ``SYCO_VLLM_TENSOR_PARALLEL_SIZE``), ``dtype``,
and any other `vllm.LLM` argument as a keyword of `get_model` or as JSON in
``SYCO_VLLM_ENGINE_ARGS`` (e.g. ``{"gpu_memory_utilization": 0.45, "max_model_len": 4096}``).
vLLM pins its own torch and transformers, so it lives in its own environment (`make vllm`).
"""

from __future__ import annotations

import json
import os
from typing import Any

from syco.errors import SycoError
from syco.models.hf import HFAPI, continuation_ids
from syco.models.types import Chat, Completion, GenerateConfig, Usage

ENV_TP = "SYCO_VLLM_TENSOR_PARALLEL_SIZE"
ENV_ARGS = "SYCO_VLLM_ENGINE_ARGS"


def engine_options(options: dict[str, Any]) -> dict[str, Any]:
    """`vllm.LLM` keyword arguments: ``SYCO_VLLM_ENGINE_ARGS`` (JSON), then the TP variable,
    then explicit options, each overriding the one before."""
    raw = os.environ.get(ENV_ARGS, "").strip()
    try:
        out = dict(json.loads(raw)) if raw else {}
    except (ValueError, TypeError) as e:
        raise SycoError(f"{ENV_ARGS} must be a JSON object of vllm.LLM arguments: {e}") from e
    tp = os.environ.get(ENV_TP, "").strip()
    if tp:
        if not tp.isdigit() or int(tp) < 1:
            raise SycoError(f"{ENV_TP} must be a positive integer, got {tp!r}")
        out["tensor_parallel_size"] = int(tp)
    out.update(options)
    return out


def request_seeds(seed: int | list[int], n: int) -> list[int]:
    """One seed per request: the wrapper's per-request seeds as they are, or (from a wrapper
    that hands one seed per micro-batch) that seed plus the request's position."""
    if isinstance(seed, int):
        return [(seed + i) % 2**63 for i in range(n)]
    if len(seed) != n:
        raise SycoError(f"got {len(seed)} seeds for {n} requests")
    return [int(s) % 2**63 for s in seed]


class VLLMAPI(HFAPI):
    """A model folder (as for `hf/`) run by vLLM; capabilities are read from its config."""

    backend = "vllm"
    local = True
    per_request_seeds = True

    def __init__(self, model_id: str, *, dtype: str | None = None, **engine_kwargs: Any):
        # vLLM picks the device; dtype is ours to choose (it is part of the cache key).
        super().__init__(model_id, dtype=dtype)
        if self._local_dir is None:
            raise SycoError(
                f"vllm model folder not found: {self.path!r} (vllm/ takes a local folder with "
                "config.json; nothing is downloaded at run time)"
            )
        self.engine_kwargs = engine_options(engine_kwargs)

    # -- loading ----------------------------------------------------------------------
    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            from transformers import AutoTokenizer
            from vllm import LLM

            tok = AutoTokenizer.from_pretrained(self.path)
            if tok.pad_token is None:
                tok.pad_token = tok.eos_token
            kwargs = {
                "dtype": self.dtype_name,
                "seed": 0,
                # Sampling settings come from each request, never from the folder's
                # generation_config.json: the cache key must say everything.
                "generation_config": "vllm",
                **self.engine_kwargs,
            }
            self._model = LLM(model=self.path, tokenizer=self.path, **kwargs)
            self._tok = tok
        return self._tok, self._model

    def close(self) -> None:
        """Stop the engine (and its worker processes) now rather than at exit."""
        llm = self._model
        self._tok = self._model = None
        if llm is None:
            return
        core = getattr(getattr(llm, "llm_engine", None), "engine_core", None)
        shutdown = getattr(core, "shutdown", None)
        if shutdown is not None:
            shutdown()
        del llm
        import gc

        gc.collect()

    @staticmethod
    def _prompts(ids: list[list[int]]) -> list[Any]:
        from vllm.inputs import TokensPrompt

        return [TokensPrompt(prompt_token_ids=list(x)) for x in ids]

    # -- generation -------------------------------------------------------------------
    def generate_batch(
        self, chats: list[Chat], config: GenerateConfig, seed: int | list[int]
    ) -> list[Completion]:
        from vllm import SamplingParams

        tok, llm = self._load()
        ids = [
            tok(self.render(c, config.system), add_special_tokens=False)["input_ids"] for c in chats
        ]
        common: dict[str, Any] = {
            "max_tokens": config.max_tokens,
            "stop": list(config.stop) or None,
            "skip_special_tokens": True,
        }
        if config.temperature > 0:
            common.update(temperature=config.temperature, top_p=config.top_p or 1.0, top_k=0)
        else:
            common.update(temperature=0.0)
        params = [SamplingParams(seed=s, **common) for s in request_seeds(seed, len(chats))]
        outs = llm.generate(self._prompts(ids), params, use_tqdm=False)
        comps = []
        for p_ids, out in zip(ids, outs, strict=True):
            o = out.outputs[0]
            comps.append(
                Completion(
                    text=o.text,
                    stop_reason="length" if o.finish_reason == "length" else "stop",
                    usage=Usage(len(p_ids), len(o.token_ids)),
                )
            )
        return comps

    # -- scoring ----------------------------------------------------------------------
    def logprobs_batch(self, chats: list[Chat], continuations: list[str]) -> list[float]:
        from vllm import SamplingParams

        tok, llm = self._load()
        seqs, n_conts = continuation_ids(tok, chats, continuations)
        # prompt_logprobs=0: each prompt position's own token only; one step is generated
        # because a request must generate something.
        params = SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0, detokenize=False)
        outs = llm.generate(self._prompts(seqs), params, use_tqdm=False)
        values = []
        for ids, n_cont, out in zip(seqs, n_conts, outs, strict=True):
            rows = out.prompt_logprobs
            if rows is None or len(rows) != len(ids):
                raise SycoError("vLLM returned no prompt log-probabilities for a request")
            values.append(
                float(sum(rows[j][ids[j]].logprob for j in range(len(ids) - n_cont, len(ids))))
            )
        return values

    def reward_batch(self, chats: list[Chat]) -> list[float]:
        from vllm import PoolingParams

        tok, llm = self._load()
        texts, kwargs = self.reward_inputs(chats)
        ids = [tok(t, **kwargs)["input_ids"] for t in texts]
        outs = llm.classify(
            self._prompts(ids), pooling_params=PoolingParams(use_activation=False), use_tqdm=False
        )
        # One label: the reward. Two or more: last label's logit minus the first's (as hf/).
        logits = [list(o.outputs.probs) for o in outs]
        return [float(v[0] if len(v) == 1 else v[-1] - v[0]) for v in logits]
